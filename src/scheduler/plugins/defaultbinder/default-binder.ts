// DefaultBinder (upstream plugins/defaultbinder): POST pods/{name}/binding.

import { PODS } from '../../../client/resources.js';
import type { BindPlugin, CycleState, Handle } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { PodInfo } from '../../framework/types.js';

export const NAME = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly h: Handle) {}

  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    const m = pod.pod.metadata ?? {};
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    try {
      await this.h.client.resource(PODS).createSubresource(m.name ?? '', 'binding', binding, { namespace: m.namespace });
      return null;
    } catch (e) {
      return Status.error(e);
    }
  }
}

export function create(h: Handle): DefaultBinder {
  return new DefaultBinder(h);
}
