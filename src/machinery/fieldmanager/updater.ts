// Ownership bookkeeping of updates and applies (upstream structured-merge-diff merge.Updater):
// an update takes the fields it changed from every other manager; an apply merges the applied
// configuration, owns exactly the fields it sets, removes the fields it stopped applying unless
// another manager owns them, and fails with conflicts when it changes fields others own.
//
// Field sets are compared in the request's version only: k8ts records every manager of an
// object in the versions it serves with the same field names, so no conversion is made here.

import type { Path } from './path.js';
import type { ApplySchema } from './schema.js';
import { FieldSet } from './set.js';
import {
  compareTyped,
  deepEqual,
  ensureNamedFieldsAreMembers,
  excludeFields,
  mergeTyped,
  removeItems,
  toFieldSet,
  type Comparison,
} from './typed.js';

/** One manager's fields, with the version they were recorded in and whether they were applied. */
export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Managers by identifier (see managed-fields.ts buildManagerIdentifier). */
export type ManagedFields = Map<string, VersionedSet>;

export interface Conflict {
  /** The manager identifier. */
  readonly manager: string;
  readonly path: Path;
}

/** Thrown by apply without force when the applied configuration changes fields others own. */
export class Conflicts extends Error {
  readonly code = 'APPLY_CONFLICTS';
  constructor(readonly conflicts: readonly Conflict[]) {
    super(`${conflicts.length} apply conflict(s)`);
    this.name = 'Conflicts';
  }
}

export interface UpdaterOptions {
  readonly schema: ApplySchema;
  /** Fields the operation never owns nor takes (upstream reset fields, e.g. `status` on the main resource). */
  readonly ignored?: FieldSet;
}

function conflictsFromManagers(sets: Map<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const manager of [...sets.keys()].sort()) {
    for (const path of sets.get(manager)!.paths()) out.push({ manager, path });
  }
  return out;
}

/** Ownership changes from `oldObject` to `newObject` for every manager except `workflow`. */
function update(
  oldObject: unknown,
  newObject: unknown,
  managers: ManagedFields,
  workflow: string,
  force: boolean,
  opts: UpdaterOptions,
): Comparison {
  const compare = excludeFields(compareTyped(oldObject, newObject, opts.schema), opts.ignored);
  const conflicts = new Map<string, FieldSet>();
  const changed = compare.modified.union(compare.added);
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const conflict = vs.set.intersection(changed);
    if (!conflict.empty()) conflicts.set(manager, conflict);
  }
  if (!force && conflicts.size > 0) throw new Conflicts(conflictsFromManagers(conflicts));
  for (const [manager, vs] of managers) {
    if (manager === workflow) {
      if (vs.set.empty()) managers.delete(manager);
      continue;
    }
    let set = vs.set;
    const conflict = conflicts.get(manager);
    if (conflict) set = set.difference(conflict);
    if (!compare.removed.empty()) set = set.difference(compare.removed);
    if (set.empty()) managers.delete(manager);
    else if (set !== vs.set) managers.set(manager, { ...vs, set });
  }
  return compare;
}

/**
 * Records a non-apply change: `manager` owns what it changed, others lose it. Mutates and
 * returns `managers`.
 */
export function updaterUpdate(
  liveObject: unknown,
  newObject: unknown,
  apiVersion: string,
  managers: ManagedFields,
  manager: string,
  opts: UpdaterOptions,
): ManagedFields {
  const compare = update(liveObject, newObject, managers, manager, true, opts);
  const previous = managers.get(manager)?.set ?? new FieldSet();
  let set = previous.difference(compare.removed).union(compare.modified).union(compare.added);
  if (opts.ignored) set = set.recursiveDifference(opts.ignored);
  if (set.empty()) managers.delete(manager);
  else managers.set(manager, { set, apiVersion, applied: false });
  return managers;
}

export interface ApplyResult {
  /** The merged object; undefined when applying changed nothing. */
  readonly object: unknown;
  readonly managers: ManagedFields;
}

/**
 * Merges an applied configuration. Throws Conflicts (unless `force`) or ValueValidationError.
 * Mutates `managers`.
 */
export function updaterApply(
  liveObject: unknown,
  configObject: unknown,
  apiVersion: string,
  managers: ManagedFields,
  manager: string,
  force: boolean,
  opts: UpdaterOptions,
): ApplyResult {
  let newObject = mergeTyped(liveObject, configObject, opts.schema);
  const lastSet = managers.get(manager);
  let set = toFieldSet(configObject, opts.schema);
  if (opts.ignored) set = set.recursiveDifference(opts.ignored);
  managers.set(manager, { set, apiVersion, applied: true });
  newObject = prune(newObject, managers, lastSet, opts.schema);
  update(liveObject, newObject, managers, manager, force, opts);
  return { object: deepEqual(liveObject, newObject) ? undefined : newObject, managers };
}

/** Removes from the merged object the fields the applier owned before and nobody owns now. */
function prune(merged: unknown, managers: ManagedFields, lastSet: VersionedSet | undefined, schema: ApplySchema): unknown {
  if (!lastSet || lastSet.set.empty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema);
  const last = named(lastSet.set);
  let pruned = removeItems(merged, last, schema);

  // Add back what any manager still owns.
  let managed = new FieldSet();
  for (const vs of managers.values()) managed = managed.union(vs.set);
  const mergedSet = named(toFieldSet(merged, schema));
  const unowned = mergedSet.difference(named(toFieldSet(pruned, schema)).union(named(managed)));
  // Nothing to take away: the merged object stands, and so does everything in it.
  if (unowned.empty()) return merged;
  pruned = removeItems(merged, unowned, schema);

  // Add back what the applier never owned (fields nobody owns, e.g. defaults).
  const prunedSet = named(toFieldSet(pruned, schema));
  return removeItems(merged, mergedSet.difference(prunedSet).intersection(last), schema);
}
