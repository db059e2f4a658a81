// Node strategy: status through the status subresource; spec.unschedulable is selectable.

import type { Node } from 'kubernetes-types/core/v1.js';
import type { Strategy } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';

export function nodeStrategyOverrides(): Partial<Strategy> {
  return {
    selectableFields: ['spec.unschedulable'],
    fieldSet: (obj: ApiObject) => ({ 'spec.unschedulable': String((obj as Node).spec?.unschedulable ?? false) }),
    prepareForCreate(_ctx, obj: ApiObject) {
      // Nodes register with their status (the kubelet creates them), unlike most resources.
      void obj;
    },
  };
}
