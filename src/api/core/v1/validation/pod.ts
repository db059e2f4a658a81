// Pod, PodSpec and PodTemplateSpec validation (upstream pkg/apis/core/validation: ValidatePodSpec,
// validateContainers, ValidatePodCreate/Update/StatusUpdate, ValidatePodTemplateSpec...). The
// PodSpec/template functions are reused by apps and batch.

import type {
  Affinity,
  Container,
  ContainerPort,
  EnvFromSource,
  EnvVar,
  HTTPGetAction,
  Lifecycle,
  LifecycleHandler,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  PodSecurityContext,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ResourceRequirements,
  SecurityContext,
  Toleration,
  Volume,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { type ErrorList, FieldError, Path, duplicate, forbidden, invalid, notFound, notSupported, required } from '../../../../machinery/field.js';
import {
  isConfigMapKey,
  isEnvVarName,
  isHTTPHeaderName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateAnnotations,
  validateLabels,
  validateNonnegativeField,
} from '../../../../machinery/validation.js';
import { validateLabelSelector } from '../../../../machinery/labels.js';
import {
  diffPaths,
  inclusiveRangeError,
  isHugePageResourceName,
  isOvercommitAllowed,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  semanticEqual,
  validateContainerResourceName,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateImmutableField,
  validateLabelName,
  validateQualifiedName,
  validateResourceList,
} from './common.js';
import {
  type PodValidationOptions,
  validateContainerResourceFieldSelector,
  validateLocalDescendingPath,
  validateObjectFieldSelector,
  validatePullPolicy,
  validateVolumes,
  validEnvDownwardAPIFieldPaths,
} from './volumes.js';

export type { PodValidationOptions } from './volumes.js';

// Fields newer than the kubernetes-types release in use (1.30).
type ClaimRef = { name: string; request?: string };
type PodSecurityContext132 = PodSecurityContext & { supplementalGroupsPolicy?: string; seLinuxChangePolicy?: string };
type PodResourceClaim132 = { name: string; resourceClaimName?: string; resourceClaimTemplateName?: string };

const MAX_INT32 = 2147483647;
const ip = (v: string, path: Path): ErrorList => isValidIP(v).map((m) => invalid(path, v, m));

// ---- ports, env ----

const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const idx = path.at(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(idx.child('name'), port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(idx.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(idx.child('containerPort'), ''));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(idx.child('containerPort'), port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(idx.child('hostPort'), port.hostPort, m)));
    if (!port.protocol) errs.push(required(idx.child('protocol'), ''));
    else if (!supportedPortProtocols.includes(port.protocol)) errs.push(notSupported(idx.child('protocol'), port.protocol, supportedPortProtocols));
  });
  return errs;
}

function validateKeySelector(s: { name?: string; key?: string }, path: Path): ErrorList {
  const errs: ErrorList = nameIsDNSSubdomain(s.name ?? '').map((m) => invalid(path.child('name'), s.name ?? '', m));
  if (!s.key) errs.push(required(path.child('key'), ''));
  else errs.push(...isConfigMapKey(s.key).map((m) => invalid(path.child('key'), s.key, m)));
  return errs;
}

