// Service validation (upstream ValidateService, ValidateServiceUpdate, ValidateServiceStatusUpdate).
// Node port ranges and IP allocation are the registry's business, not checked here.

import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, duplicate, forbidden, invalid, notSupported, required } from '../../../../machinery/field.js';
import { isValidCIDR, isValidIP, isValidPortNum, validateLabels } from '../../../../machinery/validation.js';
import { validateDNS1123Label, validateDNS1123Subdomain, validateQualifiedName } from './common.js';
import { validatePortNumOrName } from './pod.js';

const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';

export function isHeadlessService(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

/** ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(spec: ServiceSpec | undefined): boolean {
  const t = spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (spec?.externalIPs ?? []).length > 0);
}

export function needsHealthCheck(spec: ServiceSpec | undefined): boolean {
  return spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

const ipErrs = (v: string, path: Path | string): ErrorList => isValidIP(v).map((m) => invalid(path, v, m));
const cidrErrs = (v: string, path: Path | string): ErrorList => isValidCIDR(v).map((m) => invalid(path, v, m));
const isIPv6 = (v: string): boolean => v.includes(':');

/**
 * The service strategy's normalizeClusterIPs: keeps spec.clusterIP and spec.clusterIPs in step
 * before validation. The registry calls it on create (old undefined) and update.
 */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec = svc.spec;
  if (!spec) return;
  if (!old) {
    // An old client sets only the singular field.
    if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const o = old.spec ?? {};
  const oldIPs = o.clusterIPs ?? [];
  if (oldIPs.length && !(spec.clusterIPs ?? []).length && (o.clusterIP ?? '') === (spec.clusterIP ?? '')) spec.clusterIPs = [...oldIPs];
  if ((o.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (o.clusterIP && !spec.clusterIP && sameList(oldIPs, spec.clusterIPs ?? [])) delete spec.clusterIPs;
    if (sameList(oldIPs, spec.clusterIPs ?? [])) spec.clusterIPs = [spec.clusterIP ?? ''];
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (requireName && !sp.name) errs.push(required(path.child('name'), ''));
  else if (sp.name) {
    errs.push(...validateDNS1123Label(sp.name, path.child('name')));
    if (names.has(sp.name)) errs.push(duplicate(path.child('name'), sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(path.child('port'), sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(path.child('protocol'), ''));
  else if (!supportedPortProtocols.includes(sp.protocol)) errs.push(notSupported(path.child('protocol'), sp.protocol, supportedPortProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) errs.push(...validateQualifiedName(sp.appProtocol, path.child('appProtocol')));
  return errs;
}

function validateClusterIPsRelatedFields(svc: Service): ErrorList {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: ErrorList = [];
  const specPath = Path.root('spec');
  const ipsPath = specPath.child('clusterIPs');
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (!ips.length) errs.push(required(ipsPath, ''));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid(ipsPath, ips, 'first value must match `clusterIP`'));
  } else if (ips.length) errs.push(invalid(ipsPath, ips, 'must be empty when `clusterIP` is not specified'));
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(specPath.child('ipFamilies').at(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(specPath.child('ipFamilies').at(i), f));
    seen.add(f);
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !policies.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(specPath.child('ipFamilyPolicy'), spec.ipFamilyPolicy, policies));
  }
  let bad = false;
  ips.forEach((x, i) => {
    if (i === 0 && x === 'None') {
      if (ips.length > 1) {
        bad = true;
        errs.push(invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const e = ipErrs(x, ipsPath.at(i));
    if (e.length) bad = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ips, 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && ips.filter(isIPv6).length !== 1) errs.push(invalid(ipsPath, ips, 'may specify no more than one IP for each IP family'));
  const fams = spec.ipFamilies ?? [];
  if (!isHeadlessService(svc) && ips.length && fams.length) {
    ips.forEach((x, i) => {
      if (i > fams.length - 1) return;
      if (fams[i] === 'IPv4' && isIPv6(x)) errs.push(invalid(ipsPath.at(i), x, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !isIPv6(x)) errs.push(invalid(ipsPath.at(i), x, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** ValidateNonSpecialIP */
export function validateNonSpecialIP(addr: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  const v = addr.toLowerCase();
  if (v === '0.0.0.0' || v === '::') errs.push(invalid(path, addr, `may not be unspecified (${addr})`));
  if (v.startsWith('127.') || v === '::1') errs.push(invalid(path, addr, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (v.startsWith('169.254.') || /^fe[89ab]/.test(v)) errs.push(invalid(path, addr, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (v.startsWith('224.0.0.') || v.startsWith('ff02:')) errs.push(invalid(path, addr, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** ValidateService (metadata excluded). */
export function validateService(svc: Service): ErrorList {
  const errs: ErrorList = [];
  const spec = svc.spec ?? {};
  const ann = svc.metadata?.annotations ?? {};
  if (TOPOLOGY_MODE in ann && TOPOLOGY_HINTS in ann && ann[TOPOLOGY_MODE] !== ann[TOPOLOGY_HINTS]) {
    errs.push(invalid(Path.root('metadata', 'annotations').key(TOPOLOGY_MODE), ann[TOPOLOGY_MODE], `must match annotations[${TOPOLOGY_HINTS}] when both are specified`));
  }
  const specPath = Path.root('spec');
  const ports = spec.ports ?? [];
  const headless = isHeadlessService(svc);
  if (!ports.length && !headless && spec.type !== 'ExternalName') errs.push(required(specPath.child('ports'), ''));
  switch (spec.type) {
    case 'LoadBalancer':
      if (headless) errs.push(invalid(specPath.child('clusterIPs').at(0), spec.clusterIPs![0], "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalid(specPath.child('clusterIPs').at(0), spec.clusterIPs![0], "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs ?? []).length) errs.push(forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      if ((spec.ipFamilies ?? []).length) errs.push(forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...validateDNS1123Subdomain(cname, specPath.child('externalName')));
      else errs.push(required(specPath.child('externalName'), ''));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, specPath.child('ports').at(i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  const sa = spec.sessionAffinity;
  if (!sa) errs.push(required(specPath.child('sessionAffinity'), ''));
  else if (sa !== 'ClientIP' && sa !== 'None') errs.push(notSupported(specPath.child('sessionAffinity'), sa, ['ClientIP', 'None']));
  const sacPath = specPath.child('sessionAffinityConfig');
  if (sa === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    if (!cfg) errs.push(required(sacPath, 'when session affinity type is ClientIP'));
    else if (!cfg.clientIP) errs.push(required(sacPath.child('clientIP'), 'when session affinity type is ClientIP'));
    else if (cfg.clientIP.timeoutSeconds === undefined || cfg.clientIP.timeoutSeconds === null) {
      errs.push(required(sacPath.child('clientIP', 'timeoutSeconds'), 'when session affinity type is ClientIP'));
    } else {
      const t = cfg.clientIP.timeoutSeconds;
      if (t <= 0 || t > 86400) errs.push(invalid(sacPath.child('clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400'));
    }
  } else if (sa === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(sacPath, 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(svc));
  (spec.externalIPs ?? []).forEach((x, i) => {
    const p = specPath.child('externalIPs').at(i);
    const e = ipErrs(x, p);
    errs.push(...(e.length ? e : validateNonSpecialIP(x, p)));
  });
  if (!spec.type) errs.push(required(specPath.child('type'), ''));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported(specPath.child('type'), spec.type, serviceTypes));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(specPath.child('ports').at(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol ?? ''}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(specPath.child('ports').at(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port ?? 0}`;
    // Upstream prints the Go ServicePort struct; we show its two keyed fields.
    if (portKeys.has(key)) errs.push(duplicate(specPath.child('ports').at(i), { port: p.port ?? 0, protocol: p.protocol ?? '' }));
    portKeys.add(key);
  });
  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length) {
    const fp = specPath.child('LoadBalancerSourceRanges');
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...cidrErrs(r.trim(), fp.at(i))));
  } else if (SOURCE_RANGES_ANNOTATION in ann) {
    const fp = Path.root('metadata', 'annotations').key(SOURCE_RANGES_ANNOTATION);
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    const val = ann[SOURCE_RANGES_ANNOTATION]!.trim();
    if (val) for (const c of val.split(',')) errs.push(...cidrErrs(c.trim(), fp));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer') {
    errs.push(forbidden(specPath.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    errs.push(required('allocateLoadBalancerNodePorts', ''));
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) errs.push(...validateQualifiedName(spec.loadBalancerClass, specPath.child('loadBalancerClass')));
  } else if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    errs.push(forbidden(specPath.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
  }
  // external traffic policy
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) errs.push(invalid(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) errs.push(required(specPath.child('externalTrafficPolicy'), ''));
  else if (spec.externalTrafficPolicy !== 'Cluster' && spec.externalTrafficPolicy !== 'Local') {
    errs.push(notSupported(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (!needsHealthCheck(spec)) {
    if (spec.healthCheckNodePort) {
      errs.push(invalid(specPath.child('healthCheckNodePort'), spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (!spec.healthCheckNodePort) errs.push(required(specPath.child('healthCheckNodePort'), ''));
  else errs.push(...isValidPortNum(spec.healthCheckNodePort).map((m) => invalid(specPath.child('healthCheckNodePort'), spec.healthCheckNodePort, m)));
  // internal traffic policy
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') errs.push(required(specPath.child('internalTrafficPolicy'), ''));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported(specPath.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported(specPath.child('trafficDistribution'), spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): ErrorList {
  const errs: ErrorList = [];
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs;
  if (isHeadlessService(old) && isHeadlessService(svc)) return errs;
  const o = old.spec?.clusterIPs ?? [];
  const n = svc.spec?.clusterIPs ?? [];
  const p = Path.root('spec', 'clusterIPs');
  if (o.length === n.length) {
    o.forEach((x, i) => {
      if (x !== n[i]) errs.push(invalid(p.at(i), n, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (!n.length) errs.push(invalid(p.at(0), n, 'primary clusterIP can not be unset'));
    if (o.length && n.length && n[0] !== o[0]) errs.push(invalid(p.at(0), n, 'may not change once set'));
    if (n.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(Path.root('spec', 'ipFamilyPolicy'), svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length && n[0] !== o[0]) errs.push(invalid(p.at(0), n, 'may not change once set'));
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): ErrorList {
  const errs: ErrorList = [];
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs;
  if (isHeadlessService(old) !== isHeadlessService(svc) || isHeadlessService(svc)) return errs;
  const o = old.spec?.ipFamilies ?? [];
  const n = svc.spec?.ipFamilies ?? [];
  const p = Path.root('spec', 'ipFamilies').at(0);
  const ips = svc.spec?.clusterIPs ?? [];
  if (o.length === n.length) {
    o.forEach((f, i) => {
      if (f !== n[i]) errs.push(invalid(p, n, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (!ips.length) errs.push(invalid(p, n, 'primary ipFamily can not be unset'));
    if (n.length && n[0] !== o[0]) errs.push(invalid(p, ips, 'may not change once set'));
    if (n.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(Path.root('spec', 'ipFamilyPolicy'), svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (o.length && n.length && n[0] !== o[0]) errs.push(invalid(p, ips, 'may not change once set'));
  return errs;
}

/** ValidateServiceUpdate (metadata excluded). */
export function validateServiceUpdate(svc: Service, old: Service): ErrorList {
  const errs = [...validateUpgradeDowngradeClusterIPs(old, svc), ...validateUpgradeDowngradeIPFamilies(old, svc)];
  if (old.spec?.type === 'LoadBalancer' && svc.spec?.type === 'LoadBalancer' && (old.spec.loadBalancerClass ?? null) !== (svc.spec.loadBalancerClass ?? null)) {
    errs.push(invalid(Path.root('spec', 'loadBalancerClass'), svc.spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(old.spec) && needsHealthCheck(svc.spec) && old.spec?.healthCheckNodePort !== svc.spec?.healthCheckNodePort) {
    errs.push(forbidden(Path.root('spec', 'healthCheckNodePort'), 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

/** ValidateServiceStatusUpdate (metadata excluded): the load balancer status. */
export function validateServiceStatusUpdate(svc: Service, _old: Service): ErrorList {
  const errs: ErrorList = [];
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const ip = Path.root('status', 'loadBalancer', 'ingress');
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length) return [forbidden(ip, "may only be used when `spec.type` is 'LoadBalancer'")];
  ingress.forEach((ing, i) => {
    const p = ip.at(i);
    if (ing.ip) errs.push(...ipErrs(ing.ip, p.child('ip')));
    if (!ing.ipMode) {
      if (ing.ip) errs.push(required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) errs.push(forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    else if (ing.ipMode !== 'Proxy' && ing.ipMode !== 'VIP') errs.push(notSupported(p.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    if (ing.hostname) {
      errs.push(...validateDNS1123Subdomain(ing.hostname, p.child('hostname')));
      if (isValidIP(ing.hostname).length === 0) errs.push(invalid(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
