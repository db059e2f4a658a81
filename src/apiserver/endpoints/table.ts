// The meta.k8s.io Table transformation: columns from the kind's printer, one row per object,
// the row's object per `includeObject` (upstream default Metadata = PartialObjectMetadata).

import type { ApiObject } from '../../api/scheme.js';
import type { Printer } from '../printers/types.js';

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: 'None' | 'Metadata' | 'Object';
  noHeaders: boolean;
  now: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: Record<string, unknown>;
  columnDefinitions: unknown[];
  rows: { cells: unknown[]; conditions?: unknown[]; object?: unknown }[];
}

/** `hubObjects` are printed as stored; `toVersioned` gives the object embedded in each row. */
export function buildTable(printer: Printer, hubObjects: readonly ApiObject[], opts: TableOptions, toVersioned: (o: ApiObject) => ApiObject): Table {
  const rows = new Array<Table['rows'][number]>(hubObjects.length);
  for (let i = 0; i < hubObjects.length; i++) {
    const o = hubObjects[i]!;
    const row: { cells: unknown[]; conditions?: unknown[]; object?: unknown } = { cells: printer.cells(o, opts.now) };
    const conditions = printer.conditions?.(o);
    if (conditions?.length) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = toVersioned(o);
    else if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: o.metadata };
    }
    rows[i] = row;
  }
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: {},
    columnDefinitions: opts.noHeaders ? [] : [...printer.columns],
    rows,
  };
}
