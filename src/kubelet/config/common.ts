// Turning a manifest file into a static pod (upstream pkg/kubelet/config/common.go): decode one
// v1 Pod, apply the API defaults the API server would have applied, give it its node-unique
// name, a UID that is the hash of its content and source, the config annotations and the
// NoExecute toleration, validate it as a create, and refuse references to API objects.

import { createHash } from 'node:crypto';
import type { Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { setDefaultsPod } from '../../api/core/v1/defaults.js';
import { validatePod } from '../../api/core/v1/validation/pod.js';
import { nameIsDNSSubdomain, validateObjectMeta } from '../../api/meta/v1/validation.js';
import type { DeepMutable } from '../../util/mutable.js';
import { CONFIG_HASH_ANNOTATION } from '../util/pod.js';

/** Upstream maxConfigLength: a manifest larger than this is not read. */
export const MAX_CONFIG_LENGTH = 10 * 1024 * 1024;

/** A manifest that is not a usable static pod; `message` is what the kubelet logs. */
export class ManifestError extends Error {
  readonly code = 'InvalidManifest';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

type MutablePod = DeepMutable<Pod>;

/** Upstream generatePodName: `<name>-<lowercased node name>`. */
export function generatePodName(name: string, nodeName: string): string {
  return `${name}-${nodeName.toLowerCase()}`;
}

/**
 * Decodes one static pod from a manifest's bytes (YAML or JSON; the first document counts, as
 * upstream's YAML-to-JSON conversion does). Throws ManifestError with upstream's wording when
 * the file is not a Pod, is invalid, or references API objects.
 */
export function decodeStaticPod(data: string, source: string, nodeName: string): Pod {
  let obj: unknown;
  try {
    const docs = parseAllDocuments(data);
    if (!Array.isArray(docs)) throw new Error('empty document');
    const doc = docs[0];
    if (!doc) throw new Error('empty document');
    if (doc.errors.length > 0) throw doc.errors[0]!;
    obj = doc.toJS();
  } catch (err) {
    throw new ManifestError(`${source}: couldn't parse as pod(${errText(err).split('\n')[0]}), please check config file`, { cause: err });
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ManifestError(`${source}: couldn't parse as pod(Object 'Kind' is missing in '${JSON.stringify(obj ?? null)}'), please check config file`);
  }
  const o = obj as { kind?: unknown; apiVersion?: unknown };
  if (typeof o.kind !== 'string' || o.kind === '') {
    throw new ManifestError(`${source}: couldn't parse as pod(Object 'Kind' is missing in '${JSON.stringify(obj)}'), please check config file`);
  }
  if (o.kind !== 'Pod' || o.apiVersion !== 'v1') {
    throw new ManifestError(`${source}: couldn't parse as pod(invalid pod: ${String(o.apiVersion ?? '')}, Kind=${o.kind}), please check config file`);
  }
  const pod = structuredClone(obj) as MutablePod;
  pod.metadata ??= {};
  if (!pod.metadata.name) throw new ManifestError('invalid pod: name is needed for the pod');
  // The scheme's defaults first (the decoder applies them), then the kubelet's own.
  setDefaultsPod(pod as Pod);
  applyStaticDefaults(pod, source, nodeName);
  const errs = [
    ...validateObjectMeta(pod.metadata as Pod['metadata'], { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...validatePod(pod as Pod),
  ];
  if (errs.length > 0) throw new ManifestError(`invalid pod: [${errs.map(String).join(' ')}]`);
  const resource = apiObjectReference(pod as Pod);
  if (resource) throw new ManifestError(`static pods may not reference ${resource}`);
  return pod as Pod;
}

/** Upstream applyDefaults for a file source. */
function applyStaticDefaults(pod: MutablePod, source: string, nodeName: string): void {
  const meta = (pod.metadata ??= {});
  if (!meta.uid) {
    // The UID is a hash of the defaulted pod and where it came from: the same file on the
    // same node gives the same pod across kubelet restarts; any change gives a new pod.
    const h = createHash('md5');
    h.update(JSON.stringify(pod));
    h.update(`host:${nodeName}`);
    h.update(`file:${source}`);
    meta.uid = h.digest('hex');
  }
  meta.name = generatePodName(meta.name ?? '', nodeName);
  if (!meta.namespace) meta.namespace = 'default';
  const spec = (pod.spec ??= { containers: [] }) as DeepMutable<PodSpec>;
  spec.nodeName = nodeName;
  meta.annotations = { ...meta.annotations, [CONFIG_HASH_ANNOTATION]: meta.uid };
  // Static pods tolerate every NoExecute taint: node problems must not evict them.
  addOrUpdateToleration(spec, { operator: 'Exists', effect: 'NoExecute' });
  pod.status = { phase: 'Pending' };
}

/** Upstream AddOrUpdateTolerationInPod: replaces a toleration matching on key/operator/value/effect, else appends. */
function addOrUpdateToleration(spec: DeepMutable<PodSpec>, t: Toleration): void {
  const list = spec.tolerations ?? [];
  const same = (a: Toleration): boolean =>
    (a.key ?? '') === (t.key ?? '') && (a.operator ?? '') === (t.operator ?? '') && (a.value ?? '') === (t.value ?? '') && (a.effect ?? '') === (t.effect ?? '');
  let found = false;
  const next = list.map((x) => {
    if (!same(x)) return x;
    found = true;
    return { ...t };
  });
  if (!found) next.push({ ...t });
  spec.tolerations = next;
}

/**
 * Upstream HasAPIObjectReference (the PreventStaticPodAPIReferences rule): the plural resource
 * of the first API object the pod refers to, or undefined. Service accounts first, then
 * secrets, config maps, resource claims, then volume types that need the API.
 */
export function apiObjectReference(pod: Pod): string | undefined {
  const spec = pod.spec;
  if (!spec) return undefined;
  if (spec.serviceAccountName) return 'serviceaccounts';
  if (referencesSecrets(spec)) return 'secrets';
  if (referencesConfigMaps(spec)) return 'configmaps';
  if ((spec.resourceClaims ?? []).length > 0) return 'resourceclaims';
  for (const v of spec.volumes ?? []) {
    if (v.configMap) return 'configmaps (via configmap volumes)';
    if (v.secret) return 'secrets (via secret volumes)';
    if (v.csi) return 'csidrivers (via CSI volumes)';
    if (v.glusterfs) return 'endpoints (via glusterFS volumes)';
    if (v.persistentVolumeClaim) return 'persistentvolumeclaims';
    if (v.ephemeral) return 'persistentvolumeclaims (via ephemeral volumes)';
    if (v.azureFile) return 'secrets (via azureFile volumes)';
    for (const s of v.projected?.sources ?? []) {
      const src = s as typeof s & { podCertificate?: unknown };
      if (src.configMap) return 'configmaps (via projected volumes)';
      if (src.secret) return 'secrets (via projected volumes)';
      if (src.serviceAccountToken) return 'serviceaccounts (via projected volumes)';
      if (src.clusterTrustBundle) return 'clustertrustbundles';
      if (src.podCertificate) return 'podcertificates';
    }
  }
  return undefined;
}

function allContainers(spec: PodSpec): { env?: PodSpec['containers'][number]['env']; envFrom?: PodSpec['containers'][number]['envFrom'] }[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
}

/** Upstream VisitPodSecretNames found at least one name. */
function referencesSecrets(spec: PodSpec): boolean {
  if ((spec.imagePullSecrets ?? []).length > 0) return true;
  for (const c of allContainers(spec)) {
    if ((c.envFrom ?? []).some((e) => e.secretRef)) return true;
    if ((c.env ?? []).some((e) => e.valueFrom?.secretKeyRef)) return true;
  }
  for (const v of spec.volumes ?? []) {
    if (v.azureFile || v.secret) return true;
    if (v.cephfs?.secretRef || v.cinder?.secretRef || v.flexVolume?.secretRef || v.rbd?.secretRef) return true;
    if (v.scaleIO?.secretRef || v.iscsi?.secretRef || v.storageos?.secretRef || v.csi?.nodePublishSecretRef) return true;
    if ((v.projected?.sources ?? []).some((s) => s.secret)) return true;
  }
  return false;
}

/** Upstream VisitPodConfigmapNames found at least one name. */
function referencesConfigMaps(spec: PodSpec): boolean {
  for (const c of allContainers(spec)) {
    if ((c.envFrom ?? []).some((e) => e.configMapRef)) return true;
    if ((c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef)) return true;
  }
  for (const v of spec.volumes ?? []) {
    if (v.configMap) return true;
    if ((v.projected?.sources ?? []).some((s) => s.configMap)) return true;
  }
  return false;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
