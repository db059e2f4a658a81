// Column definition helpers: upstream names, types and descriptions in one line each.

import type { TableColumnDefinition } from './types.js';
import { DOCS, type DocKey } from './docs.js';

type ColumnType = TableColumnDefinition['type'];

/** A column; `description` is either a DOCS key or literal text. */
export function col(
  name: string,
  type: ColumnType,
  description: DocKey | (string & {}),
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  const desc = description in DOCS ? DOCS[description as DocKey] : description;
  return { name, type, format: opts.format ?? '', description: desc, priority: opts.priority ?? 0 };
}

/** A priority-1 (`-o wide`) column. */
export function wide(name: string, type: ColumnType, description: DocKey | (string & {}), format = ''): TableColumnDefinition {
  return col(name, type, description, { priority: 1, format });
}

export const NAME = col('Name', 'string', 'meta/v1/ObjectMeta.name', { format: 'name' });
export const AGE = col('Age', 'string', 'meta/v1/ObjectMeta.creationTimestamp');
export const CONTAINERS = wide('Containers', 'string', 'Names of each container in the template.');
export const IMAGES = wide('Images', 'string', 'Images referenced by each container in the template.');
