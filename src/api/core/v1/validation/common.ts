// Small validation helpers shared by the core/v1 validators: upstream's ValidateDNS1123Label,
// name functions, resource-name classes (pkg/apis/core/helper) and quantity checks.

import { type ErrorList, type Path, invalid, required } from '../../../../machinery/field.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isQualifiedName,
} from '../../../../machinery/validation.js';
import { ErrFormatWrongMessage, Quantity } from '../../../../machinery/quantity.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const NOT_POSITIVE = 'must be greater than zero';
export const NOT_INTEGER = 'must be an integer';
/** core.MaxSecretSize: 1 MiB, also the ConfigMap limit. */
export const MAX_SECRET_SIZE = 1024 * 1024;

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

function each(msgs: string[], path: Path | string, value: unknown): ErrorList {
  return msgs.map((m) => invalid(path, value, m));
}

export const validateDNS1123Label = (v: string, path: Path | string): ErrorList => each(isDNS1123Label(v), path, v);
export const validateDNS1123Subdomain = (v: string, path: Path | string): ErrorList => each(isDNS1123Subdomain(v), path, v);
export const validateQualifiedName = (v: string, path: Path | string): ErrorList => each(isQualifiedName(v), path, v);
/** unversionedvalidation.ValidateLabelName */
export const validateLabelName = validateQualifiedName;

/** apimachinery's maskTrailingDash: a generateName prefix may end in '-'. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -1) + 'a' : name;
}

/** NameIsDNSSubdomain(name, prefix): most object names referenced from specs. */
export function nameIsDNSSubdomain(name: string, prefix = false): string[] {
  return isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
}
/** NameIsDNSLabel(name, prefix): namespace names. */
export function nameIsDNSLabel(name: string, prefix = false): string[] {
  return isDNS1123Label(prefix ? maskTrailingDash(name) : name);
}
/** NameIsDNS1035Label(name, prefix): service names. */
export function nameIsDNS1035Label(name: string, prefix = false): string[] {
  return isDNS1035Label(prefix ? maskTrailingDash(name) : name);
}

/** Decode failures for quantities happen while decoding upstream; we report them as a field error. */
export const QUANTITY_FORMAT = ErrFormatWrongMessage;

/** Parses a wire quantity (string or number); undefined when malformed. */
export function parseQuantity(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return Quantity.parse(String(v));
  } catch {
    return undefined;
  }
}

/** Parses or records a format error at path. */
export function quantityAt(v: unknown, path: Path, errs: ErrorList): Quantity | undefined {
  const q = parseQuantity(v);
  if (!q) errs.push(invalid(path, v, QUANTITY_FORMAT));
  return q;
}

/** ValidateNonnegativeQuantity */
export function validateNonnegativeQuantity(q: Quantity, path: Path): ErrorList {
  return q.sign() < 0 ? [invalid(path, q.toString(), IS_NEGATIVE)] : [];
}

/** ValidatePositiveQuantityValue */
export function validatePositiveQuantityValue(q: Quantity, path: Path): ErrorList {
  return q.sign() <= 0 ? [invalid(path, q.toString(), NOT_POSITIVE)] : [];
}

// ---- resource names (pkg/apis/core/helper) ----

const HUGEPAGES_PREFIX = 'hugepages-';
const REQUESTS_PREFIX = 'requests.';
const DEFAULT_NS_PREFIX = 'kubernetes.io/';

export const isHugePageResourceName = (n: string): boolean => n.startsWith(HUGEPAGES_PREFIX);
export const isNativeResource = (n: string): boolean => !n.includes('/') || n.includes(DEFAULT_NS_PREFIX);
export function isExtendedResourceName(n: string): boolean {
  if (isNativeResource(n) || n.startsWith(REQUESTS_PREFIX)) return false;
  return isQualifiedName(REQUESTS_PREFIX + n).length === 0;
}
export const isOvercommitAllowed = (n: string): boolean => isNativeResource(n) && !isHugePageResourceName(n);

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
export const isStandardContainerResourceName = (n: string): boolean => standardContainerResources.has(n) || isHugePageResourceName(n);

