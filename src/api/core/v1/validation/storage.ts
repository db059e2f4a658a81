// PersistentVolume and PersistentVolumeClaim validation.

import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, forbidden, invalid, notSupported, required } from '../../../../machinery/field.js';
import {
  diffPaths,
  nameIsDNSSubdomain,
  quantityAt,
  semanticEqual,
  validateImmutableField,
  validatePositiveQuantityValue,
} from './common.js';
import { validateNodeSelector } from './pod.js';
import {
  supportedAccessModes,
  supportedVolumeModes,
  validateHostPathVolumeSource,
  validateNFSVolumeSource,
  validatePersistentVolumeClaimSpec,
  validatePathNoBacksteps,
} from './volumes.js';

const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];

/** PV source fields in upstream order, with the required keys checked for the less common ones. */
const pvSources: readonly [string, (s: Record<string, unknown>, p: Path) => ErrorList][] = [
  ['hostPath', (s, p) => validateHostPathVolumeSource(s, p)],
  ['gcePersistentDisk', (s, p) => reqKeys(s, p, 'pdName')],
  ['awsElasticBlockStore', (s, p) => reqKeys(s, p, 'volumeID')],
  ['glusterfs', (s, p) => reqKeys(s, p, 'endpoints', 'path')],
  ['flocker', () => []],
  ['nfs', (s, p) => validateNFSVolumeSource(s, p)],
  ['rbd', (s, p) => reqKeys(s, p, 'monitors', 'image')],
  ['quobyte', (s, p) => reqKeys(s, p, 'registry', 'volume')],
  ['cephfs', (s, p) => reqKeys(s, p, 'monitors')],
  ['iscsi', (s, p) => reqKeys(s, p, 'targetPortal', 'iqn')],
  ['cinder', (s, p) => reqKeys(s, p, 'volumeID')],
  ['fc', () => []],
  ['flexVolume', (s, p) => reqKeys(s, p, 'driver')],
  ['azureFile', (s, p) => reqKeys(s, p, 'secretName', 'shareName')],
  ['vsphereVolume', (s, p) => reqKeys(s, p, 'volumePath')],
  ['photonPersistentDisk', (s, p) => reqKeys(s, p, 'pdID')],
  ['portworxVolume', (s, p) => reqKeys(s, p, 'volumeID')],
  ['azureDisk', (s, p) => reqKeys(s, p, 'diskName', 'diskURI')],
  ['scaleIO', (s, p) => reqKeys(s, p, 'gateway', 'system', 'volumeName')],
  ['local', (s, p) => (s['path'] ? validatePathNoBacksteps(String(s['path']), p.child('path')) : [required(p.child('path'), '')])],
  ['storageos', (s, p) => reqKeys(s, p, 'volumeName')],
  ['csi', (s, p) => [...reqKeys(s, p, 'driver', 'volumeHandle')]],
];

function reqKeys(obj: Record<string, unknown>, path: Path, ...keys: string[]): ErrorList {
  return keys.filter((k) => !obj[k] || (Array.isArray(obj[k]) && !(obj[k] as unknown[]).length)).map((k) => required(path.child(k), ''));
}

function pvSourceFieldNames(): string[] {
  return pvSources.map(([f]) => f);
}

