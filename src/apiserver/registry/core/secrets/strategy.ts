// Secret strategy: `type` is a selectable field (kubectl and controllers select by it).

import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

export function secretStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['type'],
    fieldSet: (obj: ApiObject) => ({ type: (obj.type as string | undefined) ?? '' }),
  };
}
