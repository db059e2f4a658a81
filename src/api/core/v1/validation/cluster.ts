// Namespace and Node validation.

import type { Namespace, Node, Taint } from 'kubernetes-types/core/v1.js';
import { type ErrorList, FieldError, Path, duplicate, forbidden, invalid } from '../../../../machinery/field.js';
import { isQualifiedName, isValidCIDR, isValidLabelValue } from '../../../../machinery/validation.js';
import { quantityAt, validateLabelName, validateResourceQuantityValue } from './common.js';
import { validateTaintEffect } from './pod.js';

/** validateFinalizerName: a qualified name, and either "kubernetes" or containing a '/'. */
export function validateFinalizerName(name: string, path: Path): ErrorList {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes('/') && name !== 'kubernetes') errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  return errs;
}

/** ValidateNamespace (metadata excluded). Upstream reports every finalizer at the unindexed path. */
export function validateNamespace(ns: Namespace): ErrorList {
  return (ns.spec?.finalizers ?? []).flatMap((f) => validateFinalizerName(f, Path.root('spec', 'finalizers')));
}

/** ValidateNamespaceStatusUpdate (metadata excluded). */
export function validateNamespaceStatusUpdate(ns: Namespace, _old: Namespace): ErrorList {
  const phase = ns.status?.phase ?? '';
  const p = Path.root('status', 'Phase');
  if (!ns.metadata?.deletionTimestamp) {
    return phase !== 'Active' ? [invalid(p, phase, "may only be 'Active' if `deletionTimestamp` is empty")] : [];
  }
  return phase !== 'Terminating' ? [invalid(p, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")] : [];
}

/** ValidateNamespaceFinalizeUpdate (metadata excluded). */
export function validateNamespaceFinalizeUpdate(ns: Namespace, _old: Namespace): ErrorList {
  return (ns.spec?.finalizers ?? []).flatMap((f, i) => validateFinalizerName(f, Path.root('spec', 'finalizers').at(i)));
}

function validateNodeTaints(taints: readonly Taint[], path: Path): ErrorList {
  const errs: ErrorList = [];
  const unique = new Map<string, Set<string>>();
  taints.forEach((t, i) => {
    const idx = path.at(i);
    errs.push(...validateLabelName(t.key ?? '', idx.child('key')));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length) errs.push(invalid(idx.child('value'), t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect ?? '', false, idx.child('effect')));
    const keys = unique.get(t.effect ?? '') ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push(new FieldError('FieldValueDuplicate', idx.toString(), t, 'taints must be unique by key and effect pair'));
      return;
    }
    keys.add(t.key);
    unique.set(t.effect ?? '', keys);
  });
  return errs;
}

function validateNodeResources(node: Node): ErrorList {
  const errs: ErrorList = [];
  // Upstream builds these paths with Child, so the resource name reads as a dotted segment.
  for (const which of ['capacity', 'allocatable'] as const) {
    for (const [k, v] of Object.entries(node.status?.[which] ?? {})) {
      const path = Path.root('status', which, k);
      const q = quantityAt(v, path, errs);
      if (q) errs.push(...validateResourceQuantityValue(k, q, path));
    }
  }
  return errs;
}

function validatePodCIDRs(cidrs: readonly string[]): ErrorList {
  const errs: ErrorList = [];
  const p = Path.root('spec', 'podCIDRs');
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(c).map((m) => invalid(p.at(i), c, m))));
  if (cidrs.length > 1) {
    if (cidrs.length > 2 || cidrs.filter((c) => c.includes(':')).length !== 1) {
      errs.push(invalid(p, cidrs, 'may specify no more than one CIDR for each IP family'));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(p.at(i), c));
      seen.add(c);
    });
  }
  return errs;
}

/** ValidateNode (metadata excluded). Taints are reported under metadata, as upstream does. */
export function validateNode(node: Node): ErrorList {
  const errs: ErrorList = [];
  if (node.spec?.taints?.length) errs.push(...validateNodeTaints(node.spec.taints, Path.root('metadata', 'taints')));
  errs.push(...validateNodeResources(node));
  if (node.spec?.podCIDRs?.length) errs.push(...validatePodCIDRs(node.spec.podCIDRs));
  return errs;
}

/** ValidateNodeUpdate (metadata excluded); also used for status writes. */
export function validateNodeUpdate(node: Node, old: Node): ErrorList {
  const errs: ErrorList = [];
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const key = `${a.type}/${a.address}`;
    if (seen.has(key)) errs.push(duplicate(Path.root('status', 'addresses').at(i), a));
    seen.add(key);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== newCIDRs.length) errs.push(forbidden(Path.root('spec', 'podCIDRs'), msg));
    else oldCIDRs.forEach((c, i) => {
      if (c !== newCIDRs[i]) errs.push(forbidden(Path.root('spec', 'podCIDRs'), msg));
    });
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden(Path.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  if (node.spec?.taints?.length) errs.push(...validateNodeTaints(node.spec.taints, Path.root('metadata', 'taints')));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbidden(Path.root('spec', 'externalID'), 'may not be updated'));
  return errs;
}

