// Core (v1) kinds other than pods: upstream printReplicationController, printService,
// printEndpoints, printNode, printEvent, printNamespace, printSecret, printServiceAccount,
// printConfigMap, printPersistentVolume(Claim), printResourceQuota.

import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { Printer } from './types.js';
import { AGE, CONTAINERS, IMAGES, NAME, col, wide } from './columns.js';
import { accessModesString, age, formatLabels, layoutContainerCells, name, parseTime, quantityString, translateTimestampSince } from './format.js';


export const replicationControllerPrinter: Printer<ReplicationController> = {
  columns: [
    NAME,
    col('Desired', 'integer', 'core/v1/ReplicationControllerSpec.replicas'),
    col('Current', 'integer', 'core/v1/ReplicationControllerStatus.replicas'),
    col('Ready', 'integer', 'core/v1/ReplicationControllerStatus.readyReplicas'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'core/v1/ReplicationControllerSpec.selector'),
  ],
  cells(obj, now) {
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    return [
      name(obj),
      obj.spec?.replicas ?? 0,
      obj.status?.replicas ?? 0,
      obj.status?.readyReplicas ?? 0,
      age(obj, now),
      names,
      images,
      formatLabels(obj.spec?.selector),
    ];
  },
};

/** Upstream loadBalancerStatusStringer (wide): distinct IPs, else hostnames, sorted, comma-joined. */
export function loadBalancerIngress(ingress: readonly { ip?: string; hostname?: string }[] | undefined): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: Service): string {
  const s = (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
  return s || '<none>';
}

export const servicePrinter: Printer<Service> = {
  columns: [
    NAME,
    col('Type', 'string', 'core/v1/ServiceSpec.type'),
    col('Cluster-IP', 'string', 'core/v1/ServiceSpec.clusterIP'),
    col('External-IP', 'string', 'core/v1/ServiceSpec.externalIPs'),
    col('Port(s)', 'string', 'core/v1/ServiceSpec.ports'),
    AGE,
    wide('Selector', 'string', 'core/v1/ServiceSpec.selector'),
  ],
  cells(obj, now) {
    // v1 → internal conversion fills clusterIPs from clusterIP when only the latter is set.
    const ips = obj.spec?.clusterIPs;
    const clusterIP = ips && ips.length > 0 ? ips[0] : obj.spec?.clusterIP;
    return [
      name(obj),
      obj.spec?.type ?? '',
      clusterIP || '<none>',
      serviceExternalIP(obj),
      servicePorts(obj),
      age(obj, now),
      formatLabels(obj.spec?.selector),
    ];
  },
};

/** Upstream formatEndpoints: first three `ip:port` (or bare IPs without ports), `+ N more...`. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

/** net.JoinHostPort: brackets around IPv6 hosts. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [NAME, col('Endpoints', 'string', 'core/v1/Endpoints.subsets'), AGE],
  cells: (obj, now) => [name(obj), formatEndpoints(obj), age(obj, now)],
};

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_LABEL_ROLE = 'kubernetes.io/role';

/** Upstream findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted, distinct. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(node: Node): string {
  const status: string[] = [];
  // Upstream keeps the last condition of each type (a map keyed by type).
  let ready: { status: string } | undefined;
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') ready = c;
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodeAddress = (node: Node, type: string): string =>
  (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';

export const nodePrinter: Printer<Node> = {
  columns: [
    NAME,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE,
    col('Version', 'string', 'core/v1/NodeSystemInfo.kubeletVersion'),
    wide('Internal-IP', 'string', 'core/v1/NodeStatus.addresses'),
    wide('External-IP', 'string', 'core/v1/NodeStatus.addresses'),
    wide('OS-Image', 'string', 'core/v1/NodeSystemInfo.osImage'),
    wide('Kernel-Version', 'string', 'core/v1/NodeSystemInfo.kernelVersion'),
    wide('Container-Runtime', 'string', 'core/v1/NodeSystemInfo.containerRuntimeVersion'),
  ],
  cells(obj, now) {
    const info = obj.status?.nodeInfo;
    return [
      name(obj),
      nodeStatus(obj),
      nodeRoles(obj).join(',') || '<none>',
      age(obj, now),
      info?.kubeletVersion ?? '',
      nodeAddress(obj, 'InternalIP'),
      nodeAddress(obj, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

const sinceOrUnknown = (ts: string | undefined, now: number): string => translateTimestampSince(ts, now);

export const eventPrinter: Printer<Event> = {
  columns: [
    col('Last Seen', 'string', 'core/v1/Event.lastTimestamp'),
    col('Type', 'string', 'core/v1/Event.type'),
    col('Reason', 'string', 'core/v1/Event.reason'),
    col('Object', 'string', 'core/v1/Event.involvedObject'),
    wide('Subobject', 'string', 'core/v1/ObjectReference.fieldPath'),
    wide('Source', 'string', 'core/v1/Event.source'),
    col('Message', 'string', 'core/v1/Event.message'),
    wide('First Seen', 'string', 'core/v1/Event.firstTimestamp'),
    wide('Count', 'string', 'core/v1/Event.count'),
    wide('Name', 'string', 'meta/v1/ObjectMeta.name', 'name'),
  ],
  cells(obj, now) {
    let firstSeen = sinceOrUnknown(obj.firstTimestamp, now);
    if (parseTime(obj.firstTimestamp) === undefined) firstSeen = sinceOrUnknown(obj.eventTime, now);
    let lastSeen = sinceOrUnknown(obj.lastTimestamp, now);
    if (parseTime(obj.lastTimestamp) === undefined) lastSeen = firstSeen;
    let count = obj.count ?? 0;
    if (obj.series) {
      lastSeen = sinceOrUnknown(obj.series.lastObservedTime, now);
      count = obj.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the events.k8s.io API carry no count.
      count = 1;
    }
    const kind = (obj.involvedObject?.kind ?? '').toLowerCase();
    const target = obj.involvedObject?.name ? `${kind}/${obj.involvedObject.name}` : kind;
    const component = obj.source?.component || obj.reportingComponent || '';
    const host = obj.source?.host || obj.reportingInstance || '';
    return [
      lastSeen,
      obj.type ?? '',
      obj.reason ?? '',
      target,
      obj.involvedObject?.fieldPath ?? '',
      host ? `${component}, ${host}` : component,
      (obj.message ?? '').trim(),
      firstSeen,
      count,
      name(obj),
    ];
  },
};

export const namespacePrinter: Printer<Namespace> = {
  columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  cells: (obj, now) => [name(obj), obj.status?.phase ?? '', age(obj, now)],
};

export const secretPrinter: Printer<Secret> = {
  columns: [NAME, col('Type', 'string', 'core/v1/Secret.type'), col('Data', 'string', 'core/v1/Secret.data'), AGE],
  // Internal secrets merge stringData into data before printing.
  cells: (obj, now) => [
    name(obj),
    obj.type ?? '',
    new Set([...Object.keys(obj.data ?? {}), ...Object.keys(obj.stringData ?? {})]).size,
    age(obj, now),
  ],
};

export const serviceAccountPrinter: Printer<ServiceAccount> = {
  columns: [NAME, col('Secrets', 'string', 'core/v1/ServiceAccount.secrets'), AGE],
  cells: (obj, now) => [name(obj), obj.secrets?.length ?? 0, age(obj, now)],
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [NAME, col('Data', 'string', 'core/v1/ConfigMap.data'), AGE],
  cells: (obj, now) => [
    name(obj),
    Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length,
    age(obj, now),
  ],
};

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export const persistentVolumePrinter: Printer<PersistentVolume> = {
  columns: [
    NAME,
    col('Capacity', 'string', 'core/v1/PersistentVolumeSpec.capacity'),
    col('Access Modes', 'string', 'core/v1/PersistentVolumeSpec.accessModes'),
    col('Reclaim Policy', 'string', 'core/v1/PersistentVolumeSpec.persistentVolumeReclaimPolicy'),
    col('Status', 'string', 'core/v1/PersistentVolumeStatus.phase'),
    col('Claim', 'string', 'core/v1/PersistentVolumeSpec.claimRef'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'core/v1/PersistentVolumeStatus.reason'),
    AGE,
    wide('VolumeMode', 'string', 'core/v1/PersistentVolumeSpec.volumeMode'),
  ],
  cells(obj, now) {
    const ref = obj.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const annotations = obj.metadata?.annotations ?? {};
    const storageClass =
      BETA_STORAGE_CLASS_ANNOTATION in annotations ? annotations[BETA_STORAGE_CLASS_ANNOTATION]! : obj.spec?.storageClassName ?? '';
    return [
      name(obj),
      quantityString(obj.spec?.capacity?.['storage']),
      accessModesString(obj.spec?.accessModes),
      obj.spec?.persistentVolumeReclaimPolicy ?? '',
      obj.metadata?.deletionTimestamp ? 'Terminating' : obj.status?.phase ?? '',
      claim,
      storageClass,
      obj.spec?.volumeAttributesClassName ?? '<unset>',
      obj.status?.reason ?? '',
      age(obj, now),
      obj.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer<PersistentVolumeClaim> = {
  columns: [
    NAME,
    col('Status', 'string', 'core/v1/PersistentVolumeClaimStatus.phase'),
    col('Volume', 'string', 'core/v1/PersistentVolumeClaimSpec.volumeName'),
    col('Capacity', 'string', 'core/v1/PersistentVolumeClaimStatus.capacity'),
    col('Access Modes', 'string', 'core/v1/PersistentVolumeClaimStatus.accessModes'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE,
    wide('VolumeMode', 'string', 'core/v1/PersistentVolumeClaimSpec.volumeMode'),
  ],
  cells(obj, now) {
    const bound = !!obj.spec?.volumeName;
    const annotations = obj.metadata?.annotations ?? {};
    const storageClass =
      BETA_STORAGE_CLASS_ANNOTATION in annotations ? annotations[BETA_STORAGE_CLASS_ANNOTATION]! : obj.spec?.storageClassName ?? '';
    return [
      name(obj),
      obj.metadata?.deletionTimestamp ? 'Terminating' : obj.status?.phase ?? '',
      obj.spec?.volumeName ?? '',
      bound ? quantityString(obj.status?.capacity?.['storage']) : '',
      bound ? accessModesString(obj.status?.accessModes) : '',
      storageClass,
      obj.spec?.volumeAttributesClassName ?? '<unset>',
      age(obj, now),
      obj.spec?.volumeMode ?? '<unset>',
    ];
  },
};

/**
 * v1.32 order: NAME AGE REQUEST LIMIT (AGE moved last only in 1.33). Each column lists
 * `resource: used/hard` sorted by resource name; `limits.*` go to LIMIT, the rest to REQUEST.
 */
export const resourceQuotaPrinter: Printer<ResourceQuota> = {
  columns: [
    NAME,
    AGE,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells(obj, now) {
    // Upstream walks spec.hard and prints status used/hard (zero until the quota controller runs).
    const hard = obj.status?.hard ?? {};
    const used = obj.status?.used ?? {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const resource of Object.keys(obj.spec?.hard ?? {}).sort()) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
      target.push(`${resource}: ${quantityString(used[resource])}/${quantityString(hard[resource])}`);
    }
    return [name(obj), age(obj, now), request.join(', '), limit.join(', ')];
  },
};

