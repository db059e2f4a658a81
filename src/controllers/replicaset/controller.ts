// The ReplicaSet controller (upstream pkg/controller/replicaset): the shared replica engine
// over apps/v1 ReplicaSets, whose selector is a LabelSelector.

import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { REPLICASETS } from '../../client/resources.js';
import { selectorFromLabelSelector } from '../../machinery/labels.js';
import { ReplicaManager, type ReplicaManagerOptions } from '../shared/replica-manager.js';
import type { Controller, ControllerContext } from '../shared/types.js';

export const NAME = 'replicaset-controller';
/** Event source of pods' SuccessfulCreate/SuccessfulDelete events. */
export const COMPONENT = 'replicaset-controller';

export type ReplicaSetObject = ReplicaSet & KubeObject;

export function create(ctx: ControllerContext, opts: Partial<Pick<ReplicaManagerOptions<ReplicaSetObject>, 'burstReplicas' | 'workers'>> = {}): Controller & ReplicaManager<ReplicaSetObject> {
  return new ReplicaManager<ReplicaSetObject>(ctx, {
    name: NAME,
    gvr: REPLICASETS,
    kind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
    component: COMPONENT,
    // An invalid selector selects nothing; upstream skips the ReplicaSet.
    selector: (rs) => selectorFromLabelSelector(rs.spec?.selector),
    ...opts,
  });
}
