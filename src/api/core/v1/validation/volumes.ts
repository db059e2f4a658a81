// Pod volume sources and the PersistentVolumeClaim spec (upstream ValidateVolumes,
// validateVolumeSource and ValidatePersistentVolumeClaimSpec).

import type {
  ConfigMapVolumeSource,
  DownwardAPIVolumeFile,
  KeyToPath,
  ObjectFieldSelector,
  PersistentVolumeClaimSpec,
  ProjectedVolumeSource,
  ResourceFieldSelector,
  SecretVolumeSource,
  Volume,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { type ErrorList, type Path, duplicate, forbidden, invalid, notSupported, required } from '../../../../machinery/field.js';
import { isDNS1123Subdomain, validateAnnotations, validateLabels } from '../../../../machinery/validation.js';
import { validateLabelSelector } from '../../../../machinery/labels.js';
import {
  inclusiveRangeError,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseQuantity,
  quantityAt,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validatePositiveQuantityValue,
  validateQualifiedName,
  validateResourceQuantityValue,
} from './common.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const MORE_THAN_ONE = 'may not specify more than 1 volume type';

export interface PodValidationOptions {
  /** The top-level object is a Pod (not a template embedded in a workload). */
  resourceIsPod?: boolean;
}

// ---- paths ----

/** validatePathNoBacksteps */
export function validatePathNoBacksteps(target: string, path: Path): ErrorList {
  return target.replace(/\\/g, '/').split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath */
export function validateLocalDescendingPath(target: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (target.startsWith('/')) errs.push(invalid(path, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, path));
  return errs;
}

/** ValidateLocalNonReservedPath */
export function validateLocalNonReservedPath(target: string, path: Path): ErrorList {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateMode(mode: number | undefined, path: Path): ErrorList {
  return mode !== undefined && mode !== null && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPath(kp: KeyToPath, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!kp.key) errs.push(required(path.child('key'), ''));
  if (!kp.path) errs.push(required(path.child('path'), ''));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', path.child('path')));
  errs.push(...validateMode(kp.mode, path.child('mode')));
  return errs;
}

// ---- downward API ----

const validVolumeDownwardAPIFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
export const validEnvDownwardAPIFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
].sort();
export const validContainerResourceFieldPaths = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const hugepagesDownwardPrefixes = ['limits.hugepages-', 'requests.hugepages-'];

/** validateObjectFieldSelector (only v1 field paths are accepted, as ConvertDownwardAPIFieldLabel does). */
export function validateObjectFieldSelector(fs: ObjectFieldSelector, expressions: readonly string[], path: Path): ErrorList {
  if (!fs.apiVersion) return [required(path.child('apiVersion'), '')];
  if (!fs.fieldPath) return [required(path.child('fieldPath'), '')];
  if (fs.apiVersion !== 'v1') {
    return [invalid(path.child('fieldPath'), fs.fieldPath, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  }
  const m = /^([^[]+)\['(.*)'\]$/.exec(fs.fieldPath);
  if (m) {
    const [, base, sub] = m as unknown as [string, string, string];
    if (base === 'metadata.annotations') return validateQualifiedName(sub.toLowerCase(), path);
    if (base === 'metadata.labels') return validateQualifiedName(sub, path);
    return [invalid(path, base, 'does not support subscript')];
  }
  if (!expressions.includes(fs.fieldPath)) return [notSupported(path.child('fieldPath'), fs.fieldPath, expressions)];
  return [];
}

const cpuDivisors = new Set(['1m', '1']);
const byteDivisors = new Set(['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']);

function validateContainerResourceDivisor(rName: string, divisor: unknown, path: Path): ErrorList {
  if (divisor === undefined || divisor === null) return [];
  const q = parseQuantity(divisor);
  if (!q) return [invalid(path.child('divisor'), divisor, 'invalid quantity')];
  if (q.sign() === 0) return [];
  const s = q.toString();
  const errs: ErrorList = [];
  switch (rName) {
    case 'limits.cpu':
    case 'requests.cpu':
      if (!cpuDivisors.has(s)) errs.push(invalid(path.child('divisor'), rName, "only divisor's values 1m and 1 are supported with the cpu resource"));
      break;
    case 'limits.memory':
    case 'requests.memory':
      if (!byteDivisors.has(s))
        errs.push(invalid(path.child('divisor'), rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"));
      break;
    case 'limits.ephemeral-storage':
    case 'requests.ephemeral-storage':
      if (!byteDivisors.has(s))
        errs.push(
          invalid(path.child('divisor'), rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"),
        );
      break;
  }
  if (hugepagesDownwardPrefixes.some((p) => rName.startsWith(p)) && !byteDivisors.has(s)) {
    errs.push(invalid(path.child('divisor'), rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource"));
  }
  return errs;
}

/** validateContainerResourceFieldSelector */
export function validateContainerResourceFieldSelector(fs: ResourceFieldSelector, path: Path, volume: boolean): ErrorList {
  const errs: ErrorList = [];
  if (volume && !fs.containerName) errs.push(required(path.child('containerName'), ''));
  else if (!fs.resource) errs.push(required(path.child('resource'), ''));
  else if (!validContainerResourceFieldPaths.includes(fs.resource) && !hugepagesDownwardPrefixes.some((p) => fs.resource.startsWith(p))) {
    errs.push(notSupported(path.child('resource'), fs.resource, validContainerResourceFieldPaths));
  }
  errs.push(...validateContainerResourceDivisor(fs.resource ?? '', fs.divisor, path));
  return errs;
}

function validateDownwardAPIVolumeFile(file: DownwardAPIVolumeFile, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!file.path) errs.push(required(path.child('path'), ''));
  errs.push(...validateLocalNonReservedPath(file.path ?? '', path.child('path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, validVolumeDownwardAPIFieldPaths, path.child('fieldRef')));
    if (file.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errs.push(...validateContainerResourceFieldSelector(file.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, path.child('mode')));
  return errs;
}

// ---- individual sources ----

const supportedHostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validateHostPathVolumeSource(hp: { path?: string; type?: string }, path: Path): ErrorList {
  if (!hp.path) return [required(path.child('path'), '')];
  const errs = validatePathNoBacksteps(hp.path, path.child('path'));
  if (hp.type !== undefined && hp.type !== null && !supportedHostPathTypes.includes(hp.type)) {
    errs.push(notSupported(path.child('type'), hp.type, supportedHostPathTypes));
  }
  return errs;
}

function validateSecretVolumeSource(s: SecretVolumeSource, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!s.secretName) errs.push(required(path.child('secretName'), ''));
  errs.push(...validateMode(s.defaultMode, path.child('defaultMode')));
  (s.items ?? []).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').at(i))));
  return errs;
}

function validateConfigMapVolumeSource(s: ConfigMapVolumeSource, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!s.name) errs.push(required(path.child('name'), ''));
  errs.push(...validateMode(s.defaultMode, path.child('defaultMode')));
  (s.items ?? []).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').at(i))));
  return errs;
}

export function validateNFSVolumeSource(nfs: { server?: string; path?: string }, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!nfs.server) errs.push(required(path.child('server'), ''));
  if (!nfs.path) errs.push(required(path.child('path'), ''));
  if (!(nfs.path ?? '').startsWith('/')) errs.push(invalid(path.child('path'), nfs.path ?? '', 'must be an absolute path'));
  return errs;
}

function validateProjectedVolumeSource(p: ProjectedVolumeSource, path: Path): ErrorList {
  const errs = validateMode(p.defaultMode, path.child('defaultMode'));
  const allPaths = new Set<string>();
  const seen = (cur: string, value: string): void => {
    if (allPaths.has(cur)) errs.push(invalid(path, value, 'conflicting duplicate paths'));
    else allPaths.add(cur);
  };
  (p.sources ?? []).forEach((src, i) => {
    let n = 0;
    const srcPath = path.child('sources').at(i);
    if (src.secret) {
      n++;
      const pp = srcPath.child('secret');
      if (!src.secret.name) errs.push(required(pp.child('name'), ''));
      (src.secret.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, pp.child('items').at(j)));
        if (kp.path) seen(kp.path, src.secret?.name ?? '');
      });
    }
    if (src.configMap) {
      n++;
      const pp = srcPath.child('configMap');
      if (!src.configMap.name) errs.push(required(pp.child('name'), ''));
      (src.configMap.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, pp.child('items').at(j)));
        if (kp.path) seen(kp.path, src.configMap?.name ?? '');
      });
    }
    if (src.downwardAPI) {
      n++;
      const pp = srcPath.child('downwardAPI');
      for (const file of src.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIVolumeFile(file, pp));
        if (file.path) seen(file.path, file.path);
      }
    }
    if (src.serviceAccountToken) {
      n++;
      const sat = src.serviceAccountToken;
      const pp = srcPath.child('serviceAccountToken');
      const exp = sat.expirationSeconds ?? 0;
      if (exp < 600) errs.push(invalid(pp.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalid(pp.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!sat.path) errs.push(required(path.child('path'), ''));
      else errs.push(...validateLocalNonReservedPath(sat.path, path.child('path')));
    }
    if (src.clusterTrustBundle) {
      n++;
      const ctb = src.clusterTrustBundle;
      const pp = srcPath.child('clusterTrustBundle');
      const usingName = ctb.name !== undefined;
      const usingSigner = ctb.signerName !== undefined;
      if (usingName && usingSigner) errs.push(invalid(pp, ctb, 'only one of name and signerName may be used'));
      else if (usingName) {
        if (!ctb.name) errs.push(required(pp.child('name'), 'must be a valid object name'));
        if (ctb.labelSelector) errs.push(invalid(pp.child('labelSelector'), ctb.labelSelector, 'labelSelector must be unset if name is specified'));
      } else if (usingSigner) {
        if (!ctb.signerName) errs.push(required(pp.child('signerName'), 'must be a valid signer name'));
        if (ctb.labelSelector) errs.push(...validateLabelSelector(ctb.labelSelector, pp.child('labelSelector')));
      } else errs.push(required(pp, 'either name or signerName must be specified'));
      if (!ctb.path) errs.push(required(pp.child('path'), ''));
      errs.push(...validateLocalNonReservedPath(ctb.path ?? '', pp.child('path')));
      seen(ctb.path ?? '', ctb.path ?? '');
    }
    if (n > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateCSIDriverName(driver: string | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const d = driver ?? '';
  if (!d) errs.push(required(path, ''));
  if (d.length > 63) errs.push(invalid(path, d, 'must be no more than 63 characters'));
  for (const m of isDNS1123Subdomain(d.toLowerCase())) errs.push(invalid(path, d, m));
  return errs;
}

function req(obj: Record<string, unknown>, path: Path, ...keys: string[]): ErrorList {
  return keys.filter((k) => !obj[k] || (Array.isArray(obj[k]) && (obj[k] as unknown[]).length === 0)).map((k) => required(path.child(k), ''));
}

function partition(obj: { partition?: number }, path: Path): ErrorList {
  const p = obj.partition ?? 0;
  return p < 0 || p > 255 ? [invalid(path.child('partition'), p, inclusiveRangeError(1, 255))] : [];
}

type Src = Record<string, unknown>;
type SourceCheck = (src: Src, path: Path, volName: string, podMeta: ObjectMeta | undefined, opts: PodValidationOptions) => ErrorList;

/** Upstream order matters: the second source present is the one reported as "more than 1". Entry: [field, path name, check]. */
const volumeSources: readonly [string, string, SourceCheck][] = [
  ['emptyDir', 'emptyDir', (s, p) => {
    const lim = s['sizeLimit'];
    if (lim === undefined || lim === null) return [];
    const q = parseQuantity(lim);
    return !q || q.sign() < 0 ? [forbidden(p.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  }],
  ['hostPath', 'hostPath', (s, p) => validateHostPathVolumeSource(s, p)],
  ['gitRepo', 'gitRepo', (s, p) => [...req(s, p, 'repository'), ...validateLocalDescendingPath(String(s['directory'] ?? ''), p.child('directory'))]],
  ['gcePersistentDisk', 'persistentDisk', (s, p) => [...req(s, p, 'pdName'), ...partition(s, p)]],
  ['awsElasticBlockStore', 'awsElasticBlockStore', (s, p) => [...req(s, p, 'volumeID'), ...partition(s, p)]],
  ['secret', 'secret', (s, p) => validateSecretVolumeSource(s as SecretVolumeSource, p)],
  ['nfs', 'nfs', (s, p) => validateNFSVolumeSource(s, p)],
  ['iscsi', 'iscsi', (s, p) => {
    const errs = req(s, p, 'targetPortal', 'iqn');
    const lun = Number(s['lun'] ?? 0);
    if (lun < 0 || lun > 255) errs.push(invalid(p.child('lun'), lun, inclusiveRangeError(0, 255)));
    if ((s['chapAuthDiscovery'] || s['chapAuthSession']) && !s['secretRef']) errs.push(required(p.child('secretRef'), ''));
    return errs;
  }],
  ['glusterfs', 'glusterfs', (s, p) => req(s, p, 'endpoints', 'path')],
  ['flocker', 'flocker', (s, p) => {
    const errs: ErrorList = [];
    if (!s['datasetName'] && !s['datasetUUID']) errs.push(required(p, 'one of datasetName and datasetUUID is required'));
    if (s['datasetName'] && s['datasetUUID']) errs.push(invalid(p, 'resource', 'datasetName and datasetUUID can not be specified simultaneously'));
    if (String(s['datasetName'] ?? '').includes('/')) errs.push(invalid(p.child('datasetName'), s['datasetName'], "must not contain '/'"));
    return errs;
  }],
  ['persistentVolumeClaim', 'persistentVolumeClaim', (s, p) => req(s, p, 'claimName')],
  ['rbd', 'rbd', (s, p) => [...req(s, p, 'monitors'), ...req(s, p, 'image')]],
  ['cinder', 'cinder', (s, p) => req(s, p, 'volumeID')],
  ['cephfs', 'cephfs', (s, p) => req(s, p, 'monitors')],
  ['quobyte', 'quobyte', (s, p) => [...(s['registry'] ? [] : [required(p.child('registry'), 'must be a host:port pair or multiple pairs separated by commas')]), ...req(s, p, 'volume')]],
  ['downwardAPI', 'downwardAPI', (s, p) => {
    const errs = validateMode(s['defaultMode'] as number | undefined, p.child('defaultMode'));
    for (const f of (s['items'] as DownwardAPIVolumeFile[] | undefined) ?? []) errs.push(...validateDownwardAPIVolumeFile(f, p));
    return errs;
  }],
  ['fc', 'fc', (s, p) => {
    const errs: ErrorList = [];
    const wwns = (s['targetWWNs'] as string[] | undefined) ?? [];
    const wwids = (s['wwids'] as string[] | undefined) ?? [];
    if (!wwns.length && !wwids.length) errs.push(required(p.child('targetWWNs'), 'must specify either targetWWNs or wwids, but not both'));
    if (wwns.length && wwids.length) errs.push(invalid(p.child('targetWWNs'), wwns, 'targetWWNs and wwids can not be specified simultaneously'));
    if (wwns.length) {
      const lun = s['lun'] as number | undefined;
      if (lun === undefined || lun === null) errs.push(required(p.child('lun'), 'lun is required if targetWWNs is specified'));
      else if (lun < 0 || lun > 255) errs.push(invalid(p.child('lun'), lun, inclusiveRangeError(0, 255)));
    }
    return errs;
  }],
  ['flexVolume', 'flexVolume', (s, p) => {
    const errs = req(s, p, 'driver');
    for (const k of Object.keys((s['options'] as Record<string, string> | undefined) ?? {})) {
      const ns = k.includes('/') ? k.split('/')[0]! : k;
      const norm = '.' + ns.toLowerCase();
      if (norm.endsWith('.kubernetes.io') || norm.endsWith('.k8s.io')) errs.push(invalid(p.child('options').key(k), k, 'kubernetes.io and k8s.io namespaces are reserved'));
    }
    return errs;
  }],
  ['configMap', 'configMap', (s, p) => validateConfigMapVolumeSource(s as ConfigMapVolumeSource, p)],
  ['azureFile', 'azureFile', (s, p) => req(s, p, 'secretName', 'shareName')],
  ['vsphereVolume', 'vsphereVolume', (s, p) => req(s, p, 'volumePath')],
  ['photonPersistentDisk', 'photonPersistentDisk', (s, p) => req(s, p, 'pdID')],
  ['portworxVolume', 'portworxVolume', (s, p) => req(s, p, 'volumeID')],
  ['azureDisk', 'azureDisk', (s, p) => req(s, p, 'diskName', 'diskURI')],
  ['storageos', 'storageos', (s, p) => {
    if (!s['volumeName']) return [required(p.child('volumeName'), '')];
    const errs = validateDNS1123Label(String(s['volumeName']), p.child('volumeName'));
    if (s['volumeNamespace']) errs.push(...validateDNS1123Label(String(s['volumeNamespace']), p.child('volumeNamespace')));
    return errs;
  }],
  ['projected', 'projected', (s, p) => validateProjectedVolumeSource(s as ProjectedVolumeSource, p)],
  ['scaleIO', 'scaleIO', (s, p) => req(s, p, 'gateway', 'system', 'volumeName')],
  ['csi', 'csi', (s, p) => {
    const errs = validateCSIDriverName(s['driver'] as string | undefined, p.child('driver'));
    const ref = s['nodePublishSecretRef'] as { name?: string } | undefined;
    if (ref) {
      if (!ref.name) errs.push(required(p.child('nodePublishSecretRef', 'name'), ''));
      else for (const m of nameIsDNSSubdomain(ref.name)) errs.push(invalid(p.child('name'), ref.name, m));
    }
    return errs;
  }],
  ['ephemeral', 'ephemeral', (s, p, volName, podMeta) => {
    const tmpl = s['volumeClaimTemplate'] as { metadata?: ObjectMeta; spec?: PersistentVolumeClaimSpec } | undefined;
    if (!tmpl) return [required(p.child('volumeClaimTemplate'), '')];
    const errs = validatePersistentVolumeClaimTemplate(tmpl, p.child('volumeClaimTemplate'));
    if (podMeta?.name && volName) {
      const pvcName = `${podMeta.name}-${volName}`;
      for (const m of nameIsDNSSubdomain(pvcName)) errs.push(invalid(p.child('name'), volName, `PVC name "${pvcName}": ${m}`));
    }
    return errs;
  }],
  ['image', 'image', (s, p, _v, _m, opts) => {
    const errs: ErrorList = [];
    if (opts.resourceIsPod && !s['reference']) errs.push(required(p.child('reference'), ''));
    errs.push(...validatePullPolicy(s['pullPolicy'] as string | undefined, p.child('pullPolicy')));
    return errs;
  }],
];

/** Names of every volume-source field of VolumeSource, in upstream order. */
export const VOLUME_SOURCE_FIELDS: readonly string[] = volumeSources.map(([f]) => f);

const supportedPullPolicies = ['Always', 'IfNotPresent', 'Never'];

/** validatePullPolicy */
export function validatePullPolicy(policy: string | undefined, path: Path): ErrorList {
  if (!policy) return [required(path, '')];
  return supportedPullPolicies.includes(policy) ? [] : [notSupported(path, policy, supportedPullPolicies)];
}

function validateVolumeSource(source: Volume, path: Path, volName: string, podMeta: ObjectMeta | undefined, opts: PodValidationOptions): ErrorList {
  let n = 0;
  const errs: ErrorList = [];
  const src = source as unknown as Record<string, Src | undefined | null>;
  for (const [fieldName, pathName, check] of volumeSources) {
    const s = src[fieldName];
    if (s === undefined || s === null) continue;
    // downwardAPI's "more than 1" error carries upstream's misspelt path.
    const name = fieldName === 'downwardAPI' ? 'downwarAPI' : fieldName;
    if (n > 0) {
      errs.push(forbidden(path.child(name), MORE_THAN_ONE));
      continue;
    }
    n++;
    errs.push(...check(s, path.child(pathName), volName, podMeta, opts));
  }
  if (n === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: returns the valid volumes by name (for mount checks) and the errors. */
export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  podMeta: ObjectMeta | undefined,
  path: Path,
  opts: PodValidationOptions = {},
): { volumes: Map<string, Volume>; errors: ErrorList } {
  const errors: ErrorList = [];
  const all = new Map<string, Volume>();
  const createdPVCs = new Set<string>();
  if (podMeta?.name) for (const v of volumes ?? []) if (v.ephemeral) createdPVCs.add(`${podMeta.name}-${v.name}`);
  (volumes ?? []).forEach((vol, i) => {
    const idx = path.at(i);
    const namePath = idx.child('name');
    const el = validateVolumeSource(vol, idx, vol.name ?? '', podMeta, opts);
    if (!vol.name) el.push(required(namePath, ''));
    else el.push(...validateDNS1123Label(vol.name, namePath));
    if (all.has(vol.name)) el.push(duplicate(namePath, vol.name));
    if (el.length === 0) all.set(vol.name, vol);
    else errors.push(...el);
    if (vol.persistentVolumeClaim && createdPVCs.has(vol.persistentVolumeClaim.claimName)) {
      errors.push(invalid(idx.child('persistentVolumeClaim', 'claimName'), vol.persistentVolumeClaim.claimName, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { volumes: all, errors };
}

// ---- PersistentVolumeClaim spec ----

export const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const supportedVolumeModes = ['Block', 'Filesystem'];

/** ValidateTemplateObjectMeta: only labels and annotations may be set. */
export function validateTemplateObjectMeta(meta: ObjectMeta | undefined, path: Path): ErrorList {
  const errs = [...validateAnnotations(meta?.annotations ?? {}, path.child('annotations')), ...validateLabels(meta?.labels ?? {}, path.child('labels'))];
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (k === 'labels' || k === 'annotations' || v === undefined || v === null) continue;
    if (k === 'creationTimestamp') continue; // serialised as null by Go clients
    errs.push(forbidden(path.child(k), 'cannot be set'));
  }
  return errs;
}

export function validatePersistentVolumeClaimTemplate(t: { metadata?: ObjectMeta; spec?: PersistentVolumeClaimSpec }, path: Path): ErrorList {
  return [...validateTemplateObjectMeta(t.metadata, path.child('metadata')), ...validatePersistentVolumeClaimSpec(t.spec ?? {}, path.child('spec'))];
}

function validateDataSource(ds: { apiGroup?: string; kind?: string; name?: string; namespace?: string }, path: Path, isRef: boolean): ErrorList {
  const errs: ErrorList = [];
  if (!ds.name) errs.push(required(path.child('name'), ''));
  if (!ds.kind) errs.push(required(path.child('kind'), ''));
  const group = ds.apiGroup ?? '';
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(invalid(path, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...validateDNS1123Subdomain(group, path.child('apiGroup')));
  if (isRef && ds.namespace) for (const m of nameIsDNSLabel(ds.namespace)) errs.push(invalid(path.child('namespace'), ds.namespace, m));
  return errs;
}

/** ValidatePersistentVolumeClaimSpec */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, path: Path): ErrorList {
  const errs: ErrorList = [];
  const modes = spec.accessModes ?? [];
  if (!modes.length) errs.push(required(path.child('accessModes'), 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!supportedAccessModes.includes(m)) errs.push(notSupported(path.child('accessModes'), m, supportedAccessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (supportedAccessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path.child('accessModes'), 'may not use ReadWriteOncePod with other access modes'));
  const storagePath = path.child('resources').key('storage');
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined || storage === null) errs.push(required(storagePath, ''));
  else {
    const q = quantityAt(storage, storagePath, errs);
    if (q) {
      const pos = validatePositiveQuantityValue(q, storagePath);
      errs.push(...(pos.length ? pos : validateResourceQuantityValue('storage', q, storagePath)));
    }
  }
  if (spec.storageClassName) for (const m of nameIsDNSSubdomain(spec.storageClassName)) errs.push(invalid(path.child('storageClassName'), spec.storageClassName, m));
  if (spec.volumeMode && !supportedVolumeModes.includes(spec.volumeMode)) errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, supportedVolumeModes));
  if (spec.dataSource) errs.push(...validateDataSource(spec.dataSource, path.child('dataSource'), false));
  if (spec.dataSourceRef) errs.push(...validateDataSource(spec.dataSourceRef, path.child('dataSourceRef'), true));
  if (spec.dataSourceRef?.namespace) {
    if (spec.dataSource) errs.push(invalid(path, path.child('dataSource').toString(), 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (spec.dataSource && spec.dataSourceRef) {
    const a = spec.dataSource;
    const b = spec.dataSourceRef;
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(invalid(path, path.child('dataSource').toString(), 'must match dataSourceRef'));
    }
  }
  if (spec.volumeAttributesClassName) {
    for (const m of nameIsDNSSubdomain(spec.volumeAttributesClassName)) errs.push(invalid(path.child('volumeAttributesClassName'), spec.volumeAttributesClassName, m));
  }
  return errs;
}
