// ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount): every pod runs as a
// ServiceAccount that exists (`default` unless named), gets the account's image pull secrets,
// and, unless automounting is turned off, a projected `kube-api-access-*` volume (bound token,
// cluster CA, namespace) mounted at /var/run/secrets/kubernetes.io/serviceaccount in every
// container. The token itself is requested later by the kubelet.

import type { Container, EphemeralContainer, Pod, ServiceAccount, Volume, VolumeMount, ProjectedVolumeSource } from 'kubernetes-types/core/v1.js';
import { newForbidden, newNotFound, type GroupResource } from '../../../../machinery/errors.js';

export const NAME = 'ServiceAccount';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
/** Prefix of the generated token volume's name. */
export const SERVICE_ACCOUNT_VOLUME_NAME = 'kube-api-access';
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = 'kubernetes.io/enforce-mountable-secrets';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const ROOT_CA_CONFIGMAP_NAME = 'kube-root-ca.crt';
/** Upstream serviceaccount.WarnOnlyBoundTokenExpirationSeconds: one hour plus 7 s. */
export const TOKEN_EXPIRATION_SECONDS = 3607;

const PODS: GroupResource = { group: '', resource: 'pods' };

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface ServiceAccountOptions {
  /** Reads one ServiceAccount; undefined when absent. Other failures throw. */
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  /** Names the token volume from its prefix; default: prefix + 5 random characters. */
  generateName?(prefix: string): string;
  /** Waits between lookups of a missing `default` account; default setTimeout. */
  sleep?(ms: number): Promise<void>;
  /** Upstream LimitSecretReferences (false): enforce mountable secrets for every account. */
  limitSecretReferences?: boolean;
}

export interface ServiceAccountPlugin {
  /**
   * Runs on pods: CREATE defaults and checks the service account and mounts the token; other
   * operations of the pod itself pass (upstream checks only `ephemeralcontainers` updates,
   * see validateEphemeralContainers). Throws Forbidden with upstream's messages.
   */
  admitPod(operation: Operation, namespace: string, pod: Pod): Promise<void>;
  /** The check of an UPDATE of the `ephemeralcontainers` subresource. */
  validateEphemeralContainers(namespace: string, pod: Pod): Promise<void>;
}

