// networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy.
// Defaults follow pkg/apis/networking/v1/defaults.go, validation pkg/apis/networking/validation.

import type {
  HTTPIngressPath,
  IPBlock,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressClassParametersReference,
  IngressLoadBalancerStatus,
  IngressRule,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from 'kubernetes-types/networking/v1.js';
import { FieldError, Path, forbidden, invalid, notSupported, required, tooLong, type ErrorList } from '../../../machinery/field.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidCIDR,
  isValidIP,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  parseCIDRSloppy,
  parseIPSloppy,
  validateDomainPrefixedPath,
} from '../../../machinery/validation.js';
import { validateLabelSelector } from '../../../machinery/labels.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

/** An Invalid error whose value is printed verbatim (Go's %#v of a typed value). */
class RawValueError extends FieldError {
  constructor(field: string, private readonly raw: string, detail: string) {
    super('FieldValueInvalid', field, raw, detail);
  }
  override body(): string {
    return `Invalid value: ${this.raw}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

const ANNOTATION_INGRESS_CLASS = 'kubernetes.io/ingress.class';
const SUPPORTED_PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

// ---- Ingress --------------------------------------------------------------------------------

function validateBackend(b: IngressBackend, path: Path): ErrorList {
  const errs: ErrorList = [];
  const hasResource = b.resource != null;
  const hasService = b.service != null;
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = b.resource!;
    const rp = path.child('resource');
    if (r.apiGroup != null) for (const m of isDNS1123Subdomain(r.apiGroup)) errs.push(invalid(rp.child('apiGroup'), r.apiGroup, m));
    if (!r.kind) errs.push(required(rp.child('kind')));
    else for (const m of isValidPathSegmentName(r.kind)) errs.push(invalid(rp.child('kind'), r.kind, m));
    if (!r.name) errs.push(required(rp.child('name')));
    else for (const m of isValidPathSegmentName(r.name)) errs.push(invalid(rp.child('name'), r.name, m));
    return errs;
  }
  if (hasService) {
    const s = b.service!;
    if (!s.name) errs.push(required(path.child('service', 'name')));
    else for (const m of isDNS1035Label(s.name)) errs.push(invalid(path.child('service', 'name'), s.name, m));
    const portName = s.port?.name ?? '';
    const portNumber = s.port?.number ?? 0;
    if (portName && portNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
    else if (portName) for (const m of isValidPortName(portName)) errs.push(invalid(path.child('service', 'port', 'name'), portName, m));
    else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalid(path.child('service', 'port', 'number'), portNumber, m));
    else errs.push(required(path, 'port name or number is required'));
    return errs;
  }
  return [invalid(path, '', 'resource or service backend is required')];
}

function validateHTTPPath(p: HTTPIngressPath, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (p.pathType == null) return [required(path.child('pathType'), 'pathType must be specified')];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      if (value) {
        for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child('path'), value, `must not contain '${seq}'`));
        for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(path.child('path'), value, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(path.child('pathType'), p.pathType, SUPPORTED_PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend ?? {}, path.child('backend')));
  return errs;
}

function validateRuleValue(rule: IngressRule, path: Path): ErrorList {
  if (!rule.http) return [];
  const errs: ErrorList = [];
  const hp = path.child('http');
  if (!rule.http.paths?.length) errs.push(required(hp.child('paths')));
  (rule.http.paths ?? []).forEach((p, i) => errs.push(...validateHTTPPath(p, hp.child('paths').at(i))));
  return errs;
}

interface IngressOptions {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

function validateIngressSpec(ing: Ingress, opts: IngressOptions): ErrorList {
  const errs: ErrorList = [];
  const spec = ing.spec ?? {};
  const sp = Path.root('spec');
  if (!spec.rules?.length && !spec.defaultBackend) {
    const repr = spec.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)';
    errs.push(new RawValueError('spec', repr, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, sp.child('defaultBackend')));
  (spec.rules ?? []).forEach((rule, i) => {
    const rp = sp.child('rules').at(i);
    let wildcard = false;
    const host = rule.host ?? '';
    if (host) {
      if (parseIPSloppy(host)) errs.push(invalid(rp.child('host'), host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        for (const m of isWildcardDNS1123Subdomain(host)) errs.push(invalid(rp.child('host'), host, m));
        wildcard = true;
      } else {
        for (const m of isDNS1123Subdomain(host)) errs.push(invalid(rp.child('host'), host, m));
      }
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...validateRuleValue(rule, rp));
  });
  (spec.tls ?? []).forEach((tls, ti) => {
    const tp = sp.child('tls').at(ti);
    (tls.hosts ?? []).forEach((host, i) => {
      const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
      for (const m of check(host)) errs.push(invalid(tp.child('hosts').at(i), host, m));
    });
    if (!opts.allowInvalidSecretName && tls.secretName) {
      for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(invalid(tp.child('secretName'), tls.secretName, m));
    }
  });
  if (spec.ingressClassName != null) {
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(invalid(sp.child('ingressClassName'), spec.ingressClassName, m));
  }
  return errs;
}

function validateIngressCreate(ing: Ingress): ErrorList {
  const errs = validateIngressSpec(ing, { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false });
  const annotation = ing.metadata?.annotations?.[ANNOTATION_INGRESS_CLASS];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && className != null && annotation !== className) {
    errs.push(invalid(Path.root('annotations').child(ANNOTATION_INGRESS_CLASS), annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

function validateIngressUpdate(ing: Ingress, old: Ingress): ErrorList {
  // Keep accepting stored objects that were valid under older, looser rules.
  const allowInvalidSecretName = (old.spec?.tls ?? []).some((t) => !!t.secretName && isDNS1123Subdomain(t.secretName).length > 0);
  const allowInvalidWildcardHostRule = (old.spec?.rules ?? []).some(
    (r) => (r.host ?? '').includes('*') && validateRuleValue(r, Path.root('x')).length > 0,
  );
  return validateIngressSpec(ing, { allowInvalidSecretName, allowInvalidWildcardHostRule });
}

function validateLoadBalancerStatus(status: IngressLoadBalancerStatus | undefined, old: IngressLoadBalancerStatus | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const oldIPs = new Set((old?.ingress ?? []).map((x) => x.ip).filter((x): x is string => !!x));
  (status?.ingress ?? []).forEach((ing, i) => {
    const ip = path.child('ingress').at(i);
    if (ing.ip && !oldIPs.has(ing.ip)) for (const m of isValidIP(ing.ip)) errs.push(invalid(ip.child('ip'), ing.ip, m));
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(invalid(ip.child('hostname'), ing.hostname, m));
      if (parseIPSloppy(ing.hostname)) errs.push(invalid(ip.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

export const ingressHandlers: KindHandlers<Ingress> = {
  validate: validateIngressCreate,
  validateUpdate: validateIngressUpdate,
  validateStatusUpdate: (ing, old) =>
    validateLoadBalancerStatus(ing.status?.loadBalancer, old.status?.loadBalancer, Path.root('status', 'loadBalancer')),
};

// ---- IngressClass ---------------------------------------------------------------------------

function validateParametersRef(p: IngressClassParametersReference | undefined, path: Path): ErrorList {
  if (!p) return [];
  const errs: ErrorList = [];
  if (p.apiGroup != null) for (const m of isDNS1123Subdomain(p.apiGroup)) errs.push(invalid(path.child('apiGroup'), p.apiGroup, m));
  if (!p.kind) errs.push(required(path.child('kind')));
  else for (const m of isValidPathSegmentName(p.kind)) errs.push(invalid(path.child('kind'), p.kind, m));
  if (!p.name) errs.push(required(path.child('name')));
  else for (const m of isValidPathSegmentName(p.name)) errs.push(invalid(path.child('name'), p.name, m));
  if (p.scope == null) {
    errs.push(required(path.child('scope')));
    return errs;
  }
  if (p.scope !== 'Cluster' && p.scope !== 'Namespace') {
    errs.push(notSupported(path.child('scope'), p.scope, ['Cluster', 'Namespace']));
  } else if (p.scope === 'Namespace') {
    if (p.namespace == null) errs.push(required(path.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Label(p.namespace)) errs.push(invalid(path.child('namespace'), p.namespace, m));
  } else if (p.namespace != null) {
    errs.push(forbidden(path.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

function validateIngressClass(ic: IngressClass): ErrorList {
  const errs: ErrorList = [];
  const sp = Path.root('spec');
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(required(sp.child('controller')));
  else {
    if (controller.length > 250) errs.push(tooLong(sp.child('controller'), '', 250));
    errs.push(...validateDomainPrefixedPath(controller, sp.child('controller')));
  }
  errs.push(...validateParametersRef(ic.spec?.parameters, sp.child('parameters')));
  return errs;
}

export const ingressClassHandlers: KindHandlers<IngressClass> = {
  defaults(ic) {
    const p = ic.spec?.parameters;
    if (p && p.scope == null) p.scope = 'Cluster';
  },
  validate: validateIngressClass,
  validateUpdate(ic, old) {
    const errs: ErrorList = [];
    const c = ic.spec?.controller ?? '';
    if (c !== (old.spec?.controller ?? '')) errs.push(invalid(Path.root('spec', 'controller'), c, 'field is immutable'));
    return [...errs, ...validateIngressClass(ic)];
  },
};

// ---- NetworkPolicy --------------------------------------------------------------------------

function validatePort(port: NetworkPolicyPort, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (port.protocol != null && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    errs.push(notSupported(path.child('protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  if (port.port != null) {
    if (typeof port.port === 'number') {
      for (const m of isValidPortNum(port.port)) errs.push(invalid(path.child('port'), port.port, m));
      if (port.endPort != null) {
        if (port.endPort < port.port) errs.push(invalid(path.child('endPort'), port.endPort, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(port.endPort)) errs.push(invalid(path.child('endPort'), port.endPort, m));
      }
    } else {
      if (port.endPort != null) errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(port.port)) errs.push(invalid(path.child('port'), port.port, m));
    }
  } else if (port.endPort != null) {
    errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

type CIDR = { ip: Uint8Array; bits: number };

/** Whether `net` contains the first address of `other` (Go's IPNet.Contains on the except's IP). */
function contains(net: CIDR, other: CIDR): boolean {
  const norm = (ip: Uint8Array) => (ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff ? ip.slice(12) : ip);
  const a = norm(net.ip), b = norm(other.ip);
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < net.bits; bit++) {
    const i = bit >> 3, m = 0x80 >> (bit & 7);
    if ((a[i]! & m) !== (b[i]! & m)) return false;
  }
  return true;
}

function validateIPBlock(b: IPBlock, path: Path, allowed: ReadonlySet<string>): ErrorList {
  const errs: ErrorList = [];
  if (!b.cidr) return [required(path.child('cidr'))];
  if (!allowed.has(b.cidr)) for (const m of isValidCIDR(b.cidr)) errs.push(invalid(path.child('cidr'), b.cidr, m));
  const net = parseCIDRSloppy(b.cidr);
  if (!net) return errs;
  (b.except ?? []).forEach((ex, i) => {
    const ep = path.child('except').at(i);
    if (!allowed.has(ex)) for (const m of isValidCIDR(ex)) errs.push(invalid(ep, ex, m));
    const exNet = parseCIDRSloppy(ex);
    if (!exNet) return;
    if (!contains(net, exNet) || net.bits >= exNet.bits) errs.push(invalid(ep, ex, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: Path, allowed: ReadonlySet<string>): ErrorList {
  const errs: ErrorList = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, path.child('podSelector')));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, path.child('namespaceSelector')));
  }
  if (peer.ipBlock) {
    n++;
    errs.push(...validateIPBlock(peer.ipBlock, path.child('ipBlock'), allowed));
  }
  if (n === 0) errs.push(required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicySpec(np: NetworkPolicy, allowedCIDRs: ReadonlySet<string>): ErrorList {
  const spec: Partial<NetworkPolicySpec> = np.spec ?? {};
  const sp = Path.root('spec');
  const errs: ErrorList = [...validateLabelSelector(spec.podSelector ?? {}, sp.child('podSelector'))];
  (spec.ingress ?? []).forEach((rule, i) => {
    const rp = sp.child('ingress').at(i);
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, rp.child('ports').at(j))));
    (rule.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, rp.child('from').at(j), allowedCIDRs)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const rp = sp.child('egress').at(i);
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, rp.child('ports').at(j))));
    (rule.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, rp.child('to').at(j), allowedCIDRs)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) {
    errs.push(invalid(sp.child('policyTypes'), types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(sp.child('policyTypes').at(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

/** CIDRs already stored may stay even if today's stricter parsing rejects them. */
function existingCIDRs(old: NetworkPolicy): Set<string> {
  const out = new Set<string>();
  const add = (peers: NetworkPolicyPeer[] | undefined) => {
    for (const p of peers ?? []) {
      if (p.ipBlock) {
        out.add(p.ipBlock.cidr);
        for (const e of p.ipBlock.except ?? []) out.add(e);
      }
    }
  };
  for (const r of old.spec?.ingress ?? []) add(r.from);
  for (const r of old.spec?.egress ?? []) add(r.to);
  return out;
}

export const networkPolicyHandlers: KindHandlers<NetworkPolicy> = {
  defaults(np) {
    const spec = (np.spec ??= { podSelector: {} });
    for (const r of spec.ingress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
    for (const r of spec.egress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
    if (!spec.policyTypes?.length) {
      spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  validate: (np) => validateNetworkPolicySpec(np, new Set()),
  validateUpdate: (np, old) => validateNetworkPolicySpec(np, existingCIDRs(old)),
};

export const kinds: GroupVersionKinds = {
  Ingress: ingressHandlers,
  IngressClass: ingressClassHandlers,
  NetworkPolicy: networkPolicyHandlers,
};
