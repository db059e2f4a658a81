// Shared cell formatting of the upstream printers: ages, label sets and selectors, quantities,
// container lists, access modes, "+ N more..." lists.

import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import { formatLabelSelector as machineryFormatLabelSelector, selectorFromLabelSelector } from '../../machinery/labels.js';
import { Quantity, QuantityParseError } from '../../machinery/quantity.js';
import { humanDuration } from '../../machinery/duration.js';

/** Go's zero time.Time, 0001-01-01T00:00:00Z, which metav1.Time.IsZero treats as unset. */
const GO_ZERO_TIME = -62135596800000;

/** Milliseconds of an RFC 3339 timestamp, or undefined when absent, unparsable or Go's zero time. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t) || t <= GO_ZERO_TIME) return undefined;
  return t;
}

/** Upstream translateTimestampSince: `<unknown>` without a timestamp, else the human age. */
/** The NAME cell. */
export const name = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

/** The AGE cell: time since creation, as upstream's translateTimestampSince. */
export const age = (o: { metadata?: { creationTimestamp?: string } }, now: number): string =>
  translateTimestampSince(o.metadata?.creationTimestamp, now);

export function translateTimestampSince(ts: string | null | undefined, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** labels.Set.String(): `k=v` sorted by key, joined by commas. */
export function labelsString(labels: Record<string, string> | null | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** labels.FormatLabels: like labelsString, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  return labelsString(labels) || '<none>';
}

/**
 * metav1.FormatLabelSelector: requirements sorted by key (`app=nginx`, `env in (a,b)`, `!key`),
 * `<none>` when there are none, `<error>` for an invalid selector.
 */
export const formatLabelSelector = machineryFormatLabelSelector;

/**
 * LabelSelectorAsSelector(...).String(): the empty string for a missing or empty selector.
 * Throws SelectorParseError on an invalid one.
 */
export function labelSelectorString(selector: LabelSelector | null | undefined): string {
  return selectorFromLabelSelector(selector).toString();
}

/** Quantity.String(): the canonical form (`1Gi` for `1024Mi`); unparsable text is kept as is. */
export function quantityString(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '0';
  const text = String(value);
  try {
    return Quantity.parse(text).toString();
  } catch (err) {
    if (err instanceof QuantityParseError) return text;
    throw err;
  }
}

/** Upstream layoutContainerCells: names and images, comma-joined. */
export function layoutContainerCells(containers: readonly Container[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: readonly string[] | null | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** Upstream listWithMoreString: `a,b,c + 2 more...`, `<unset>` for none. */
export function listWithMore(all: readonly string[], max: number): string {
  const ret = all.slice(0, max).join(',');
  if (all.length > max) return `${ret} + ${all.length - max} more...`;
  return ret || '<unset>';
}

/** The controller owner reference (controller: true), if any. */
export function controllerOf(owners: readonly OwnerReference[] | null | undefined): OwnerReference | undefined {
  return (owners ?? []).find((o) => o.controller === true);
}

/** Group of an apiVersion: `apps/v1` → `apps`, `v1` → ``. */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** printBool / printBoolPtr: `True`, `False`, `<unset>`. */
export function boolPtr(value: boolean | null | undefined): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}
