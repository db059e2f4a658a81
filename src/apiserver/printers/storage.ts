// storage.k8s.io/v1 kinds: upstream printStorageClass, printCSIDriver, printCSINode,
// printCSIStorageCapacity, printVolumeAttachment.

import type { CSIDriver, CSINode, CSIStorageCapacity, StorageClass, VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import type { Printer } from './types.js';
import { AGE, NAME, col } from './columns.js';
import { age, name, quantityString } from './format.js';


const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const BETA_IS_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassPrinter: Printer<StorageClass> = {
  columns: [
    NAME,
    col('Provisioner', 'string', 'storage/v1/StorageClass.provisioner'),
    col('ReclaimPolicy', 'string', 'storage/v1/StorageClass.reclaimPolicy'),
    col('VolumeBindingMode', 'string', 'storage/v1/StorageClass.volumeBindingMode'),
    col('AllowVolumeExpansion', 'string', 'storage/v1/StorageClass.allowVolumeExpansion'),
    AGE,
  ],
  cells(obj, now) {
    const annotations = obj.metadata?.annotations ?? {};
    const isDefault = annotations[IS_DEFAULT_CLASS] === 'true' || annotations[BETA_IS_DEFAULT_CLASS] === 'true';
    return [
      isDefault ? `${name(obj)} (default)` : name(obj),
      obj.provisioner ?? '',
      obj.reclaimPolicy ?? 'Delete',
      obj.volumeBindingMode ?? 'Immediate',
      obj.allowVolumeExpansion ?? false,
      age(obj, now),
    ];
  },
};

export const csiDriverPrinter: Printer<CSIDriver> = {
  columns: [
    NAME,
    col('AttachRequired', 'boolean', 'storage/v1/CSIDriverSpec.attachRequired'),
    col('PodInfoOnMount', 'boolean', 'storage/v1/CSIDriverSpec.podInfoOnMount'),
    col('StorageCapacity', 'boolean', 'storage/v1/CSIDriverSpec.storageCapacity'),
    col('TokenRequests', 'string', 'storage/v1/CSIDriverSpec.tokenRequests'),
    col('RequiresRepublish', 'boolean', 'storage/v1/CSIDriverSpec.requiresRepublish'),
    col('Modes', 'string', 'storage/v1/CSIDriverSpec.volumeLifecycleModes'),
    AGE,
  ],
  cells(obj, now) {
    const spec = obj.spec;
    const tokenRequests = spec?.tokenRequests ? spec.tokenRequests.map((t) => t.audience).join(',') : '<unset>';
    return [
      name(obj),
      spec?.attachRequired ?? true,
      spec?.podInfoOnMount ?? false,
      spec?.storageCapacity ?? false,
      tokenRequests,
      spec?.requiresRepublish ?? false,
      (spec?.volumeLifecycleModes ?? []).join(',') || '<none>',
      age(obj, now),
    ];
  },
};

export const csiNodePrinter: Printer<CSINode> = {
  columns: [NAME, col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), AGE],
  cells: (obj, now) => [name(obj), obj.spec?.drivers?.length ?? 0, age(obj, now)],
};

export const csiStorageCapacityPrinter: Printer<CSIStorageCapacity> = {
  columns: [
    NAME,
    col('StorageClassName', 'string', 'storage/v1/CSIStorageCapacity.storageClassName'),
    col('Capacity', 'string', 'storage/v1/CSIStorageCapacity.capacity'),
  ],
  cells: (obj) => [name(obj), obj.storageClassName ?? '', obj.capacity !== undefined && obj.capacity !== null ? quantityString(obj.capacity) : '<unset>'],
};

export const volumeAttachmentPrinter: Printer<VolumeAttachment> = {
  columns: [
    NAME,
    col('Attacher', 'string', 'storage/v1/VolumeAttachmentSpec.attacher', { format: 'name' }),
    col('PV', 'string', 'storage/v1/VolumeAttachmentSource.persistentVolumeName'),
    col('Node', 'string', 'storage/v1/VolumeAttachmentSpec.nodeName'),
    col('Attached', 'boolean', 'storage/v1/VolumeAttachmentStatus.attached'),
    AGE,
  ],
  cells: (obj, now) => [
    name(obj),
    obj.spec?.attacher ?? '',
    obj.spec?.source?.persistentVolumeName ?? '',
    obj.spec?.nodeName ?? '',
    obj.status?.attached ?? false,
    age(obj, now),
  ],
};
