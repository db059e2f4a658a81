// Event strategy: the field selectors `kubectl describe` and controllers use.

import type { Event } from 'kubernetes-types/core/v1.js';
import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

const FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
] as const;

export function eventStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: FIELDS,
    fieldSet(obj: ApiObject) {
      const e = obj as Event;
      const io = e.involvedObject ?? {};
      return {
        'involvedObject.kind': io.kind ?? '',
        'involvedObject.namespace': io.namespace ?? '',
        'involvedObject.name': io.name ?? '',
        'involvedObject.uid': io.uid ?? '',
        'involvedObject.apiVersion': io.apiVersion ?? '',
        'involvedObject.resourceVersion': io.resourceVersion ?? '',
        'involvedObject.fieldPath': io.fieldPath ?? '',
        reason: e.reason ?? '',
        reportingComponent: e.reportingComponent ?? '',
        source: e.source?.component ?? '',
        type: e.type ?? '',
      };
    },
  };
}
