// core/v1 defaulting, as upstream pkg/apis/core/v1/defaults.go plus the declarative defaults in
// zz_generated.defaults.go (v1.32). Every function fills missing fields in place and is idempotent.
// Empty maps are not created: Go's omitempty would drop them on the wire anyway.

import type {
  Container,
  ConfigMap,
  Endpoints,
  HTTPGetAction,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  Pod,
  PodSpec,
  PodTemplate,
  PodTemplateSpec,
  Probe,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  Volume,
  LifecycleHandler,
} from 'kubernetes-types/core/v1.js';

/** Image pull policy: Always for `:latest` or an untagged image, IfNotPresent otherwise (digests included). */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  let img = image ?? '';
  const at = img.indexOf('@');
  const digested = at >= 0;
  if (digested) img = img.slice(0, at);
  const lastSlash = img.lastIndexOf('/');
  const colon = img.indexOf(':', lastSlash + 1);
  // parsers.ParseImageName: no tag and no digest means "latest".
  const tag = colon >= 0 ? img.slice(colon + 1) : digested ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function setDefaultsHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function setDefaultsProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  setDefaultsHTTPGet(p.httpGet);
  const grpc = p.grpc as { service?: string } | undefined;
  if (grpc && grpc.service === undefined) grpc.service = '';
}

function setDefaultsHandler(h: LifecycleHandler | undefined): void {
  if (h) setDefaultsHTTPGet(h.httpGet);
}

/** SetDefaults_Container plus the per-field defaults of its members. */
export function setDefaultsContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  // A Go struct (not a pointer) is always serialised, so kubectl shows `resources: {}`.
  if (!c.resources) c.resources = {};
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const fr = e.valueFrom?.fieldRef;
    if (fr && !fr.apiVersion) fr.apiVersion = 'v1';
  }
  setDefaultsProbe(c.livenessProbe);
  setDefaultsProbe(c.readinessProbe);
  setDefaultsProbe(c.startupProbe);
  setDefaultsHandler(c.lifecycle?.postStart);
  setDefaultsHandler(c.lifecycle?.preStop);
}

/** SetDefaults_PersistentVolumeClaimSpec */
export function setDefaultsPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined): void {
  if (spec && !spec.volumeMode) spec.volumeMode = 'Filesystem';
}

/** SetDefaults_Volume and the defaults of each volume source. */
export function setDefaultsVolume(v: Volume): void {
  const sourceKeys = Object.keys(v).filter((k) => k !== 'name' && (v as unknown as Record<string, unknown>)[k] != null);
  if (sourceKeys.length === 0) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = 0o644;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = 0o644;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = 0o644;
    for (const f of v.downwardAPI.items ?? []) if (f.fieldRef && !f.fieldRef.apiVersion) f.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = 0o644;
    for (const s of v.projected.sources ?? []) {
      for (const f of s.downwardAPI?.items ?? []) if (f.fieldRef && !f.fieldRef.apiVersion) f.fieldRef.apiVersion = 'v1';
      if (s.serviceAccountToken && s.serviceAccountToken.expirationSeconds === undefined) s.serviceAccountToken.expirationSeconds = 3600;
    }
  }
  if (v.iscsi && !v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  if (v.rbd) {
    if (!v.rbd.pool) v.rbd.pool = 'rbd';
    if (!v.rbd.user) v.rbd.user = 'admin';
    if (!v.rbd.keyring) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    if (v.azureDisk.cachingMode === undefined) v.azureDisk.cachingMode = 'ReadWrite';
    if (v.azureDisk.kind === undefined) v.azureDisk.kind = 'Shared';
    if (v.azureDisk.fsType === undefined) v.azureDisk.fsType = 'ext4';
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
  }
  if (v.scaleIO) {
    if (!v.scaleIO.storageMode) v.scaleIO.storageMode = 'ThinProvisioned';
    if (!v.scaleIO.fsType) v.scaleIO.fsType = 'xfs';
  }
  setDefaultsPersistentVolumeClaimSpec(v.ephemeral?.volumeClaimTemplate?.spec);
}

/** SetDefaults_PodSpec plus the defaults reached through it (containers, volumes). */
export function setDefaultsPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // The deprecated serviceAccount mirrors serviceAccountName both ways (upstream v1 conversion).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const v of spec.volumes ?? []) setDefaultsVolume(v);
  for (const c of spec.initContainers ?? []) setDefaultsContainer(c);
  for (const c of spec.containers ?? []) setDefaultsContainer(c);
  for (const c of spec.ephemeralContainers ?? []) setDefaultsContainer(c as Container);
}

