// The strategic merge patch that moves a pod's API status to the kubelet's (upstream
// statusutil.PatchPodStatus: a two-way merge patch of the status plus `metadata.uid`, so a pod
// deleted and recreated under the same name is never written). PodStatus's merge lists are
// conditions (key `type`) and podIPs/hostIPs (key `ip`); every other list is replaced whole.

import type { PodStatus } from 'kubernetes-types/core/v1.js';

type JSONMap = Record<string, unknown>;

const MERGE_KEYS: Readonly<Record<string, string>> = { conditions: 'type', podIPs: 'ip', hostIPs: 'ip' };

/** `{"metadata":{"uid":…},"status":{…}}`; `status` is empty when nothing changed. */
export function podStatusPatch(uid: string, oldStatus: PodStatus | undefined, newStatus: PodStatus): { metadata: { uid: string }; status: JSONMap } {
  return { metadata: { uid }, status: diffStatus((oldStatus ?? {}) as JSONMap, newStatus as JSONMap) };
}

/** True when the patch would change nothing. */
export function isEmptyStatusPatch(p: { status: JSONMap }): boolean {
  return Object.keys(p.status).length === 0;
}

function diffStatus(oldS: JSONMap, newS: JSONMap): JSONMap {
  const out: JSONMap = {};
  for (const k of new Set([...Object.keys(oldS), ...Object.keys(newS)])) {
    const o = oldS[k];
    const n = newS[k];
    if (deepEqual(o, n)) continue;
    const mergeKey = MERGE_KEYS[k];
    if (n === undefined) out[k] = null;
    else if (mergeKey && Array.isArray(n)) diffMergeList(out, k, mergeKey, Array.isArray(o) ? (o as JSONMap[]) : [], n as JSONMap[]);
    else if (isMap(o) && isMap(n)) out[k] = diffMap(o, n);
    else out[k] = n;
  }
  return out;
}

function diffMergeList(out: JSONMap, field: string, key: string, oldList: JSONMap[], newList: JSONMap[]): void {
  const oldBy = new Map(oldList.map((e) => [String(e[key]), e]));
  const newKeys = new Set(newList.map((e) => String(e[key])));
  const items: JSONMap[] = [];
  for (const e of newList) {
    const prev = oldBy.get(String(e[key]));
    if (!prev) items.push(e);
    else if (!deepEqual(prev, e)) items.push({ ...diffMap(prev, e), [key]: e[key] });
  }
  for (const e of oldList) if (!newKeys.has(String(e[key]))) items.push({ [key]: e[key], $patch: 'delete' });
  out[`$setElementOrder/${field}`] = newList.map((e) => ({ [key]: e[key] }));
  if (items.length > 0) out[field] = items;
}

function diffMap(o: JSONMap, n: JSONMap): JSONMap {
  const out: JSONMap = {};
  for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (deepEqual(o[k], n[k])) continue;
    if (n[k] === undefined) out[k] = null;
    else if (isMap(o[k]) && isMap(n[k])) out[k] = diffMap(o[k], n[k]);
    else out[k] = n[k];
  }
  return out;
}

function isMap(v: unknown): v is JSONMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Structural equality of JSON values (undefined members count as absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
