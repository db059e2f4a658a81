// The catalogue of built-in resources served by k8ts, as a v1.32 kube-apiserver serves them:
// names, scope, short names, categories, verbs and subresources. Discovery, OpenAPI, the
// registry and kubectl's `api-resources` all read this one table.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceInfo {
  /** `status`, `scale`, `log`, … */
  name: string;
  /** Kind of the subresource's body when it differs from the parent's (Scale, Binding, Eviction, …). */
  responseKind?: { group: string; version: string; kind: string };
  verbs: readonly Verb[];
}

export interface ResourceInfo {
  group: string;
  /** Versions served for this resource, preferred first. The first is also the storage version unless `storageVersion` says otherwise. */
  versions: readonly string[];
  /** Hub version that objects are stored in and converted through (same group unless `storage` names another). */
  storage?: { group: string; version: string };
  kind: string;
  /** Plural, lowercase: `pods`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs: readonly Verb[];
  subresources?: readonly SubresourceInfo[];
}

const STATUS: SubresourceInfo = { name: 'status', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceInfo = {
  name: 'scale',
  responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  verbs: ['get', 'patch', 'update'],
};
const CRUD = ALL_VERBS;
const NS = true;
const CLUSTER = false;

function r(
  group: string,
  versions: readonly string[],
  kind: string,
  resource: string,
  namespaced: boolean,
  extra: Partial<Omit<ResourceInfo, 'group' | 'versions' | 'kind' | 'resource' | 'namespaced'>> = {},
): ResourceInfo {
  return { group, versions, kind, resource, namespaced, singular: kind.toLowerCase(), verbs: CRUD, ...extra };
}

const podSubresources: SubresourceInfo[] = [
  { name: 'attach', responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
  { name: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
  { name: 'ephemeralcontainers', verbs: ['get', 'patch', 'update'] },
  { name: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
  { name: 'exec', responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
  { name: 'log', verbs: ['get'] },
  { name: 'portforward', responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
  { name: 'proxy', responseKind: { group: '', version: 'v1', kind: 'PodProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  STATUS,
];

const APPS_LEGACY = { group: 'apps', version: 'v1' };
const NET_LEGACY = { group: 'networking.k8s.io', version: 'v1' };

export const RESOURCES: readonly ResourceInfo[] = [
  // core/v1
  r('', ['v1'], 'Binding', 'bindings', NS, { verbs: ['create'] }),
  r('', ['v1'], 'ConfigMap', 'configmaps', NS, { shortNames: ['cm'] }),
  r('', ['v1'], 'Endpoints', 'endpoints', NS, { singular: 'endpoints', shortNames: ['ep'] }),
  r('', ['v1'], 'Event', 'events', NS, { shortNames: ['ev'] }),
  r('', ['v1'], 'LimitRange', 'limitranges', NS, { shortNames: ['limits'] }),
  r('', ['v1'], 'Namespace', 'namespaces', CLUSTER, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'finalize', verbs: ['update'] }, STATUS],
  }),
  r('', ['v1'], 'Node', 'nodes', CLUSTER, {
    shortNames: ['no'],
    subresources: [{ name: 'proxy', responseKind: { group: '', version: 'v1', kind: 'NodeProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] }, STATUS],
  }),
  r('', ['v1'], 'PersistentVolumeClaim', 'persistentvolumeclaims', NS, { shortNames: ['pvc'], subresources: [STATUS] }),
  r('', ['v1'], 'PersistentVolume', 'persistentvolumes', CLUSTER, { shortNames: ['pv'], subresources: [STATUS] }),
  r('', ['v1'], 'Pod', 'pods', NS, { shortNames: ['po'], categories: ['all'], subresources: podSubresources }),
  r('', ['v1'], 'PodTemplate', 'podtemplates', NS),
  r('', ['v1'], 'ReplicationController', 'replicationcontrollers', NS, {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [SCALE, STATUS],
  }),
  r('', ['v1'], 'ResourceQuota', 'resourcequotas', NS, { shortNames: ['quota'], subresources: [STATUS] }),
  r('', ['v1'], 'Secret', 'secrets', NS),
  r('', ['v1'], 'ServiceAccount', 'serviceaccounts', NS, {
    shortNames: ['sa'],
    subresources: [{ name: 'token', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }],
  }),
  r('', ['v1'], 'Service', 'services', NS, {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'proxy', responseKind: { group: '', version: 'v1', kind: 'ServiceProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] }, STATUS],
  }),

  // admissionregistration.k8s.io/v1 (stored and served; enforcement comes with the security issue)
  r('admissionregistration.k8s.io', ['v1'], 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', CLUSTER, { categories: ['api-extensions'] }),
  r('admissionregistration.k8s.io', ['v1'], 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', CLUSTER, { categories: ['api-extensions'], subresources: [STATUS] }),
  r('admissionregistration.k8s.io', ['v1'], 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', CLUSTER, { categories: ['api-extensions'] }),
  r('admissionregistration.k8s.io', ['v1'], 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', CLUSTER, { categories: ['api-extensions'] }),

  // apiextensions.k8s.io/v1
  r('apiextensions.k8s.io', ['v1'], 'CustomResourceDefinition', 'customresourcedefinitions', CLUSTER, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: [STATUS],
  }),

  // apps/v1 (+ the removed apps/v1beta1, apps/v1beta2 and extensions/v1beta1 that seed manifests use)
  r('apps', ['v1', 'v1beta2', 'v1beta1'], 'ControllerRevision', 'controllerrevisions', NS),
  r('apps', ['v1', 'v1beta2'], 'DaemonSet', 'daemonsets', NS, { shortNames: ['ds'], categories: ['all'], subresources: [STATUS] }),
  r('apps', ['v1', 'v1beta2', 'v1beta1'], 'Deployment', 'deployments', NS, { shortNames: ['deploy'], categories: ['all'], subresources: [SCALE, STATUS] }),
  r('apps', ['v1', 'v1beta2'], 'ReplicaSet', 'replicasets', NS, { shortNames: ['rs'], categories: ['all'], subresources: [SCALE, STATUS] }),
  r('apps', ['v1', 'v1beta2', 'v1beta1'], 'StatefulSet', 'statefulsets', NS, { shortNames: ['sts'], categories: ['all'], subresources: [SCALE, STATUS] }),
  r('extensions', ['v1beta1'], 'DaemonSet', 'daemonsets', NS, { storage: APPS_LEGACY, subresources: [STATUS] }),
  r('extensions', ['v1beta1'], 'Deployment', 'deployments', NS, { storage: APPS_LEGACY, subresources: [SCALE, STATUS] }),
  r('extensions', ['v1beta1'], 'ReplicaSet', 'replicasets', NS, { storage: APPS_LEGACY, subresources: [SCALE, STATUS] }),
  r('extensions', ['v1beta1'], 'Ingress', 'ingresses', NS, { storage: NET_LEGACY, subresources: [STATUS] }),

  // autoscaling
  r('autoscaling', ['v2', 'v1'], 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', NS, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [STATUS],
  }),

  // batch/v1
  r('batch', ['v1'], 'CronJob', 'cronjobs', NS, { shortNames: ['cj'], categories: ['all'], subresources: [STATUS] }),
  r('batch', ['v1'], 'Job', 'jobs', NS, { categories: ['all'], subresources: [STATUS] }),

  // certificates.k8s.io/v1
  r('certificates.k8s.io', ['v1'], 'CertificateSigningRequest', 'certificatesigningrequests', CLUSTER, {
    shortNames: ['csr'],
    subresources: [{ name: 'approval', verbs: ['get', 'patch', 'update'] }, STATUS],
  }),

  // coordination.k8s.io/v1
  r('coordination.k8s.io', ['v1'], 'Lease', 'leases', NS),

  // discovery.k8s.io/v1
  r('discovery.k8s.io', ['v1'], 'EndpointSlice', 'endpointslices', NS),

  // events.k8s.io/v1 (the same objects as core/v1 events, another shape)
  r('events.k8s.io', ['v1'], 'Event', 'events', NS, { shortNames: ['ev'], storage: { group: '', version: 'v1' } }),

  // networking.k8s.io/v1
  r('networking.k8s.io', ['v1'], 'IngressClass', 'ingressclasses', CLUSTER),
  r('networking.k8s.io', ['v1'], 'Ingress', 'ingresses', NS, { shortNames: ['ing'], subresources: [STATUS] }),
  r('networking.k8s.io', ['v1'], 'NetworkPolicy', 'networkpolicies', NS, { shortNames: ['netpol'] }),

  // node.k8s.io/v1
  r('node.k8s.io', ['v1'], 'RuntimeClass', 'runtimeclasses', CLUSTER),

  // policy/v1
  r('policy', ['v1'], 'PodDisruptionBudget', 'poddisruptionbudgets', NS, { shortNames: ['pdb'], subresources: [STATUS] }),

  // rbac.authorization.k8s.io/v1 (+ v1beta1, removed upstream in 1.22, used by the seeds)
  r('rbac.authorization.k8s.io', ['v1', 'v1beta1'], 'ClusterRoleBinding', 'clusterrolebindings', CLUSTER),
  r('rbac.authorization.k8s.io', ['v1', 'v1beta1'], 'ClusterRole', 'clusterroles', CLUSTER),
  r('rbac.authorization.k8s.io', ['v1', 'v1beta1'], 'RoleBinding', 'rolebindings', NS),
  r('rbac.authorization.k8s.io', ['v1', 'v1beta1'], 'Role', 'roles', NS),

  // scheduling.k8s.io/v1
  r('scheduling.k8s.io', ['v1'], 'PriorityClass', 'priorityclasses', CLUSTER, { shortNames: ['pc'] }),

  // storage.k8s.io/v1
  r('storage.k8s.io', ['v1'], 'CSIDriver', 'csidrivers', CLUSTER),
  r('storage.k8s.io', ['v1'], 'CSINode', 'csinodes', CLUSTER),
  r('storage.k8s.io', ['v1'], 'CSIStorageCapacity', 'csistoragecapacities', NS),
  r('storage.k8s.io', ['v1'], 'StorageClass', 'storageclasses', CLUSTER, { shortNames: ['sc'] }),
  r('storage.k8s.io', ['v1'], 'VolumeAttachment', 'volumeattachments', CLUSTER, { subresources: [STATUS] }),
];


/** The group/version string: `v1`, `apps/v1`. */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Resources served at a group/version. */
export function resourcesAt(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((x) => x.group === group && x.versions.includes(version));
}

/** Groups with their versions, preferred first, in discovery order (core first). */
export function servedGroups(): { group: string; versions: string[] }[] {
  const out = new Map<string, string[]>();
  for (const res of RESOURCES) {
    const vs = out.get(res.group) ?? [];
    for (const v of res.versions) if (!vs.includes(v)) vs.push(v);
    out.set(res.group, vs);
  }
  const rank = (v: string): number => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return 0;
    const major = Number(m[1]);
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return stage * 1e6 + major * 1e3 + Number(m[3] ?? 0);
  };
  return [...out.entries()].map(([group, versions]) => ({ group, versions: versions.sort((a, b) => rank(b) - rank(a)) }));
}