/** Defaults of a PodTemplateSpec (used by RC, PodTemplate and the apps/batch workloads). */
export function setDefaultsPodTemplateSpec(t: PodTemplateSpec): void {
  if (!t.spec) t.spec = { containers: [] };
  setDefaultsPodSpec(t.spec);
}

function defaultRequestsFromLimits(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (!limits || Object.keys(limits).length === 0) continue;
    const requests = (c.resources!.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
}

/** SetObjectDefaults_Pod: SetDefaults_Pod (requests from limits, enableServiceLinks, host ports) and the spec. */
export function setDefaultsPod(pod: Pod): void {
  if (!pod.spec) pod.spec = { containers: [] };
  const spec = pod.spec;
  setDefaultsPodSpec(spec);
  defaultRequestsFromLimits(spec.containers);
  defaultRequestsFromLimits(spec.initContainers);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

/** SetObjectDefaults_PodTemplate */
export function setDefaultsPodTemplate(pt: PodTemplate): void {
  if (pt.template) setDefaultsPodTemplateSpec(pt.template);
}

/** SetObjectDefaults_ReplicationController: selector and labels from the template, replicas 1. */
export function setDefaultsReplicationController(rc: ReplicationController): void {
  if (!rc.spec) rc.spec = {};
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(rc.spec.selector ?? {}).length === 0) rc.spec.selector = { ...labels };
    if (!rc.metadata) rc.metadata = {};
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  if (rc.spec.replicas === undefined || rc.spec.replicas === null) rc.spec.replicas = 1;
  if (rc.spec.template) setDefaultsPodTemplateSpec(rc.spec.template);
}

/** SetDefaults_Service. ipFamilyPolicy/ipFamilies/clusterIPs are the registry's (allocation). */
export function setDefaultsService(svc: Service): void {
  if (!svc.spec) svc.spec = {};
  const spec = svc.spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP')) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null) spec.allocateLoadBalancerNodePorts = true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
}

/** SetDefaults_Endpoints */
export function setDefaultsEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}

/**
 * SetDefaults_Secret (type Opaque) plus the v1→internal conversion's merge of stringData into
 * data: stringData is write-only and never stored or returned.
 */
export function setDefaultsSecret(secret: Secret): void {
  if (!secret.type) secret.type = 'Opaque';
  if (secret.stringData) {
    const data = (secret.data ??= {});
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(v ?? '', 'utf8').toString('base64');
    delete secret.stringData;
  }
}

/** ConfigMap has no wire-visible defaults (upstream's empty data map is dropped by omitempty). */
export function setDefaultsConfigMap(_cm: ConfigMap): void {}

/** SetDefaults_Namespace (the kubernetes.io/metadata.name label) and SetDefaults_NamespaceStatus (phase Active). */
export function setDefaultsNamespace(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (name) {
    const labels = (ns.metadata!.labels ??= {});
    labels['kubernetes.io/metadata.name'] = name;
  }
  if (!ns.status) ns.status = {};
  if (!ns.status.phase) ns.status.phase = 'Active';
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
export function setDefaultsNode(node: Node): void {
  const st = node.status;
  if (st && !st.allocatable && st.capacity) st.allocatable = { ...st.capacity };
}

/** SetDefaults_PersistentVolume */
export function setDefaultsPersistentVolume(pv: PersistentVolume): void {
  if (!pv.spec) pv.spec = {};
  // kubernetes-types marks status read-only; the apiserver owns it, so writing here is fine.
  const st = ((pv as { status?: { phase?: string } }).status ??= {});
  if (!st.phase) st.phase = 'Pending';
  if (!pv.spec.persistentVolumeReclaimPolicy) pv.spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!pv.spec.volumeMode) pv.spec.volumeMode = 'Filesystem';
  if (pv.spec.hostPath && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = '';
}

/** SetDefaults_PersistentVolumeClaim and its spec. */
export function setDefaultsPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  if (!pvc.spec) pvc.spec = {};
  setDefaultsPersistentVolumeClaimSpec(pvc.spec);
  const st = ((pvc as { status?: { phase?: string } }).status ??= {});
  if (!st.phase) st.phase = 'Pending';
}

/** SetDefaults_LimitRangeItem: for Container limits, default ← max, defaultRequest ← default, then ← min. */
export function setDefaultsLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def: Record<string, string> = { ...((item.default as Record<string, string> | undefined) ?? {}) };
    const req: Record<string, string> = { ...((item.defaultRequest as Record<string, string> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v as string;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v as string;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(req).length) item.defaultRequest = req;
  }
}

/** ResourceQuota has no defaults. */
export function setDefaultsResourceQuota(_rq: ResourceQuota): void {}
