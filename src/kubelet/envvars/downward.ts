// The downward API values of env vars: fieldRef paths (upstream ConvertDownwardAPIFieldLabel,
// podFieldSelectorRuntimeValue, fieldpath.ExtractFieldPathAsString) and resourceFieldRef
// values (resource.ExtractContainerResourceValue, limits defaulted to node allocatable).
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../machinery/quantity.js';
import { isQualifiedName } from '../../machinery/validation.js';

export interface EnvVar {
  name: string;
  value: string;
}

/** What a fieldRef may need beyond the pod. */
export interface FieldContext {
  podIP: string;
  podIPs: string[];
  /** The node's host IPs (InternalIP first, one per family); throws when unknown. */
  hostIPs: () => Promise<string[]>;
}

/** `metadata.labels['k']` → [`metadata.labels`, `k`]. */
export function splitMaybeSubscriptedPath(fieldPath: string): { path: string; subscript: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return { path: s.slice(0, i), subscript: s.slice(i + 2) };
}

const SUPPORTED_LABELS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);

/** ConvertDownwardAPIFieldLabel for pods. */
function convertFieldLabel(version: string, label: string): string {
  if (version !== 'v1') throw new Error(`unsupported pod version: ${version}`);
  const sub = splitMaybeSubscriptedPath(label);
  if (sub) {
    if (sub.path === 'metadata.annotations' || sub.path === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  if (label === 'spec.host') return 'spec.nodeName';
  if (SUPPORTED_LABELS.has(label)) return label;
  throw new Error(`field label not supported: ${label}`);
}

/** FormatMap: `k="v"` lines in key order. */
function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

export async function podFieldValue(fs: ObjectFieldSelector, pod: Pod, ctx: FieldContext): Promise<string> {
  const path = convertFieldLabel(fs.apiVersion || 'v1', fs.fieldPath);
  const podIP = ctx.podIPs[0] ?? ctx.podIP;
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return (await ctx.hostIPs())[0]!;
    case 'status.hostIPs':
      return (await ctx.hostIPs()).join(',');
    case 'status.podIP':
      return podIP;
    case 'status.podIPs':
      return ctx.podIPs.join(',');
  }
  const sub = splitMaybeSubscriptedPath(path);
  if (sub) {
    if (sub.path === 'metadata.annotations') {
      const errs = isQualifiedName(sub.subscript.toLowerCase());
      if (errs.length) throw new Error(`invalid key subscript in ${path}: ${errs.join(';')}`);
      return pod.metadata?.annotations?.[sub.subscript] ?? '';
    }
    if (sub.path === 'metadata.labels') {
      const errs = isQualifiedName(sub.subscript);
      if (errs.length) throw new Error(`invalid key subscript in ${path}: ${errs.join(';')}`);
      return pod.metadata?.labels?.[sub.subscript] ?? '';
    }
    throw new Error(`fieldPath ${JSON.stringify(path)} does not support subscript`);
  }
  switch (path) {
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${path}`);
}

export type Allocatable = { cpu?: string; memory?: string; 'ephemeral-storage'?: string };

const DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** MergeContainerResourceLimits: unset or zero cpu/memory/ephemeral-storage limits become the node's allocatable. */
export function limitsWithAllocatable(container: Container, allocatable: Allocatable): Record<string, string> {
  const limits: Record<string, string> = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED) {
    const q = limits[r] !== undefined ? Quantity.tryParse(String(limits[r])) : undefined;
    if ((q === undefined || q.isZero()) && allocatable[r] !== undefined) limits[r] = allocatable[r]!;
  }
  return limits;
}

function quantityOf(list: Readonly<Record<string, string>> | undefined, name: string): Quantity {
  const v = list?.[name];
  return v === undefined ? Quantity.fromInt(0) : Quantity.parse(String(v));
}

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/**
 * ExtractContainerResourceValue: cpu in units of the divisor's milli value, memory and storage
 * in units of its value, rounded up (divisor defaults to 1).
 */
export function containerResourceValue(fs: ResourceFieldSelector, limits: Readonly<Record<string, string>>, requests: Readonly<Record<string, string>>): string {
  const divisor = fs.divisor === undefined || Quantity.parse(String(fs.divisor)).isZero() ? Quantity.fromInt(1) : Quantity.parse(String(fs.divisor));
  const cpu = (q: Quantity) => String(Math.ceil(q.milliValue() / divisor.milliValue()));
  const bytes = (q: Quantity) => String(Math.ceil(q.value() / divisor.value()));
  switch (fs.resource) {
    case 'limits.cpu':
      return cpu(quantityOf(limits, 'cpu'));
    case 'limits.memory':
      return bytes(quantityOf(limits, 'memory'));
    case 'limits.ephemeral-storage':
      return bytes(quantityOf(limits, 'ephemeral-storage'));
    case 'requests.cpu':
      return cpu(quantityOf(requests, 'cpu'));
    case 'requests.memory':
      return bytes(quantityOf(requests, 'memory'));
    case 'requests.ephemeral-storage':
      return bytes(quantityOf(requests, 'ephemeral-storage'));
  }
  for (const [prefix, list] of [['requests.', requests], ['limits.', limits]] as const) {
    if (fs.resource.startsWith(prefix) && isHugePages(fs.resource.slice(prefix.length))) return bytes(quantityOf(list, fs.resource.slice(prefix.length)));
  }
  throw new Error(`unsupported container resource : ${fs.resource}`);
}

/** containerResourceRuntimeValue: the named container (containerName) or the one being started. */
export function resourceFieldValue(fs: ResourceFieldSelector, pod: Pod, container: Container, allocatable: Allocatable): string {
  let target = container;
  if (fs.containerName) {
    const found = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === fs.containerName);
    if (!found) throw new Error(`container ${fs.containerName} not found`);
    target = found;
  }
  return containerResourceValue(fs, limitsWithAllocatable(target, allocatable), { ...(target.resources?.requests ?? {}) });
}