const standardResources = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
export function isStandardResourceName(n: string): boolean {
  return standardResources.has(n) || isHugePageResourceName(n) || n.startsWith(REQUESTS_PREFIX + HUGEPAGES_PREFIX);
}

const standardQuotaResources = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps',
  'services.nodeports', 'services.loadbalancers',
]);
export function isStandardQuotaResourceName(n: string): boolean {
  return standardQuotaResources.has(n) || n.startsWith(REQUESTS_PREFIX + HUGEPAGES_PREFIX);
}

const integerResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);
export const isIntegerResourceName = (n: string): boolean => integerResources.has(n) || isExtendedResourceName(n);

/** validateResourceName */
export function validateResourceName(value: string, path: Path): ErrorList {
  const errs = each(isQualifiedName(value), path, value);
  if (errs.length) return errs;
  if (!value.includes('/') && !isStandardResourceName(value)) {
    return [invalid(path, value, 'must be a standard resource type or fully qualified')];
  }
  return [];
}

/** validateContainerResourceName */
export function validateContainerResourceName(value: string, path: Path): ErrorList {
  const errs = validateResourceName(value, path);
  if (!value.includes('/')) {
    if (!isStandardContainerResourceName(value)) return [...errs, invalid(path, value, 'must be a standard resource for containers')];
  } else if (!isNativeResource(value) && !isExtendedResourceName(value)) {
    return [...errs, invalid(path, value, "doesn't follow extended resource name standard")];
  }
  return errs;
}

/** ValidateResourceQuotaResourceName */
export function validateResourceQuotaResourceName(value: string, path: Path): ErrorList {
  const errs = validateResourceName(value, path);
  if (!value.includes('/') && !isStandardQuotaResourceName(value)) {
    return [...errs, invalid(path, value, 'must be a standard resource for quota')];
  }
  return errs;
}

/** ValidateResourceQuantityValue: non-negative, and whole for integer resources. */
export function validateResourceQuantityValue(resource: string, q: Quantity, path: Path): ErrorList {
  const errs = validateNonnegativeQuantity(q, path);
  if (isIntegerResourceName(resource) && q.milliValue() % 1000 !== 0) errs.push(invalid(path, q.toString(), NOT_INTEGER));
  return errs;
}

/** Walks a ResourceList, validating names and values; returns parsed quantities. */
export function validateResourceList(
  list: Record<string, unknown> | undefined,
  path: Path,
  nameFn: (name: string, path: Path) => ErrorList,
  errs: ErrorList,
): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [k, v] of Object.entries(list ?? {})) {
    const p = path.key(k);
    errs.push(...nameFn(k, p));
    const q = quantityAt(v, p, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(k, q, p));
    out.set(k, q);
  }
  return out;
}

/** ValidateImmutableField with upstream's message. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: Path | string): ErrorList {
  return semanticEqual(newVal, oldVal) ? [] : [invalid(path, newVal, FIELD_IMMUTABLE)];
}

export function requiredString(v: unknown, path: Path | string): ErrorList {
  return typeof v === 'string' && v.length > 0 ? [] : [required(path, '')];
}

/** JSON value with Go's zero values (0, "", false, empty list/map, null, absent) treated alike, as apiequality.Semantic does for nil vs empty. */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.values(v).every(isZero);
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(ao)) if (!semanticEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!(k in ao) && !semanticEqual(undefined, bo[k])) return false;
  return true;
}

/** Paths (dotted) at which two JSON values differ semantically; for the "may not change" messages. */
export function diffPaths(a: unknown, b: unknown, prefix = '', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit || semanticEqual(a, b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) diffPaths(a[i], b[i], `${prefix}[${i}]`, out, limit);
    } else {
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
      for (const k of keys) diffPaths(ao[k], bo[k], prefix ? `${prefix}.${k}` : k, out, limit);
    }
    return out;
  }
  out.push(`${prefix || '.'}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
  return out;
}

/** Go's map-based selector match (labels.Set(selector).AsSelector().Matches). */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if ((labels ?? {})[k] !== v) return false;
  return true;
}
