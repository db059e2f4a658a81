// Job strategy: the controller-uid selector and labels are generated on create unless
// manualSelector is set (upstream pkg/registry/batch/job/strategy.go generateSelector).

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';
import { generateJobSelector } from '../../../../api/batch/v1/index.js';

export function jobStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['status.successful'],
    fieldSet: (obj: ApiObject) => ({ 'status.successful': String((obj as Job).status?.succeeded ?? 0) }),
    prepareForCreate(_ctx, obj: ApiObject) {
      delete obj.status;
      generateJobSelector(obj as Job);
    },
  };
}
