// The file sets of ConfigMap, Secret and downward API sources, shared by their own volume
// types and by projected volumes (upstream configmap.MakePayload, secret.MakePayload,
// downwardapi.CollectData and fieldpath.ExtractFieldPathAsString).

import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { CONFIGMAPS, SECRETS } from '../../client/resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { Quantity } from '../../machinery/quantity.js';
import type { FileProjection, Payload } from './atomic-writer.js';
import type { VolumeHost } from './types.js';
import { aggregate } from './types.js';

/** The API default of every `defaultMode` (0644). */
export const DEFAULT_MODE = 0o644;

/**
 * The ConfigMap, or an empty one when it is absent and `optional`. The not-found message is
 * the kubelet's (`configmap "x" not found`, singular), as its ConfigMap manager reports it.
 */
export async function getConfigMap(client: Interface, namespace: string, name: string, optional: boolean): Promise<ConfigMap> {
  try {
    return await client.resource<ConfigMap & KubeObject>(CONFIGMAPS).get(name, { namespace });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (optional) return { metadata: { namespace, name } };
    throw new Error(`configmap "${name}" not found`, { cause: e });
  }
}

export async function getSecret(client: Interface, namespace: string, name: string, optional: boolean): Promise<Secret> {
  try {
    return await client.resource<Secret & KubeObject>(SECRETS).get(name, { namespace });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (optional) return { metadata: { namespace, name } };
    throw new Error(`secret "${name}" not found`, { cause: e });
  }
}

function b64(s: string): Uint8Array {
  return Buffer.from(s, 'base64');
}

/** Upstream configmap.MakePayload: every key (data and binaryData) or the listed items. */
export function makeConfigMapPayload(items: readonly KeyToPath[] | undefined, cm: ConfigMap, defaultMode: number | undefined, optional: boolean): Payload {
  const mode = defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'utf8'), mode });
    for (const [k, v] of Object.entries(binary)) payload.set(k, { data: b64(v), mode });
    return payload;
  }
  for (const ktp of items) {
    let content: Uint8Array;
    if (Object.hasOwn(data, ktp.key)) content = Buffer.from(data[ktp.key]!, 'utf8');
    else if (Object.hasOwn(binary, ktp.key)) content = b64(binary[ktp.key]!);
    else {
      if (optional) continue;
      throw new Error(`configmap references non-existent config key: ${ktp.key}`);
    }
    payload.set(ktp.path, { data: content, mode: ktp.mode ?? mode });
  }
  return payload;
}

/** Upstream secret.MakePayload. */
export function makeSecretPayload(items: readonly KeyToPath[] | undefined, secret: Secret, defaultMode: number | undefined, optional: boolean): Payload {
  const mode = defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const data = secret.data ?? {};
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: b64(v), mode });
    return payload;
  }
  for (const ktp of items) {
    if (!Object.hasOwn(data, ktp.key)) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${ktp.key}`);
    }
    payload.set(ktp.path, { data: b64(data[ktp.key]!), mode: ktp.mode ?? mode });
  }
  return payload;
}

/** Go's strconv.Quote, which `%q` uses. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0xd800 && c < 0xe000)) {
      out += c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Upstream fieldpath.FormatMap: `key="value"` lines in key order, no trailing newline. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${k}=${goQuote(m![k]!)}`).join('\n');
}

/** Upstream fieldpath.ExtractFieldPathAsString over a pod's metadata. */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const md = pod.metadata ?? {};
  if (fieldPath.endsWith("']")) {
    const i = fieldPath.indexOf("['");
    if (i > 0) {
      const path = fieldPath.slice(0, i);
      const subscript = fieldPath.slice(i + 2, -2);
      if (path === 'metadata.annotations') return md.annotations?.[subscript] ?? '';
      if (path === 'metadata.labels') return md.labels?.[subscript] ?? '';
      throw new Error(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
    }
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const NODE_DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * Upstream ExtractResourceValueByContainerNameAndNodeAllocatable: the container's request or
 * limit divided by the divisor and rounded up; an unset limit is the node's allocatable.
 */
export function extractResourceValue(
  pod: Pod,
  ref: { containerName?: string; resource: string; divisor?: string | number },
  allocatable: Readonly<Record<string, string>>,
): string {
  const name = ref.containerName ?? '';
  const container = pod.spec?.containers.find((c) => c.name === name) ?? pod.spec?.initContainers?.find((c) => c.name === name);
  if (!container) throw new Error(`container ${name} not found`);
  const limits: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(container.resources?.limits ?? {})) limits[k] = Quantity.parse(String(v));
  for (const r of NODE_DEFAULTED) {
    if ((!limits[r] || limits[r].isZero()) && allocatable[r] !== undefined) limits[r] = Quantity.parse(allocatable[r]);
  }
  const requests: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(container.resources?.requests ?? {})) requests[k] = Quantity.parse(String(v));
  let divisor = ref.divisor === undefined ? Quantity.parse('1') : Quantity.parse(String(ref.divisor));
  if (divisor.isZero()) divisor = Quantity.parse('1');
  const zero = Quantity.parse('0');
  const cpu = (q: Quantity | undefined) => String(Math.ceil((q ?? zero).milliValue() / divisor.milliValue()));
  const bytes = (q: Quantity | undefined) => String(Math.ceil((q ?? zero).value() / divisor.value()));
  switch (ref.resource) {
    case 'limits.cpu':
      return cpu(limits.cpu);
    case 'limits.memory':
      return bytes(limits.memory);
    case 'limits.ephemeral-storage':
      return bytes(limits['ephemeral-storage']);
    case 'requests.cpu':
      return cpu(requests.cpu);
    case 'requests.memory':
      return bytes(requests.memory);
    case 'requests.ephemeral-storage':
      return bytes(requests['ephemeral-storage']);
  }
  if (ref.resource.startsWith('limits.hugepages-')) return bytes(limits[ref.resource.slice('limits.'.length)]);
  if (ref.resource.startsWith('requests.hugepages-')) return bytes(requests[ref.resource.slice('requests.'.length)]);
  throw new Error(`unsupported container resource : ${ref.resource}`);
}

/** Upstream downwardapi.CollectData: one file per item; errors are aggregated. */
export async function collectDownwardAPI(items: readonly DownwardAPIVolumeFile[] | undefined, pod: Pod, host: VolumeHost, defaultMode: number | undefined): Promise<Payload> {
  const mode = defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const errors: Error[] = [];
  for (const item of items ?? []) {
    const f: FileProjection = { data: new Uint8Array(), mode: item.mode ?? mode };
    try {
      if (item.fieldRef) f.data = Buffer.from(extractFieldPathAsString(pod, item.fieldRef.fieldPath), 'utf8');
      else if (item.resourceFieldRef) {
        const alloc = await host.nodeAllocatable();
        if (!alloc) throw new Error(`failed to get node allocatable: node "${host.nodeName}" could not be read`);
        f.data = Buffer.from(extractResourceValue(pod, item.resourceFieldRef, alloc), 'utf8');
      }
    } catch (e) {
      errors.push(e instanceof Error ? e : new Error(String(e)));
    }
    payload.set(item.path, f);
  }
  const err = aggregate(errors);
  if (err) throw err;
  return payload;
}
