// ReplicationController strategy: status.replicas is a selectable field, as upstream.

import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

export function replicationControllerStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['status.replicas'],
    fieldSet: (obj: ApiObject) => ({ 'status.replicas': String(obj.status?.replicas ?? 0) }),
  };
}