/** ValidatePersistentVolumeSpec (non-inline). */
export function validatePersistentVolumeSpec(spec: PersistentVolumeSpec, path: Path): ErrorList {
  const errs: ErrorList = [];
  const modes = spec.accessModes ?? [];
  if (!modes.length) errs.push(required(path.child('accessModes'), ''));
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!supportedAccessModes.includes(m)) errs.push(notSupported(path.child('accessModes'), m, supportedAccessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (supportedAccessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path.child('accessModes'), 'may not use ReadWriteOncePod with other access modes'));
  const cap = spec.capacity ?? {};
  const capKeys = Object.keys(cap);
  if (!capKeys.length) errs.push(required(path.child('capacity'), ''));
  if (!('storage' in cap) || capKeys.length > 1) errs.push(notSupported(path.child('capacity'), cap, ['storage']));
  for (const [k, v] of Object.entries(cap)) {
    const p = path.child('capacity').key(k);
    const q = quantityAt(v, p, errs);
    if (!q) continue;
    if (q.value() < 0) errs.push(invalid(p, q.value(), 'must be a valid resource quantity'));
    errs.push(...validatePositiveQuantityValue(q, p));
  }
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp && !reclaimPolicies.includes(rp)) errs.push(notSupported(path.child('persistentVolumeReclaimPolicy'), rp, reclaimPolicies));
  if (spec.nodeAffinity) {
    const np = path.child('nodeAffinity');
    if (spec.nodeAffinity.required) errs.push(...validateNodeSelector(spec.nodeAffinity.required, np.child('required')));
    else errs.push(required(np.child('required'), 'must specify required node constraints'));
  }
  let n = 0;
  const src = spec as unknown as Record<string, Record<string, unknown> | undefined>;
  for (const [f, check] of pvSources) {
    const s = src[f];
    if (!s) continue;
    if (n > 0) {
      errs.push(forbidden(path.child(f), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    errs.push(...check(s, path.child(f === 'gcePersistentDisk' ? 'persistentDisk' : f)));
  }
  if (n === 0) errs.push(required(path, 'must specify a volume type'));
  if (spec.hostPath && spec.hostPath.path.replace(/\/+$/, '') === '' && spec.hostPath.path.startsWith('/') && rp === 'Recycle') {
    errs.push(forbidden(path.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...nameIsDNSSubdomain(spec.storageClassName).map((m) => invalid(path.child('storageClassName'), spec.storageClassName, m)));
  if (spec.volumeMode && !supportedVolumeModes.includes(spec.volumeMode)) errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, supportedVolumeModes));
  return errs;
}

/** ValidatePersistentVolume (metadata excluded). */
export function validatePersistentVolume(pv: PersistentVolume): ErrorList {
  return validatePersistentVolumeSpec(pv.spec ?? {}, Path.root('spec'));
}

function pvSource(spec: PersistentVolumeSpec | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of pvSourceFieldNames()) {
    const v = (spec as Record<string, unknown> | undefined)?.[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** ValidatePersistentVolumeUpdate (metadata excluded). */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): ErrorList {
  const errs = validatePersistentVolume(pv);
  const newSrc = pvSource(pv.spec);
  const oldSrc = pvSource(old.spec);
  const ncsi = newSrc['csi'] as Record<string, unknown> | undefined;
  const ocsi = oldSrc['csi'] as Record<string, unknown> | undefined;
  if (ocsi && !ocsi['controllerExpandSecretRef'] && ncsi?.['controllerExpandSecretRef']) {
    newSrc['csi'] = { ...ncsi, controllerExpandSecretRef: undefined };
  }
  if (!semanticEqual(newSrc, oldSrc)) {
    errs.push(forbidden(Path.root('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${diffPaths(oldSrc, newSrc).join('\n')}`));
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(invalid('nodeAffinity', pv.spec?.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

/** ValidatePersistentVolumeStatusUpdate (metadata excluded). */
export function validatePersistentVolumeStatusUpdate(pv: PersistentVolume, _old: PersistentVolume): ErrorList {
  return pv.metadata?.resourceVersion ? [] : [required('resourceVersion', '')];
}

/** ValidatePersistentVolumeClaim (metadata excluded). */
export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): ErrorList {
  return validatePersistentVolumeClaimSpec(pvc.spec ?? {}, Path.root('spec'));
}

const BETA_SC_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** ValidatePersistentVolumeClaimUpdate (metadata excluded). */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): ErrorList {
  const errs = validatePersistentVolumeClaim(pvc);
  const newSpec = structuredClone(pvc.spec ?? {});
  const oldSpec = structuredClone(old.spec ?? {});
  if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = pvc.metadata?.annotations ?? {};
  const upgradeFromAnnotation =
    BETA_SC_ANNOTATION in oldAnn &&
    old.spec?.storageClassName === undefined &&
    newSpec.storageClassName === oldAnn[BETA_SC_ANNOTATION] &&
    (!(BETA_SC_ANNOTATION in newAnn) || newAnn[BETA_SC_ANNOTATION] === oldAnn[BETA_SC_ANNOTATION]);
  if (upgradeFromAnnotation) delete newSpec.storageClassName;
  else {
    if ((newAnn[BETA_SC_ANNOTATION] ?? '') !== (oldAnn[BETA_SC_ANNOTATION] ?? '')) {
      errs.push(invalid(Path.root('metadata', 'annotations', BETA_SC_ANNOTATION), newAnn[BETA_SC_ANNOTATION] ?? '', 'field is immutable'));
    }
    const fromNil =
      newSpec.storageClassName !== undefined &&
      old.spec?.storageClassName === undefined &&
      (!(BETA_SC_ANNOTATION in oldAnn) || newSpec.storageClassName === oldAnn[BETA_SC_ANNOTATION]);
    if (fromNil) newSpec.storageClassName = oldSpec.storageClassName;
  }
  if (pvc.status?.phase === 'Bound' && newSpec.resources?.requests) {
    newSpec.resources.requests['storage'] = old.spec?.resources?.requests?.['storage'] as string;
  }
  if (pvc.status?.phase === 'Bound' && newSpec.volumeAttributesClassName !== undefined) newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(
      forbidden(
        Path.root('spec'),
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diffPaths(oldSpec, newSpec).join('\n')}`,
      ),
    );
  }
  const scratch: ErrorList = [];
  const oldSize = quantityAt(old.spec?.resources?.requests?.['storage'] ?? '0', Path.root('spec'), scratch);
  const newSize = quantityAt(pvc.spec?.resources?.requests?.['storage'] ?? '0', Path.root('spec'), scratch);
  if (oldSize && newSize && newSize.cmp(oldSize) < 0) {
    errs.push(forbidden(Path.root('spec', 'resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  errs.push(...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  return errs;
}

/** ValidatePersistentVolumeClaimStatusUpdate (metadata excluded). */
export function validatePersistentVolumeClaimStatusUpdate(pvc: PersistentVolumeClaim, _old: PersistentVolumeClaim): ErrorList {
  const errs: ErrorList = [];
  if (!pvc.metadata?.resourceVersion) errs.push(required('resourceVersion', ''));
  if (!pvc.spec?.accessModes?.length) errs.push(required(Path.root('Spec', 'accessModes'), ''));
  for (const [k, v] of Object.entries(pvc.status?.capacity ?? {})) {
    const p = Path.root('status', 'capacity').key(k);
    const q = quantityAt(v, p, errs);
    if (q && q.value() < 0) errs.push(invalid(p, q.value(), 'must be a valid resource quantity'));
  }
  return errs;
}