// The alphabet and length of upstream's names.SimpleNameGenerator.
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function simpleName(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

/** The projected volume source of the token volume (upstream TokenVolumeSource). */
export function tokenVolumeSource(): ProjectedVolumeSource {
  return {
    // Set explicitly, as upstream does (kubernetes#104464).
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  if (pod.spec?.automountServiceAccountToken != null) return pod.spec.automountServiceAccountToken;
  if (sa.automountServiceAccountToken != null) return sa.automountServiceAccountToken;
  return true;
}

/** Go's strconv.ParseBool truth values. */
function parseBool(v: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

/** Whether the pod references any secret (upstream podutil.VisitPodSecretNames over all containers). */
function referencesSecrets(pod: Pod): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  if (spec.imagePullSecrets?.some((s) => s.name)) return true;
  const containers: (Container | EphemeralContainer)[] = [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
  for (const c of containers) {
    if (c.envFrom?.some((e) => e.secretRef?.name)) return true;
    if (c.env?.some((e) => e.valueFrom?.secretKeyRef?.name)) return true;
  }
  for (const v of spec.volumes ?? []) {
    if (
      v.azureFile?.secretName ||
      v.cephfs?.secretRef?.name ||
      v.cinder?.secretRef?.name ||
      v.flexVolume?.secretRef?.name ||
      v.projected?.sources?.some((s) => s.secret?.name) ||
      v.rbd?.secretRef?.name ||
      v.secret?.secretName ||
      v.scaleIO?.secretRef?.name ||
      v.iscsi?.secretRef?.name ||
      v.storageos?.secretRef?.name ||
      v.csi?.nodePublishSecretRef?.name
    ) {
      return true;
    }
  }
  return false;
}

/** Upstream limitSecretReferences: '' when allowed, else why not. */
function secretReferenceError(sa: ServiceAccount, pod: Pod): string {
  const saName = sa.metadata?.name ?? '';
  const mountable = new Set((sa.secrets ?? []).map((s) => s.name ?? ''));
  const spec = pod.spec;
  if (!spec) return '';
  for (const v of spec.volumes ?? []) {
    if (!v.secret) continue;
    const name = v.secret.secretName ?? '';
    if (!mountable.has(name)) return `volume with secret.secretName="${name}" is not allowed because service account ${saName} does not reference that secret`;
  }
  const containerErr = (kind: string, containers: readonly (Container | EphemeralContainer)[]): string => {
    for (const c of containers) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !mountable.has(ref.name ?? '')) {
          return `${kind} ${c.name} with envVar ${e.name} referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`;
        }
      }
      for (const e of c.envFrom ?? []) {
        const ref = e.secretRef;
        if (ref && !mountable.has(ref.name ?? '')) {
          return `${kind} ${c.name} with envFrom referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`;
        }
      }
    }
    return '';
  };
  const err = containerErr('init container', spec.initContainers ?? []) || containerErr('container', spec.containers);
  if (err) return err;
  const pull = new Set((sa.imagePullSecrets ?? []).map((s) => s.name ?? ''));
  for (const [i, ref] of (spec.imagePullSecrets ?? []).entries()) {
    if (!pull.has(ref.name ?? '')) {
      return `imagePullSecrets[${i}].name="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
    }
  }
  return '';
}

export function create(opts: ServiceAccountOptions): ServiceAccountPlugin {
  const generateName = opts.generateName ?? simpleName;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  /**
   * Upstream getServiceAccount: a missing `default` account is looked up 10 times over about
   * a second and a half, since the controller creates it just after its namespace.
   */
  const lookup = async (namespace: string, name: string): Promise<ServiceAccount> => {
    const attempts = name === DEFAULT_SERVICE_ACCOUNT_NAME ? 10 : 1;
    const interval = 100 + Math.floor(Math.random() * 100);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(interval);
      const sa = await opts.getServiceAccount(namespace, name);
      if (sa) return sa;
    }
    // Upstream names the resource in the singular here.
    throw newNotFound({ group: '', resource: 'serviceaccount' }, name);
  };

  const getOrForbid = async (namespace: string, pod: Pod, name: string): Promise<ServiceAccount> => {
    try {
      return await lookup(namespace, name);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw newForbidden(PODS, pod.metadata?.name ?? '', `error looking up service account ${namespace}/${name}: ${msg}`);
    }
  };

  const enforceMountable = (sa: ServiceAccount): boolean => {
    if (opts.limitSecretReferences) return true;
    const v = sa.metadata?.annotations?.[ENFORCE_MOUNTABLE_SECRETS_ANNOTATION];
    return v !== undefined && parseBool(v);
  };

  const mountToken = (pod: Pod): void => {
    const spec = pod.spec!;
    const volumes = spec.volumes ?? [];
    const existing = volumes.find((v) => v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`));
    const volumeName = existing?.name ?? generateName(`${SERVICE_ACCOUNT_VOLUME_NAME}-`);
    let needsVolume = false;
    const mount = (c: Container): void => {
      // An existing mount at the token path wins over the automatic one.
      if (c.volumeMounts?.some((m) => m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) return;
      const vm: VolumeMount = { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };
      c.volumeMounts = [...(c.volumeMounts ?? []), vm];
      needsVolume = true;
    };
    for (const c of spec.initContainers ?? []) mount(c);
    for (const c of spec.containers ?? []) mount(c);
    if (!existing && needsVolume) {
      const volume: Volume = { name: volumeName, projected: tokenVolumeSource() };
      spec.volumes = [...volumes, volume];
    }
  };

  /** The validating half (upstream Validate on CREATE); `found` is the account admit just read. */
  const validateCreate = async (namespace: string, pod: Pod, found?: ServiceAccount): Promise<void> => {
    const spec = pod.spec!;
    const podName = pod.metadata?.name ?? '';
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) {
      if (spec.serviceAccountName) throw newForbidden(PODS, podName, 'a mirror pod may not reference service accounts');
      if (referencesSecrets(pod)) throw newForbidden(PODS, podName, 'a mirror pod may not reference secrets');
      if (spec.volumes?.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken))) {
        throw newForbidden(PODS, podName, 'a mirror pod may not use ServiceAccountToken volume projections');
      }
      return;
    }
    if (!spec.serviceAccountName) throw newForbidden(PODS, podName, `no service account specified for pod ${namespace}/${podName}`);
    const sa = found ?? (await getOrForbid(namespace, pod, spec.serviceAccountName));
    if (enforceMountable(sa)) {
      const err = secretReferenceError(sa, pod);
      if (err) throw newForbidden(PODS, podName, err);
    }
  };

  return {
    async admitPod(operation, namespace, pod) {
      if (operation !== 'CREATE' || !pod.spec) return;
      const spec = pod.spec;
      // The deprecated `serviceAccount` field is an alias (upstream conversion): read it when
      // the name is empty and always write it back equal.
      if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
      // Mirror pods are never changed: the kubelet would not recognise its own pod.
      if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return validateCreate(namespace, pod);
      spec.serviceAccountName ||= DEFAULT_SERVICE_ACCOUNT_NAME;
      spec.serviceAccount = spec.serviceAccountName;
      const sa = await getOrForbid(namespace, pod, spec.serviceAccountName);
      if (shouldAutomount(sa, pod)) mountToken(pod);
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) {
        spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
      }
      await validateCreate(namespace, pod, sa);
    },

    async validateEphemeralContainers(namespace, pod) {
      const spec = pod.spec;
      if (!spec) return;
      const podName = pod.metadata?.name ?? '';
      if (!spec.serviceAccountName) throw newForbidden(PODS, podName, `no service account specified for pod ${namespace}/${podName}`);
      const sa = await getOrForbid(namespace, pod, spec.serviceAccountName);
      if (!enforceMountable(sa)) return;
      const saName = sa.metadata?.name ?? '';
      const mountable = new Set((sa.secrets ?? []).map((s) => s.name ?? ''));
      for (const c of spec.ephemeralContainers ?? []) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !mountable.has(ref.name ?? '')) {
            throw newForbidden(
              PODS,
              podName,
              `ephemeral container ${c.name} with envVar ${e.name} referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`,
            );
          }
        }
        for (const e of c.envFrom ?? []) {
          const ref = e.secretRef;
          if (ref && !mountable.has(ref.name ?? '')) {
            throw newForbidden(
              PODS,
              podName,
              `ephemeral container ${c.name} with envFrom referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`,
            );
          }
        }
      }
    },
  };
}
