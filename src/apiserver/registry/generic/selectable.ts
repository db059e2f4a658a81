// Declares a resource's extra field selectors in one place: label → how to read it.

import type { ApiObject } from '../../../api/scheme.js';
import type { Strategy } from './strategy.js';

export function selectableFields(fields: Record<string, (o: ApiObject) => string>): Partial<Strategy> {
  const entries = Object.entries(fields);
  return {
    selectableFields: entries.map(([k]) => k),
    fieldSet: (o: ApiObject) => Object.fromEntries(entries.map(([k, read]) => [k, read(o)])),
  };
}
