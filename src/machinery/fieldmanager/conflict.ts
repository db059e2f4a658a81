// The 409 an apply with conflicts answers (upstream managedfields/internal conflict.go and
// apimachinery errors.NewApplyConflict).

import { StatusError, type StatusCause } from '../errors.js';
import { goQuote, pathString } from './path.js';
import { parseManagerIdentifier } from './managed-fields.js';
import type { Conflict } from './updater.js';

/** How a conflict message names a manager: `"kubectl"`, `"m" using apps/v1`, `"m" with subresource "status" using v1`. */
export function printManager(identifier: string): string {
  const e = parseManagerIdentifier(identifier);
  if (!e) return goQuote(identifier);
  let s = goQuote(e.manager ?? '');
  if (e.subresource) s = `${s} with subresource ${goQuote(e.subresource)}`;
  if (e.operation === 'Update') {
    return e.time ? `${s} using ${e.apiVersion ?? ''} at ${e.time}` : `${s} using ${e.apiVersion ?? ''}`;
  }
  return s;
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const paths = byManager.get(c.manager) ?? [];
    paths.push(pathString(c.path));
    byManager.set(c.manager, paths);
  }
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(manager)}:`);
    for (const p of byManager.get(manager)!) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** 409 Conflict with one `FieldManagerConflict` cause per conflicting field. */
export class ApplyConflictError extends StatusError {
  readonly conflicts: readonly Conflict[];

  constructor(conflicts: readonly Conflict[]) {
    const causes: StatusCause[] = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.manager)}`,
      field: pathString(c.path),
    }));
    super(409, 'Conflict', conflictMessage(conflicts), { causes });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}