function validateEnvVarValueFrom(ev: EnvVar, path: Path): ErrorList {
  const vf = ev.valueFrom;
  if (!vf) return [];
  const errs: ErrorList = [];
  let n = 0;
  if (vf.fieldRef) {
    n++;
    errs.push(...validateObjectFieldSelector(vf.fieldRef, validEnvDownwardAPIFieldPaths, path.child('fieldRef')));
  }
  if (vf.resourceFieldRef) {
    n++;
    errs.push(...validateContainerResourceFieldSelector(vf.resourceFieldRef, path.child('resourceFieldRef'), false));
  }
  if (vf.configMapKeyRef) {
    n++;
    errs.push(...validateKeySelector(vf.configMapKeyRef, path.child('configMapKeyRef')));
  }
  if (vf.secretKeyRef) {
    n++;
    errs.push(...validateKeySelector(vf.secretKeyRef, path.child('secretKeyRef')));
  }
  if (n === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (ev.value) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

/** ValidateEnv */
export function validateEnv(vars: readonly EnvVar[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  (vars ?? []).forEach((ev, i) => {
    const idx = path.at(i);
    if (!ev.name) errs.push(required(idx.child('name'), ''));
    else errs.push(...isEnvVarName(ev.name).map((m) => invalid(idx.child('name'), ev.name, m)));
    errs.push(...validateEnvVarValueFrom(ev, idx.child('valueFrom')));
  });
  return errs;
}

function validateEnvFrom(vars: readonly EnvFromSource[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  (vars ?? []).forEach((ev, i) => {
    const idx = path.at(i);
    if (ev.prefix) errs.push(...isEnvVarName(ev.prefix).map((m) => invalid(idx.child('prefix'), ev.prefix, m)));
    let n = 0;
    for (const [key, ref] of [['configMapRef', ev.configMapRef], ['secretRef', ev.secretRef]] as const) {
      if (!ref) continue;
      n++;
      if (!ref.name) errs.push(required(idx.child(key, 'name'), ''));
      else errs.push(...nameIsDNSSubdomain(ref.name, true).map((m) => invalid(idx.child(key, 'name'), ref.name, m)));
    }
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

// ---- mounts ----

function validateVolumeMounts(c: Container, volumes: Map<string, Volume>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const mountpoints = new Set<string>();
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath] as const));
  const devicePaths = new Set(devices.values());
  (c.volumeMounts ?? []).forEach((m, i) => {
    const idx = path.at(i);
    if (!m.name) errs.push(required(idx.child('name'), ''));
    if (!volumes.has(m.name)) errs.push(notFound(idx.child('name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(idx.child('mountPath'), ''));
    if (mountpoints.has(m.mountPath)) errs.push(invalid(idx.child('mountPath'), m.mountPath, 'must be unique'));
    mountpoints.add(m.mountPath);
    if (devices.has(m.name)) errs.push(invalid(idx.child('name'), m.name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(m.mountPath)) errs.push(invalid(idx.child('mountPath'), m.mountPath, 'must not already exist as a path in volumeDevices'));
    const vol = volumes.get(m.name);
    if ((vol as { image?: unknown } | undefined)?.image) {
      if (m.subPath) errs.push(invalid(idx.child('subPath'), m.subPath, 'not allowed in image volume sources'));
      if (m.subPathExpr) errs.push(invalid(idx.child('subPathExpr'), m.subPathExpr, 'not allowed in image volume sources'));
    }
    // Upstream reports subPath problems against the list path, not the item.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(idx.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, path.child('subPathExpr')));
    }
    if (m.mountPropagation) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      const pp = path.child('mountPropagation');
      if (!supported.includes(m.mountPropagation)) errs.push(notSupported(pp, m.mountPropagation, supported));
      if (m.mountPropagation === 'Bidirectional' && !c.securityContext?.privileged) {
        errs.push(forbidden(pp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    if (m.recursiveReadOnly) {
      const rp = path.child('recursiveReadOnly');
      if (m.recursiveReadOnly === 'Enabled' || m.recursiveReadOnly === 'IfPossible') {
        if (!m.readOnly) errs.push(forbidden(rp, 'may only be specified when readOnly is true'));
        if (m.mountPropagation && m.mountPropagation !== 'None') errs.push(forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
      } else if (m.recursiveReadOnly !== 'Disabled') errs.push(notSupported(rp, m.recursiveReadOnly, ['Disabled', 'Enabled', 'IfPossible']));
    }
  });
  return errs;
}

function validateVolumeDevices(c: Container, volumes: Map<string, Volume>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.name, m.mountPath] as const));
  const mountPaths = new Set(mounts.values());
  const paths = new Set<string>();
  const names = new Set<string>();
  (c.volumeDevices ?? []).forEach((d, i) => {
    const idx = path.at(i);
    const vol = volumes.get(d.name);
    if (!d.name) errs.push(required(idx.child('name'), ''));
    if (names.has(d.name)) errs.push(invalid(idx.child('name'), d.name, 'must be unique'));
    if (vol && !vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(invalid(idx.child('name'), d.name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(notFound(idx.child('name'), d.name ?? ''));
    if (!d.devicePath) errs.push(required(idx.child('devicePath'), ''));
    if (paths.has(d.devicePath)) errs.push(invalid(idx.child('devicePath'), d.devicePath, 'must be unique'));
    if (d.devicePath && d.devicePath.split('/').includes('..')) errs.push(invalid(idx.child('devicePath'), d.devicePath, "can not contain backsteps ('..')"));
    else paths.add(d.devicePath);
    if (mounts.has(d.name)) errs.push(invalid(idx.child('name'), d.name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(d.devicePath)) errs.push(invalid(idx.child('devicePath'), d.devicePath, 'must not already exist as a path in volumeMounts'));
    if (d.name) names.add(d.name);
  });
  return errs;
}

// ---- probes, handlers ----

/** ValidatePortNumOrName for an int-or-string port. */
export function validatePortNumOrName(port: number | string | undefined, path: Path): ErrorList {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') {
    // A numeric string in an IntOrString field decodes as a string.
    return isValidPortName(port).map((m) => invalid(path, port, m));
  }
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

function validateHTTPGetAction(h: HTTPGetAction, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!h.path) errs.push(required(path.child('path'), ''));
  errs.push(...validatePortNumOrName(h.port, path.child('port')));
  if (h.scheme !== 'HTTP' && h.scheme !== 'HTTPS') errs.push(notSupported(path.child('scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
  for (const hdr of h.httpHeaders ?? []) errs.push(...isHTTPHeaderName(hdr.name ?? '').map((m) => invalid(path.child('httpHeaders'), hdr.name, m)));
  return errs;
}

interface CommonHandler {
  exec?: { command?: string[] };
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: number | string };
  grpc?: { port: number };
  sleep?: { seconds: number };
}

function validateHandler(h: CommonHandler, gracePeriod: number | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  let n = 0;
  const one = (key: keyof CommonHandler, check: () => ErrorList): void => {
    if (!h[key]) return;
    if (n > 0) {
      errs.push(forbidden(path.child(key), 'may not specify more than 1 handler type'));
      return;
    }
    n++;
    errs.push(...check());
  };
  one('exec', () => (h.exec?.command?.length ? [] : [required(path.child('exec', 'command'), '')]));
  one('httpGet', () => validateHTTPGetAction(h.httpGet!, path.child('httpGet')));
  one('tcpSocket', () => validatePortNumOrName(h.tcpSocket!.port, path.child('tcpSocket', 'port')));
  one('grpc', () => validatePortNumOrName(h.grpc!.port ?? 0, path.child('grpc', 'port')));
  one('sleep', () => {
    const s = h.sleep!.seconds ?? 0;
    if (gracePeriod !== undefined && (s <= 0 || s > gracePeriod)) {
      return [
        invalid(
          path.child('sleep'),
          s,
          `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
        ),
      ];
    }
    return [];
  });
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(p: Probe | undefined, gracePeriod: number | undefined, path: Path): ErrorList {
  if (!p) return [];
  const errs = validateHandler({ exec: p.exec, httpGet: p.httpGet, tcpSocket: p.tcpSocket, grpc: p.grpc }, gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegativeField(p[f] ?? 0, path.child(f)));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds !== null && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateLivenessOrStartup(p: Probe | undefined, gp: number | undefined, path: Path): ErrorList {
  if (!p) return [];
  const errs = validateProbe(p, gp, path);
  if ((p.successThreshold ?? 0) !== 1) errs.push(invalid(path.child('successThreshold'), p.successThreshold ?? 0, 'must be 1'));
  return errs;
}

function validateReadinessProbe(p: Probe | undefined, gp: number | undefined, path: Path): ErrorList {
  if (!p) return [];
  const errs = validateProbe(p, gp, path);
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds !== null) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycle(l: Lifecycle, gp: number | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const h = (x: LifecycleHandler): CommonHandler => ({ exec: x.exec, httpGet: x.httpGet, tcpSocket: x.tcpSocket, sleep: x.sleep });
  if (l.postStart) errs.push(...validateHandler(h(l.postStart), gp, path.child('postStart')));
  if (l.preStop) errs.push(...validateHandler(h(l.preStop), gp, path.child('preStop')));
  return errs;
}

// ---- resources ----

/** ValidateContainerResourceRequirements (without hugepage divisibility). */
export function validateResourceRequirements(r: ResourceRequirements | undefined, claimNames: Set<string>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = validateResourceList(r?.limits, limPath, validateContainerResourceName, errs);
  const requests = validateResourceList(r?.requests, reqPath, validateContainerResourceName, errs);
  const cpuMem = (m: Map<string, unknown>): boolean => m.has('cpu') || m.has('memory');
  const huge = (m: Map<string, unknown>): boolean => [...m.keys()].some(isHugePageResourceName);
  for (const [name, q] of requests) {
    const lim = limits.get(name);
    if (lim) {
      if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!isOvercommitAllowed(name) && !(r?.limits && name in r.limits)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (!cpuMem(limits) && !cpuMem(requests) && (huge(limits) || huge(requests))) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  ((r?.claims ?? []) as ClaimRef[]).forEach((c, i) => {
    const p = path.child('claims').at(i);
    if (!c.name) {
      errs.push(required(p, ''));
      return;
    }
    const key = c.request ? `${c.name}/${c.request}` : c.name;
    if (seen.has(c.name) || seen.has(key)) errs.push(duplicate(p, key));
    if (c.request) errs.push(...validateDNS1123Label(c.request, p.child('request')));
    seen.add(key);
    if (!claimNames.has(c.name)) {
      const detail =
        'must be one of the names in pod.spec.resourceClaims' + (claimNames.size ? ': ' + [...claimNames].sort().join(', ') : ' which is empty');
      errs.push(new FieldError('FieldValueNotFound', p.toString(), c.name, detail));
    }
  });
  return errs;
}

// ---- security context ----

function validateID(v: number | undefined, path: Path, what: 'user' | 'group'): ErrorList {
  if (v === undefined || v === null) return [];
  return v < 0 || v > MAX_INT32 ? [invalid(path, v, inclusiveRangeError(0, MAX_INT32))] : [];
  void what;
}

function validateSeccompProfile(sp: { type?: string; localhostProfile?: string } | undefined, path: Path): ErrorList {
  if (!sp) return [];
  const errs: ErrorList = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(notSupported(path.child('type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, path.child('localhostProfile')));
  } else if (sp.localhostProfile !== undefined) {
    errs.push(invalid(path.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(p: { type?: string; localhostProfile?: string } | undefined, path: Path): ErrorList {
  if (!p) return [];
  switch (p.type) {
    case 'Localhost':
      if (p.localhostProfile === undefined || p.localhostProfile.trim() === '') {
        if (p.localhostProfile !== undefined && p.localhostProfile !== p.localhostProfile.trim()) {
          return [invalid(path.child('localhostProfile'), p.localhostProfile, 'must not be padded with whitespace')];
        }
        return [required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
      }
      if (p.localhostProfile !== p.localhostProfile.trim()) return [invalid(path.child('localhostProfile'), p.localhostProfile, 'must not be padded with whitespace')];
      return [];
    case 'RuntimeDefault':
    case 'Unconfined':
      return p.localhostProfile !== undefined ? [invalid(path.child('localhostProfile'), p.localhostProfile, 'can only be set when AppArmor type is Localhost')] : [];
    case undefined:
    case '':
      return [required(path.child('type'), 'type is required when appArmorProfile is set')];
    default:
      return [notSupported(path.child('type'), p.type, ['Localhost', 'RuntimeDefault', 'Unconfined'])];
  }
}

/** ValidateSecurityContext (container). Privileged containers are allowed (k8ts runs with --allow-privileged). */
function validateSecurityContext(sc: SecurityContext | undefined, path: Path, hostUsers: boolean): ErrorList {
  if (!sc) return [];
  const errs: ErrorList = [];
  errs.push(...validateID(sc.runAsUser, path.child('runAsUser'), 'user'));
  errs.push(...validateID(sc.runAsGroup, path.child('runAsGroup'), 'group'));
  if (sc.procMount) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') errs.push(notSupported(path.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalid(path.child('procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged) errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) {
      errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  return errs;
}

const sysctlRe = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

function validatePodSecurityContext(sc: PodSecurityContext132 | undefined, spec: PodSpec, path: Path): ErrorList {
  if (!sc) return [];
  const errs: ErrorList = [];
  errs.push(...validateID(sc.fsGroup, path.child('fsGroup'), 'group'));
  errs.push(...validateID(sc.runAsUser, path.child('runAsUser'), 'user'));
  errs.push(...validateID(sc.runAsGroup, path.child('runAsGroup'), 'group'));
  (sc.supplementalGroups ?? []).forEach((g, i) => errs.push(...validateID(g, path.child('supplementalGroups').at(i), 'group')));
  if (spec.shareProcessNamespace && spec.hostPID) {
    errs.push(invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const names = new Set<string>();
  (sc.sysctls ?? []).forEach((s, i) => {
    const p = path.child('sysctls').at(i).child('name');
    if (!s.name) errs.push(required(p, ''));
    else if (s.name.length > 253 || !sysctlRe.test(s.name)) {
      errs.push(invalid(p, s.name, `must have at most 253 characters and match regex ${sysctlRe.source}`));
    } else if (names.has(s.name)) errs.push(duplicate(p, s.name));
    if (spec.hostNetwork && s.name?.startsWith('net.')) errs.push(invalid(p, s.name, "may not be specified when 'hostNetwork' is true"));
    if (spec.hostIPC && (s.name?.startsWith('kernel.shm') || s.name?.startsWith('kernel.msg') || s.name === 'kernel.sem' || s.name?.startsWith('fs.mqueue.'))) {
      errs.push(invalid(p, s.name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(s.name);
  });
  if (sc.fsGroupChangePolicy && !['Always', 'OnRootMismatch'].includes(sc.fsGroupChangePolicy)) {
    errs.push(notSupported(path.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  if (sc.supplementalGroupsPolicy && !['Merge', 'Strict'].includes(sc.supplementalGroupsPolicy)) {
    errs.push(notSupported(path.child('supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  }
  if (sc.seLinuxChangePolicy && !['MountOption', 'Recursive'].includes(sc.seLinuxChangePolicy)) {
    errs.push(notSupported(path.child('seLinuxChangePolicy'), sc.seLinuxChangePolicy, ['MountOption', 'Recursive']));
  }
  return errs;
}

// ---- containers ----

interface ContainerCtx {
  volumes: Map<string, Volume>;
  claimNames: Set<string>;
  gracePeriod: number | undefined;
  restartPolicy: string | undefined;
  hostUsers: boolean;
}

function validateContainerCommon(c: Container, ctx: ContainerCtx, path: Path): ErrorList {
  const errs: ErrorList = [];
  const namePath = path.child('name');
  if (!c.name) errs.push(required(namePath, ''));
  else errs.push(...validateDNS1123Label(c.name, namePath));
  if (!c.image) errs.push(required(path.child('image'), ''));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(path.child('terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c, ctx.volumes, path.child('volumeMounts')));
  errs.push(...validateVolumeDevices(c, ctx.volumes, path.child('volumeDevices')));
  errs.push(...validatePullPolicy(c.imagePullPolicy, path.child('imagePullPolicy')));
  errs.push(...validateResourceRequirements(c.resources, ctx.claimNames, path.child('resources')));
  errs.push(...validateResizePolicy(c, ctx.restartPolicy, path.child('resizePolicy')));
  errs.push(...validateSecurityContext(c.securityContext, path.child('securityContext'), ctx.hostUsers));
  return errs;
}

function validateResizePolicy(c: Container, restartPolicy: string | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  (c.resizePolicy ?? []).forEach((p, i) => {
    if (seen.has(p.resourceName)) errs.push(duplicate(path.at(i), p.resourceName));
    seen.add(p.resourceName);
    if (!p.resourceName) errs.push(required(path, ''));
    else if (p.resourceName !== 'cpu' && p.resourceName !== 'memory') errs.push(notSupported(path, p.resourceName, ['cpu', 'memory']));
    if (!p.restartPolicy) errs.push(required(path, ''));
    else if (p.restartPolicy !== 'NotRequired' && p.restartPolicy !== 'RestartContainer') {
      errs.push(notSupported(path, p.restartPolicy, ['NotRequired', 'RestartContainer']));
    }
    if (restartPolicy === 'Never' && p.restartPolicy !== 'NotRequired') {
      errs.push(invalid(path, p.restartPolicy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}

function checkHostPortConflicts(containers: readonly Container[], path: Path): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.at(ci).child('ports').at(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: readonly Container[] | undefined, ctx: ContainerCtx, path: Path): ErrorList {
  if (!containers?.length) return [required(path, '')];
  const errs: ErrorList = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.at(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else names.add(c.name);
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, p.child('lifecycle')));
    errs.push(...validateLivenessOrStartup(c.livenessProbe, ctx.gracePeriod, p.child('livenessProbe')));
    errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, p.child('readinessProbe')));
    errs.push(...validateLivenessOrStartup(c.startupProbe, ctx.gracePeriod, p.child('startupProbe')));
    if (c.restartPolicy) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

function validateInitContainers(init: readonly Container[] | undefined, regular: readonly Container[] | undefined, ctx: ContainerCtx, path: Path): ErrorList {
  const errs: ErrorList = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (init ?? []).forEach((c, i) => {
    const p = path.at(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    let restartAlways = false;
    if (c.restartPolicy) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(p.child('restartPolicy'), c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], path));
    if (restartAlways) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, p.child('lifecycle')));
      errs.push(...validateLivenessOrStartup(c.livenessProbe, ctx.gracePeriod, p.child('livenessProbe')));
      errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, p.child('readinessProbe')));
      errs.push(...validateLivenessOrStartup(c.startupProbe, ctx.gracePeriod, p.child('startupProbe')));
    } else {
      const msg = 'may not be set for init containers without restartPolicy=Always';
      if (c.lifecycle) errs.push(forbidden(p.child('lifecycle'), msg));
      if (c.livenessProbe) errs.push(forbidden(p.child('livenessProbe'), msg));
      if (c.readinessProbe) errs.push(forbidden(p.child('readinessProbe'), msg));
      if (c.startupProbe) errs.push(forbidden(p.child('startupProbe'), msg));
    }
    if (c.resizePolicy?.length) errs.push(invalid(p.child('resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

const allowedEphemeralFields = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName',
]);

function validateEphemeralContainers(spec: PodSpec, ctx: ContainerCtx, path: Path): ErrorList {
  const ecs = spec.ephemeralContainers ?? [];
  if (!ecs.length) return [];
  const errs: ErrorList = [];
  const other = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const all = new Set(other);
  ecs.forEach((ec, i) => {
    const p = path.at(i);
    errs.push(...validateContainerCommon(ec as Container, ctx, p));
    errs.push(...validateContainerOnlyForPod(ec as Container, p));
    if (all.has(ec.name)) errs.push(duplicate(p.child('name'), ec.name));
    else all.add(ec.name);
    if (ec.targetContainerName && !other.has(ec.targetContainerName)) errs.push(notFound(p.child('targetContainerName'), ec.targetContainerName));
    for (const [k, v] of Object.entries(ec)) {
      if (allowedEphemeralFields.has(k) || semanticEqual(v, undefined)) continue;
      if (k === 'resources') continue; // defaulted to {} on the wire; upstream compares the zero value
      errs.push(forbidden(p.child(k), 'cannot be set for an Ephemeral Container'));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      if (vm.subPath) errs.push(forbidden(p.child('volumeMounts').at(j).child('subPath'), 'cannot be set for an Ephemeral Container'));
      if (vm.subPathExpr) errs.push(forbidden(p.child('volumeMounts').at(j).child('subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

function validateContainerOnlyForPod(c: Container, path: Path): ErrorList {
  return c.image && c.image.length !== c.image.trim().length ? [invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace')] : [];
}

// ---- scheduling ----

function validateTaintEffect(effect: string, allowEmpty: boolean, path: Path): ErrorList {
  if (!allowEmpty && !effect) return [required(path, '')];
  const valid = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  return valid.includes(effect) ? [] : [notSupported(path, effect, valid)];
}
export { validateTaintEffect };

/** ValidateTolerations */
export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  (tolerations ?? []).forEach((t, i) => {
    const idx = path.at(i);
    if (t.key) errs.push(...validateLabelName(t.key, idx.child('key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(idx.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(idx.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(idx.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(idx.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(idx.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, idx.child('effect')));
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: NodeSelectorRequirement, allowInvalidValue: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  const values = rq.values ?? [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (!values.length) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(rq.key ?? '', path.child('key')));
  if (!allowInvalidValue) values.forEach((v, i) => errs.push(...isValidLabelValue(v).map((m) => invalid(path.child('values').at(i), v, m))));
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: NodeSelectorRequirement, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if ((rq.values ?? []).length !== 1) errs.push(required(path.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(invalid(path.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  if (rq.key !== 'metadata.name') errs.push(invalid(path.child('key'), rq.key ?? '', 'not a valid field selector key'));
  else (rq.values ?? []).forEach((v, i) => errs.push(...nameIsDNSSubdomain(v).map((m) => invalid(path.child('values').at(i), v, m))));
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, allowInvalidValue: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  (term.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, allowInvalidValue, path.child('matchExpressions').at(j))));
  (term.matchFields ?? []).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(r, path.child('matchFields').at(j))));
  return errs;
}

/** ValidateNodeSelector */
export function validateNodeSelector(ns: NodeSelector, path: Path): ErrorList {
  const termPath = path.child('nodeSelectorTerms');
  if (!ns.nodeSelectorTerms?.length) return [required(termPath, 'must have at least one node selector term')];
  return ns.nodeSelectorTerms.flatMap((t, i) => validateNodeSelectorTerm(t, false, termPath.at(i)));
}

function validateLabelKeys(path: Path, keys: readonly string[] | undefined, sel: LabelSelector | undefined): ErrorList {
  if (!keys?.length) return [];
  if (!sel) return [forbidden(path, 'must not be specified when labelSelector is not set')];
  return keys.flatMap((k, i) => validateLabelName(k, path.at(i)));
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (t.labelSelector) errs.push(...validateLabelSelector(t.labelSelector, path.child('labelSelector')));
  if (t.namespaceSelector) errs.push(...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector')));
  for (const ns of t.namespaces ?? []) errs.push(...nameIsDNSLabel(ns).map((m) => invalid(path.child('namespace'), ns, m)));
  errs.push(...validateLabelKeys(path.child('matchLabelKeys'), t.matchLabelKeys, t.labelSelector));
  errs.push(...validateLabelKeys(path.child('mismatchLabelKeys'), t.mismatchLabelKeys, t.labelSelector));
  const mismatch = new Set(t.mismatchLabelKeys ?? []);
  (t.matchLabelKeys ?? []).forEach((k, i) => {
    if (mismatch.has(k)) errs.push(invalid(path.child('matchLabelKeys').at(i), k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  if (!t.topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(t.topologyKey ?? '', path.child('topologyKey')));
  return errs;
}

function validateWeightedTerms(terms: readonly WeightedPodAffinityTerm[], path: Path): ErrorList {
  return terms.flatMap((wt, j) => {
    const errs: ErrorList = [];
    if (!(wt.weight > 0 && wt.weight <= 100)) errs.push(invalid(path.at(j).child('weight'), wt.weight ?? 0, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(wt.podAffinityTerm ?? ({} as PodAffinityTerm), path.at(j).child('podAffinityTerm')));
    return errs;
  });
}

/** validateAffinity */
export function validateAffinity(a: Affinity | undefined, path: Path): ErrorList {
  if (!a) return [];
  const errs: ErrorList = [];
  const na = a.nodeAffinity;
  if (na) {
    const p = path.child('nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, p.child('requiredDuringSchedulingIgnoredDuringExecution')));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').at(i);
      if (!(t.weight > 0 && t.weight <= 100)) errs.push(invalid(tp.child('weight'), t.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, true, tp.child('preference')));
    });
  }
  for (const key of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[key];
    if (!pa) continue;
    const p = path.child(key);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, p.child('requiredDuringSchedulingIgnoredDuringExecution').at(i))),
    );
    errs.push(...validateWeightedTerms(pa.preferredDuringSchedulingIgnoredDuringExecution ?? [], p.child('preferredDuringSchedulingIgnoredDuringExecution')));
  }
  return errs;
}

function validateTopologySpreadConstraints(cs: readonly TopologySpreadConstraint[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const list = cs ?? [];
  list.forEach((c, i) => {
    const p = path.at(i);
    if (!(c.maxSkew > 0)) errs.push(invalid(p.child('maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`));
      }
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[k];
      if (v && v !== 'Honor' && v !== 'Ignore') errs.push(notSupported(p.child(k), v, ['Honor', 'Ignore']));
    }
    if (c.matchLabelKeys?.length) {
      const sel = c.labelSelector;
      if (!sel) errs.push(forbidden(p.child('matchLabelKeys'), 'must not be specified when labelSelector is not set'));
      const keys = new Set([...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e) => e.key)]);
      c.matchLabelKeys.forEach((k, j) => {
        errs.push(...validateLabelName(k, p.child('matchLabelKeys').at(j)));
        if (keys.has(k)) errs.push(invalid(p.child('matchLabelKeys').at(j), k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    if (c.labelSelector) errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

function validatePodDNSConfig(spec: PodSpec, path: Path): ErrorList {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!cfg.nameservers?.length) return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return [];
  const errs: ErrorList = [];
  const ns = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(invalid(path.child('nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...ip(n, path.child('nameservers').at(i))));
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    if (s === '.') return;
    const t = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...validateDNS1123Subdomain(t.replace(/_/g, 'a'), path.child('searches').at(i)).map((e) => invalid(e.field, t, e.detail)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(required(path.child('options').at(i), 'must not be empty'));
  });
  return errs;
}

// ---- PodSpec ----

export interface PodSpecOptions extends PodValidationOptions {
  /** The pod's metadata, for generic ephemeral volume PVC names; only for real pods. */
  podMeta?: ObjectMeta;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

/** ValidatePodSpec */
export function validatePodSpec(spec: PodSpec, path: Path, opts: PodSpecOptions = {}): ErrorList {
  const errs: ErrorList = [];
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    errs.push(required(path.child('terminationGracePeriodSeconds'), ''));
  }
  const gracePeriod = spec.terminationGracePeriodSeconds ?? undefined;
  const hostUsers = spec.hostUsers !== false;
  const { volumes, errors } = validateVolumes(spec.volumes, opts.podMeta, path.child('volumes'), opts);
  errs.push(...errors);
  const claimNames = new Set<string>();
  ((spec.resourceClaims ?? []) as PodResourceClaim132[]).forEach((c, i) => {
    const p = path.child('resourceClaims').at(i);
    if (!c.name) errs.push(required(p.child('name'), ''));
    else if (claimNames.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else {
      errs.push(...validateDNS1123Label(c.name, p.child('name')));
      claimNames.add(c.name);
    }
    if (c.resourceClaimName && c.resourceClaimTemplateName) {
      errs.push(invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    }
    if (!c.resourceClaimName && !c.resourceClaimTemplateName) errs.push(invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
  });
  const ctx: ContainerCtx = { volumes, claimNames, gracePeriod, restartPolicy: spec.restartPolicy, hostUsers };
  errs.push(...validateContainers(spec.containers, ctx, path.child('containers')));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, path.child('initContainers')));
  errs.push(...validateEphemeralContainers(spec, ctx, path.child('ephemeralContainers')));
  if (spec.hostNetwork) {
    (spec.containers ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        const hp = p.hostPort ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== p.containerPort) {
          errs.push(invalid(path.child('containers').at(i).child('ports').at(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  const rp = spec.restartPolicy;
  if (!rp) errs.push(required(path.child('restartPolicy'), ''));
  else if (!restartPolicies.includes(rp)) errs.push(notSupported(path.child('restartPolicy'), rp, restartPolicies));
  const dp = spec.dnsPolicy;
  if (!dp) errs.push(required(path.child('dnsPolicy'), ''));
  else if (!dnsPolicies.includes(dp)) errs.push(notSupported(path.child('dnsPolicy'), dp, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector ?? {}, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, spec, path.child('securityContext')));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').at(i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validatePodDNSConfig(spec, path.child('dnsConfig')));
  (spec.readinessGates ?? []).forEach((g, i) => errs.push(...validateQualifiedName(g.conditionType ?? '', path.child('readinessGates').at(i).child('conditionType'))));
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    errs.push(...validateQualifiedName(g.name ?? '', path.child('schedulingGates').at(i)));
    if (gates.has(g.name)) errs.push(duplicate(path.child('schedulingGates').at(i), g.name));
    gates.add(g.name);
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  if (spec.hostUsers === false) {
    if (spec.hostNetwork) errs.push(forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID) errs.push(forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC) errs.push(forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  if (spec.serviceAccountName) errs.push(...nameIsDNSSubdomain(spec.serviceAccountName).map((m) => invalid(path.child('serviceAccountName'), spec.serviceAccountName, m)));
  if (spec.nodeName) errs.push(...nameIsDNSSubdomain(spec.nodeName).map((m) => invalid(path.child('nodeName'), spec.nodeName, m)));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > MAX_INT32) errs.push(invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(spec.hostname, path.child('hostname')));
  if (spec.subdomain) errs.push(...validateDNS1123Label(spec.subdomain, path.child('subdomain')));
  if (spec.tolerations?.length) errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  (spec.hostAliases ?? []).forEach((ha, i) => {
    errs.push(...ip(ha.ip ?? '', path.child('hostAliases').at(i).child('ip')));
    (ha.hostnames ?? []).forEach((h, j) => errs.push(...validateDNS1123Subdomain(h, path.child('hostAliases').at(i).child('hostnames').at(j))));
  });
  if (spec.priorityClassName) errs.push(...nameIsDNSSubdomain(spec.priorityClassName).map((m) => invalid(path.child('priorityClassName'), spec.priorityClassName, m)));
  if (spec.runtimeClassName !== undefined && spec.runtimeClassName !== null) {
    errs.push(...nameIsDNSSubdomain(spec.runtimeClassName).map((m) => invalid(path.child('runtimeClassName'), spec.runtimeClassName, m)));
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    const pp = spec.preemptionPolicy;
    if (!pp) errs.push(required(path.child('preemptionPolicy'), ''));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(notSupported(path.child('preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  if (spec.overhead) errs.push(...validateResourceRequirements({ limits: spec.overhead }, new Set(), path.child('overhead')));
  if (spec.os) {
    if (!spec.os.name) errs.push(required(path.child('os', 'name'), 'cannot be empty'));
    else if (spec.os.name !== 'linux' && spec.os.name !== 'windows') errs.push(notSupported(path.child('os'), spec.os.name, ['linux', 'windows']));
    else if (spec.os.name === 'linux') {
      if (spec.securityContext?.windowsOptions) errs.push(forbidden(path.child('securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
      visitContainers(spec, path, (c, cp) => {
        if (c.securityContext?.windowsOptions) errs.push(forbidden(cp.child('securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
      });
    }
  }
  return errs;
}

function visitContainers(spec: PodSpec, path: Path, fn: (c: Container, p: Path) => void): void {
  (spec.initContainers ?? []).forEach((c, i) => fn(c, path.child('initContainers').at(i)));
  (spec.containers ?? []).forEach((c, i) => fn(c, path.child('containers').at(i)));
  (spec.ephemeralContainers ?? []).forEach((c, i) => fn(c as Container, path.child('ephemeralContainers').at(i)));
}

// ---- templates ----

/** ValidatePodTemplateSpec: template labels/annotations and its PodSpec. */
export function validatePodTemplateSpec(t: PodTemplateSpec, path: Path, opts: PodValidationOptions = {}): ErrorList {
  const errs: ErrorList = [];
  errs.push(...validateLabels(t.metadata?.labels ?? {}, path.child('labels')));
  errs.push(...validateAnnotations(t.metadata?.annotations ?? {}, path.child('annotations')));
  errs.push(...validatePodSpecificAnnotations(t.metadata?.annotations, t.spec ?? ({} as PodSpec), path.child('annotations')));
  errs.push(...validatePodSpec(t.spec ?? ({} as PodSpec), path.child('spec'), { ...opts, podMeta: undefined }));
  if (t.spec?.ephemeralContainers?.length) errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** Matches a metav1 LabelSelector against labels (matchLabels and matchExpressions). */
export function labelSelectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function selectorEmpty(sel: LabelSelector | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * ValidatePodTemplateSpecForReplicaSet (apps): template required, labels matched by the selector,
 * restartPolicy Always, no activeDeadlineSeconds.
 */
export function validatePodTemplateSpecForReplicaSet(
  t: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
  replicas: number,
  path: Path,
  opts: PodValidationOptions = {},
): ErrorList {
  if (!t) return [required(path, '')];
  const errs: ErrorList = [];
  if (selector && !selectorEmpty(selector) && !labelSelectorMatches(selector, t.metadata?.labels)) {
    errs.push(invalid(path.child('metadata', 'labels'), t.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, path, opts));
  if (replicas > 1) errs.push(...validateReadOnlyPersistentDisks(t.spec, path.child('spec', 'volumes')));
  const rp = t.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp, ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined && t.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** ValidateReadOnlyPersistentDisks: GCE PDs must be read-only when shared by several replicas. */
function validateReadOnlyPersistentDisks(spec: PodSpec | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  (spec?.volumes ?? []).forEach((v, i) => {
    if (v.gcePersistentDisk && !v.gcePersistentDisk.readOnly) {
      errs.push(invalid(path.at(i).child('gcePersistentDisk', 'readOnly'), false, 'must be true for replicated pods > 1; GCE PD can only be mounted on multiple machines if it is read-only'));
    }
  });
  return errs;
}

/** ValidatePodTemplateSpecForRC: like the ReplicaSet variant but with a map selector. */
export function validatePodTemplateSpecForRC(
  t: PodTemplateSpec | undefined,
  selector: Record<string, string> | undefined,
  replicas: number,
  path: Path,
): ErrorList {
  if (!t) return [required(path, '')];
  const errs: ErrorList = [];
  const sel = selector ?? {};
  if (Object.keys(sel).length > 0) {
    const labels = t.metadata?.labels ?? {};
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      errs.push(invalid(path.child('metadata', 'labels'), t.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validatePodTemplateSpec(t, path));
  if (replicas > 1) errs.push(...validateReadOnlyPersistentDisks(t.spec, path.child('spec', 'volumes')));
  const rp = t.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp, ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined && t.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

// ---- Pod ----

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** ValidatePodSpecificAnnotations (mirror pod, deletion cost, seccomp annotations). */
export function validatePodSpecificAnnotations(annotations: Record<string, string> | undefined, spec: PodSpec, path: Path): ErrorList {
  const errs: ErrorList = [];
  const a = annotations ?? {};
  if (MIRROR_POD_ANNOTATION in a && !spec.nodeName) {
    errs.push(invalid(path.key(MIRROR_POD_ANNOTATION), a[MIRROR_POD_ANNOTATION], 'must set spec.nodeName if mirror pod annotation is set'));
  }
  if (POD_DELETION_COST in a) {
    const v = a[POD_DELETION_COST]!;
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v) || n < -2147483648 || n > MAX_INT32) errs.push(invalid(path.key(POD_DELETION_COST), v, 'must be a 32bit integer'));
  }
  for (const [k, v] of Object.entries(a)) {
    if (k === 'seccomp.security.alpha.kubernetes.io/pod' || k.startsWith('container.seccomp.security.alpha.kubernetes.io/')) {
      if (v === 'runtime/default' || v === 'docker/default' || v === 'unconfined') continue;
      if (v.startsWith('localhost/')) errs.push(...validateLocalDescendingPath(v.slice('localhost/'.length), path.child(k)));
      else errs.push(invalid(path.child(k), v, 'must be a valid seccomp profile'));
    }
  }
  return errs;
}

function validatePodMetadataAndSpec(pod: Pod): ErrorList {
  const spec = pod.spec ?? ({} as PodSpec);
  const specPath = Path.root('spec');
  const errs = validatePodSpecificAnnotations(pod.metadata?.annotations, spec, Path.root('metadata', 'annotations'));
  errs.push(...validatePodSpec(spec, specPath, { resourceIsPod: true, podMeta: pod.metadata }));
  if (!spec.serviceAccountName) {
    (spec.volumes ?? []).forEach((v, vi) => {
      (v.projected?.sources ?? []).forEach((s, si) => {
        if (s.serviceAccountToken) {
          errs.push(forbidden(specPath.child('volumes').at(vi).child('projected', 'sources').at(si).child('serviceAccountToken'), 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  (spec.containers ?? []).forEach((c, i) => errs.push(...validateContainerOnlyForPod(c, specPath.child('containers').at(i))));
  (spec.initContainers ?? []).forEach((c, i) => errs.push(...validateContainerOnlyForPod(c, specPath.child('initContainers').at(i))));
  return errs;
}

/** ValidatePodCreate (metadata excluded). */
export function validatePod(pod: Pod): ErrorList {
  const errs = validatePodMetadataAndSpec(pod);
  const specPath = Path.root('spec');
  if (pod.spec?.ephemeralContainers?.length) errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (pod.spec?.nodeName && pod.spec.schedulingGates?.length) {
    errs.push(forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(n: readonly Container[] | undefined, o: readonly Container[] | undefined, path: Path): { errs: ErrorList; stop: boolean } {
  const nn = n ?? [];
  const oo = o ?? [];
  if (nn.length !== oo.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: ErrorList = [];
  nn.forEach((c, i) => {
    if (!c.image) errs.push(required(path.at(i).child('image'), ''));
    if (c.image && c.image.trim().length !== c.image.length) errs.push(invalid(path.at(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** ValidatePodUpdate (metadata excluded): only images, activeDeadlineSeconds, tolerations additions and scheduling gate removals. */
export function validatePodUpdate(pod: Pod, old: Pod): ErrorList {
  const errs = validatePodMetadataAndSpec(pod);
  const a = pod.metadata?.annotations ?? {};
  const oa = old.metadata?.annotations ?? {};
  const annPath = Path.root('metadata', 'annotations');
  if (MIRROR_POD_ANNOTATION in oa && a[MIRROR_POD_ANNOTATION] !== oa[MIRROR_POD_ANNOTATION]) {
    errs.push(forbidden(annPath.key(MIRROR_POD_ANNOTATION), 'may not remove or update mirror pod annotation'));
  }
  if (!(MIRROR_POD_ANNOTATION in oa) && MIRROR_POD_ANNOTATION in a) errs.push(forbidden(annPath.key(MIRROR_POD_ANNOTATION), 'may not add mirror pod annotation'));
  const specPath = Path.root('spec');
  const spec = pod.spec ?? ({} as PodSpec);
  const oldSpec = old.spec ?? ({} as PodSpec);
  let r = validateContainerUpdates(spec.containers, oldSpec.containers, specPath.child('containers'));
  errs.push(...r.errs);
  if (r.stop) return errs;
  r = validateContainerUpdates(spec.initContainers, oldSpec.initContainers, specPath.child('initContainers'));
  errs.push(...r.errs);
  if (r.stop) return errs;
  const nad = spec.activeDeadlineSeconds;
  const oad = oldSpec.activeDeadlineSeconds;
  if (nad !== undefined && nad !== null) {
    if (nad < 0 || nad > MAX_INT32) return [...errs, invalid(specPath.child('activeDeadlineSeconds'), nad, inclusiveRangeError(0, MAX_INT32))];
    if (oad !== undefined && oad !== null && oad < nad) return [...errs, invalid(specPath.child('activeDeadlineSeconds'), nad, 'must be less than or equal to previous value')];
  } else if (oad !== undefined && oad !== null) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  // Tolerations: existing ones may only change tolerationSeconds.
  const newTols = spec.tolerations ?? [];
  for (const ot of oldSpec.tolerations ?? []) {
    if (!newTols.some((nt) => semanticEqual({ ...ot, tolerationSeconds: nt.tolerationSeconds }, nt))) {
      errs.push(forbidden(specPath.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  errs.push(...validateTolerations(newTols, specPath.child('tolerations')));
  const oldGates = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name));
  (spec.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) errs.push(forbidden(specPath.child('schedulingGates').at(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  });
  if (semanticEqual(spec, oldSpec)) return errs;
  const munged: PodSpec = structuredClone(spec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i]!.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers![i]!.image }));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (oldSpec.schedulingGates?.length) {
    // Gated pods may add node selectors and narrow node affinity.
    const ons = oldSpec.nodeSelector ?? {};
    const nns = munged.nodeSelector ?? {};
    if (!semanticEqual(nns, ons)) {
      if (Object.entries(ons).some(([k, v]) => nns[k] !== v)) {
        errs.push(invalid(specPath.child('nodeSelector'), nns, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
      }
      munged.nodeSelector = oldSpec.nodeSelector;
    }
    const ona = oldSpec.affinity?.nodeAffinity;
    const nna = munged.affinity?.nodeAffinity;
    if (!semanticEqual(ona, nna)) {
      if (munged.affinity) munged.affinity = { ...munged.affinity, nodeAffinity: ona };
    }
  }
  if (!semanticEqual(munged, oldSpec)) {
    const diff = diffPaths(oldSpec, munged);
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff.join('\n')}`));
  }
  return errs;
}

/** ValidatePodStatusUpdate (metadata excluded). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): ErrorList {
  const errs: ErrorList = [];
  const status = pod.status ?? {};
  // Upstream reports conditions under metadata (a long-standing quirk).
  const system = new Set(['PodScheduled', 'Ready', 'Initialized']);
  (status.conditions ?? []).forEach((c, i) => {
    if (!system.has(c.type)) errs.push(...validateQualifiedName(c.type ?? '', Path.root('metadata', 'conditions').at(i).child('Type')));
  });
  const sp = Path.root('status');
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(forbidden(sp.child('nodeName'), 'may not be changed directly'));
  const nnn = status.nominatedNodeName ?? '';
  if (nnn && nnn !== (old.status?.nominatedNodeName ?? '')) errs.push(...nameIsDNSSubdomain(nnn).map((m) => invalid(sp.child('nominatedNodeName'), nnn, m)));
  if (old.status?.qosClass) errs.push(...validateImmutableField(status.qosClass ?? '', old.status.qosClass, sp.child('qosClass')));
  const transition = (newS: typeof status.containerStatuses, oldS: typeof status.containerStatuses, path: Path, policy: string, init: boolean): void => {
    if (policy === 'Always') return;
    (oldS ?? []).forEach((os, i) => {
      const term = os.state?.terminated;
      if (!term) return;
      if ((term.exitCode ?? 0) !== 0 && policy === 'OnFailure') return;
      if (init && (old.spec?.initContainers ?? []).some((c) => c.name === os.name && c.restartPolicy === 'Always')) return;
      if ((newS ?? []).some((ns) => ns.name === os.name && !ns.state?.terminated)) {
        errs.push(forbidden(path.at(i).child('state'), 'may not be transitioned to non-terminated state'));
      }
    });
  };
  const policy = old.spec?.restartPolicy ?? 'Always';
  transition(status.containerStatuses, old.status?.containerStatuses, sp.child('containerStatuses'), policy, false);
  transition(status.initContainerStatuses, old.status?.initContainerStatuses, sp.child('initContainerStatuses'), policy, true);
  transition(status.ephemeralContainerStatuses, old.status?.ephemeralContainerStatuses, sp.child('ephemeralContainerStatuses'), 'Never', false);
  const podIPs = status.podIPs ?? [];
  podIPs.forEach((p, i) => errs.push(...ip(p.ip ?? '', sp.child('podIPs').at(i))));
  errs.push(...validateIPList(podIPs.map((p) => p.ip ?? ''), sp.child('podIPs'), podIPs));
  const hostIPs = status.hostIPs ?? [];
  if (hostIPs.length) {
    if ((status.hostIP ?? '') !== hostIPs[0]!.ip) errs.push(invalid(sp.child('hostIPs').at(0).child('ip'), hostIPs[0]!.ip, 'must be equal to `hostIP`'));
    hostIPs.forEach((p, i) => errs.push(...ip(p.ip ?? '', sp.child('hostIPs').at(i))));
    errs.push(...validateIPList(hostIPs.map((p) => p.ip ?? ''), sp.child('hostIPs'), hostIPs));
  }
  return errs;
}

function validateIPList(ips: string[], path: Path, raw: unknown): ErrorList {
  if (ips.length <= 1) return [];
  const errs: ErrorList = [];
  const v6 = ips.filter((x) => x.includes(':')).length;
  if (ips.length > 2 || v6 !== 1) errs.push(invalid(path, raw, 'may specify no more than one IP for each IP family'));
  const seen = new Set<string>();
  ips.forEach((x, i) => {
    if (seen.has(x)) errs.push(duplicate(path.at(i), { ip: x }));
    seen.add(x);
  });
  return errs;
}

/** ValidatePodEphemeralContainersUpdate (metadata excluded). */
export function validatePodEphemeralContainersUpdate(pod: Pod, old: Pod): ErrorList {
  if (MIRROR_POD_ANNOTATION in (old.metadata?.annotations ?? {})) return [forbidden('', 'static pods do not support ephemeral containers')];
  const errs = validatePodMetadataAndSpec(pod);
  const byName = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c] as const));
  const specPath = Path.root('spec', 'ephemeralContainers');
  for (const oc of old.spec?.ephemeralContainers ?? []) {
    const nc = byName.get(oc.name);
    if (!nc) errs.push(forbidden(specPath, `existing ephemeral containers "${oc.name}" may not be removed\n`));
    else if (!semanticEqual(oc, nc)) errs.push(forbidden(specPath, `existing ephemeral containers "${oc.name}" may not be changed\n${diffPaths(oc, nc).join('\n')}`));
  }
  return errs;
}
