// storage.k8s.io/v1: StorageClass, CSIDriver, CSINode, CSIStorageCapacity, VolumeAttachment.
// Defaults follow pkg/apis/storage/v1/defaults.go, validation pkg/apis/storage/validation.

import { isDeepStrictEqual } from 'node:util';
import type { CSIDriver, CSINode, CSIStorageCapacity, StorageClass, VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import type { TopologySelectorTerm } from 'kubernetes-types/core/v1.js';
import { Path, duplicate, forbidden, invalid, notSupported, required, tooLong, type ErrorList } from '../../../machinery/field.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../machinery/validation.js';
import { validateLabelSelector } from '../../../machinery/labels.js';
import { Quantity } from '../../../machinery/quantity.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const MAX_ATTACHED_VOLUME_METADATA_SIZE = 256 * 1024;
const MAX_VOLUME_ERROR_LENGTH = 1024;
const CSI_NODE_ID_MAX_LENGTH = 192;
const CSI_NODE_ID_LONG_MAX_LENGTH = 256;
const FIELD_IMMUTABLE = 'field is immutable';

/** Upstream ValidateCSIDriverName. */
export function validateCSIDriverName(name: string, path: Path | string): ErrorList {
  const errs: ErrorList = [];
  if (!name) errs.push(required(path));
  if (name.length > 63) errs.push(tooLong(path, name, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(path, name, m));
  return errs;
}

function validateNonNegativeQuantity(value: string | number, path: Path | string): ErrorList {
  // Unparseable quantities are rejected when the object is decoded.
  const q = Quantity.tryParse(String(value));
  return q && q.sign() < 0 ? [invalid(path, q.toString(), 'must be greater than or equal to 0')] : [];
}

// ---- StorageClass ---------------------------------------------------------------------------

function validateParameters(params: Record<string, string> | undefined, path: Path): ErrorList {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [tooLong(path, 'Provisioner Parameters exceeded max allowed', MAX_PARAMETERS)];
  const errs: ErrorList = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (!k) errs.push(invalid(path, k, 'field can not be empty.'));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong(path, '', MAX_PARAMETERS_SIZE));
  return errs;
}

function validateAllowedTopologies(terms: TopologySelectorTerm[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  (terms ?? []).forEach((term, i) => {
    const tp = path.at(i);
    const exprs = new Map<string, string[]>();
    (term.matchLabelExpressions ?? []).forEach((req, j) => {
      const rp = tp.child('matchLabelExpressions').at(j);
      const values = new Set<string>();
      if (!req.values?.length) errs.push(required(rp.child('values'), 'must specify as least one value'));
      for (const v of req.values ?? []) {
        if (values.has(v)) errs.push(duplicate(rp.child('values'), v));
        values.add(v);
      }
      for (const m of isQualifiedName(req.key)) errs.push(invalid(rp.child('key'), req.key, m));
      if (exprs.has(req.key)) errs.push(duplicate(rp.child('key'), req.key));
      exprs.set(req.key, [...values].sort());
    });
    const canonical = JSON.stringify([...exprs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (seen.has(canonical)) errs.push(duplicate(tp.child('matchLabelExpressions'), ''));
    seen.add(canonical);
  });
  return errs;
}

function validateStorageClass(sc: StorageClass): ErrorList {
  const errs: ErrorList = [];
  const provisioner = sc.provisioner ?? '';
  if (!provisioner) errs.push(required('provisioner', ''));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(invalid('provisioner', provisioner, m));
  errs.push(...validateParameters(sc.parameters, Path.root('parameters')));
  if (sc.reclaimPolicy && sc.reclaimPolicy !== 'Delete' && sc.reclaimPolicy !== 'Retain') {
    errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  }
  if (sc.volumeBindingMode == null) errs.push(required('volumeBindingMode'));
  else if (sc.volumeBindingMode !== 'Immediate' && sc.volumeBindingMode !== 'WaitForFirstConsumer') {
    errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  errs.push(...validateAllowedTopologies(sc.allowedTopologies, Path.root('allowedTopologies')));
  return errs;
}

export const storageClassHandlers: KindHandlers<StorageClass> = {
  defaults(sc) {
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate(sc, old) {
    const errs: ErrorList = [];
    if (!isDeepStrictEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if ((sc.provisioner ?? '') !== (old.provisioner ?? '')) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(invalid('volumeBindingMode', sc.volumeBindingMode ?? null, FIELD_IMMUTABLE));
    return errs;
  },
};

// ---- CSIDriver ------------------------------------------------------------------------------

function validateCSIDriver(d: CSIDriver): ErrorList {
  const errs = validateCSIDriverName(d.metadata?.name ?? '', 'name');
  const spec = d.spec ?? {};
  const sp = Path.root('spec');
  if (spec.attachRequired == null) errs.push(required(sp.child('attachedRequired')));
  if (spec.podInfoOnMount == null) errs.push(required(sp.child('podInfoOnMount')));
  if (spec.storageCapacity == null) errs.push(required(sp.child('storageCapacity')));
  if (spec.fsGroupPolicy != null && !['File', 'None', 'ReadWriteOnceWithFSType'].includes(spec.fsGroupPolicy)) {
    errs.push(notSupported(sp.child('fsGroupPolicy'), spec.fsGroupPolicy, ['File', 'None', 'ReadWriteOnceWithFSType']));
  }
  const audiences = new Set<string>();
  (spec.tokenRequests ?? []).forEach((tr, i) => {
    const p = sp.child('tokenRequests').at(i);
    if (audiences.has(tr.audience)) errs.push(duplicate(p.child('audience'), tr.audience));
    audiences.add(tr.audience);
    const exp = tr.expirationSeconds;
    if (exp != null) {
      if (exp < 600) errs.push(invalid(p.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      else if (exp > 2 ** 32) errs.push(invalid(p.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
    }
  });
  (spec.volumeLifecycleModes ?? []).forEach((m, i) => {
    if (m !== 'Persistent' && m !== 'Ephemeral') errs.push(notSupported(sp.child('volumeLifecycleModes').at(i), m, ['Ephemeral', 'Persistent']));
  });
  return errs;
}

export const csiDriverHandlers: KindHandlers<CSIDriver> = {
  // The name is checked (at path `name`) by validate, with the CSI driver name rules.
  nameValidation: 'none',
  defaults(d) {
    const spec = (d.spec ??= {});
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
  },
  validate: validateCSIDriver,
  validateUpdate(d, old) {
    const errs = validateCSIDriver(d);
    if (d.spec?.attachRequired !== old.spec?.attachRequired) {
      errs.push(invalid('spec.attachedRequired', d.spec?.attachRequired ?? null, FIELD_IMMUTABLE));
    }
    if (!isDeepStrictEqual(d.spec?.volumeLifecycleModes ?? [], old.spec?.volumeLifecycleModes ?? [])) {
      errs.push(invalid('spec.volumeLifecycleModes', d.spec?.volumeLifecycleModes ?? [], FIELD_IMMUTABLE));
    }
    return errs;
  },
};

// ---- CSINode --------------------------------------------------------------------------------

function validateCSINode(n: CSINode, allowLongNodeID: boolean): ErrorList {
  const errs: ErrorList = [];
  const dp = Path.root('spec', 'drivers');
  const names = new Set<string>();
  const maxID = allowLongNodeID ? CSI_NODE_ID_LONG_MAX_LENGTH : CSI_NODE_ID_MAX_LENGTH;
  (n.spec?.drivers ?? []).forEach((d, i) => {
    const p = dp.at(i);
    errs.push(...validateCSIDriverName(d.name ?? '', p.child('name')));
    const id = d.nodeID ?? '';
    if (!id) errs.push(required(p.child('nodeID'), ''));
    else if (id.length > maxID) errs.push(invalid(p.child('nodeID'), id, `must be ${maxID} characters or less`));
    const count = d.allocatable?.count;
    if (count != null && count < 0) errs.push(invalid(p.child('allocatable', 'count'), count, 'must be greater than or equal to 0'));
    if (names.has(d.name)) errs.push(duplicate(p.child('name'), d.name));
    names.add(d.name);
    const keys = new Set<string>();
    for (const key of d.topologyKeys ?? []) {
      if (!key) errs.push(required(p, ''));
      if (keys.has(key)) errs.push(duplicate(p, key));
      keys.add(key);
      for (const m of isQualifiedName(key)) errs.push(invalid(p, key, m));
    }
  });
  return errs;
}

export const csiNodeHandlers: KindHandlers<CSINode> = {
  validate: (n) => validateCSINode(n, false),
  validateUpdate(n, old) {
    const allowLong = (old.spec?.drivers ?? []).some((d) => (d.nodeID ?? '').length > CSI_NODE_ID_MAX_LENGTH);
    const errs = validateCSINode(n, allowLong);
    const oldByName = new Map((old.spec?.drivers ?? []).map((d) => [d.name, d]));
    (n.spec?.drivers ?? []).forEach((d, i) => {
      const o = oldByName.get(d.name);
      if (!o) return;
      const p = Path.root('spec', 'drivers').at(i);
      if (d.nodeID !== o.nodeID) errs.push(invalid(p.child('nodeID'), d.nodeID, FIELD_IMMUTABLE));
      if (!isDeepStrictEqual(d.topologyKeys ?? [], o.topologyKeys ?? [])) errs.push(invalid(p.child('topologyKeys'), d.topologyKeys ?? [], FIELD_IMMUTABLE));
      if (!isDeepStrictEqual(d.allocatable ?? null, o.allocatable ?? null)) errs.push(invalid(p.child('allocatable'), d.allocatable ?? null, FIELD_IMMUTABLE));
    });
    return errs;
  },
};

// ---- CSIStorageCapacity ---------------------------------------------------------------------

function validateCapacity(c: CSIStorageCapacity): ErrorList {
  const errs: ErrorList = [];
  if (c.nodeTopology) errs.push(...validateLabelSelector(c.nodeTopology, Path.root('nodeTopology')));
  const sc = c.storageClassName ?? '';
  for (const m of isDNS1123Subdomain(sc)) errs.push(invalid('storageClassName', sc, m));
  if (c.capacity != null) errs.push(...validateNonNegativeQuantity(c.capacity, 'capacity'));
  if (c.maximumVolumeSize != null) errs.push(...validateNonNegativeQuantity(c.maximumVolumeSize, 'maximumVolumeSize'));
  return errs;
}

export const csiStorageCapacityHandlers: KindHandlers<CSIStorageCapacity> = {
  validate: validateCapacity,
  validateUpdate(c, old) {
    const errs = validateCapacity(c);
    if (!isDeepStrictEqual(c.nodeTopology ?? null, old.nodeTopology ?? null)) errs.push(invalid('nodeTopology', c.nodeTopology ?? null, FIELD_IMMUTABLE));
    if (c.storageClassName !== old.storageClassName) errs.push(invalid('storageClassName', c.storageClassName, FIELD_IMMUTABLE));
    return errs;
  },
};

// ---- VolumeAttachment -----------------------------------------------------------------------

function validateVolumeAttachment(va: VolumeAttachment): ErrorList {
  const errs: ErrorList = [];
  const spec = va.spec ?? ({} as Partial<VolumeAttachment['spec']>);
  const sp = Path.root('spec');
  const attacher = spec.attacher ?? '';
  if (!attacher) errs.push(required(sp.child('attacher'), ''));
  const src = spec.source ?? {};
  const srcPath = sp.child('source');
  const exactlyOne = 'must specify exactly one of inlineVolumeSpec and persistentVolumeName';
  if (src.inlineVolumeSpec == null && src.persistentVolumeName == null) errs.push(required(srcPath, exactlyOne));
  else if (src.inlineVolumeSpec != null && src.persistentVolumeName != null) errs.push(forbidden(srcPath, exactlyOne));
  else if (src.persistentVolumeName != null && !src.persistentVolumeName) {
    errs.push(required(srcPath.child('persistentVolumeName'), 'must specify non empty persistentVolumeName'));
  }
  const node = spec.nodeName ?? '';
  for (const m of isDNS1123Subdomain(node)) errs.push(invalid(sp.child('nodeName'), node, m));
  errs.push(...validateVolumeAttachmentStatus(va));
  // v1-only checks (upstream ValidateVolumeAttachmentV1).
  errs.push(...validateCSIDriverName(attacher, 'spec.attacher'));
  if (src.persistentVolumeName) {
    for (const m of isDNS1123Subdomain(src.persistentVolumeName)) errs.push(invalid('spec.source.persistentVolumeName', src.persistentVolumeName, m));
  }
  return errs;
}

function validateVolumeAttachmentStatus(va: VolumeAttachment): ErrorList {
  const errs: ErrorList = [];
  const st = va.status;
  if (!st) return errs;
  const sp = Path.root('status');
  let size = 0;
  for (const [k, v] of Object.entries(st.attachmentMetadata ?? {})) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > MAX_ATTACHED_VOLUME_METADATA_SIZE) errs.push(tooLong(sp.child('attachmentMetadata'), '', MAX_ATTACHED_VOLUME_METADATA_SIZE));
  for (const key of ['attachError', 'detachError'] as const) {
    const msg = st[key]?.message ?? '';
    if (msg.length > MAX_VOLUME_ERROR_LENGTH) errs.push(tooLong(sp.child(key, 'message'), msg, MAX_VOLUME_ERROR_LENGTH));
  }
  return errs;
}

export const volumeAttachmentHandlers: KindHandlers<VolumeAttachment> = {
  validate: validateVolumeAttachment,
  validateUpdate(va, old) {
    const errs = validateVolumeAttachment(va);
    if (!isDeepStrictEqual(va.spec, old.spec)) errs.push(invalid('spec', va.spec, FIELD_IMMUTABLE));
    return errs;
  },
  validateStatusUpdate: (va) => validateVolumeAttachmentStatus(va),
};

export const kinds: GroupVersionKinds = {
  StorageClass: storageClassHandlers,
  CSIDriver: csiDriverHandlers,
  CSINode: csiNodeHandlers,
  CSIStorageCapacity: csiStorageCapacityHandlers,
  VolumeAttachment: volumeAttachmentHandlers,
};
