// The ReplicationController controller (upstream pkg/controller/replication, which runs the
// ReplicaSet engine over core/v1 ReplicationControllers): the selector is a plain label map,
// defaulted by the API server to the template's labels.

import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { REPLICATIONCONTROLLERS } from '../../client/resources.js';
import { ReplicaManager, selectorFromMap, type ReplicaManagerOptions } from '../shared/replica-manager.js';
import type { Controller, ControllerContext } from '../shared/types.js';

export const NAME = 'replicationcontroller-controller';
/** Event source of pods' SuccessfulCreate/SuccessfulDelete events. */
export const COMPONENT = 'replication-controller';

export type ReplicationControllerObject = ReplicationController & KubeObject;

export function create(ctx: ControllerContext, opts: Partial<Pick<ReplicaManagerOptions<ReplicationControllerObject>, 'burstReplicas' | 'workers'>> = {}): Controller & ReplicaManager<ReplicationControllerObject> {
  return new ReplicaManager<ReplicationControllerObject>(ctx, {
    name: NAME,
    gvr: REPLICATIONCONTROLLERS,
    kind: { apiVersion: 'v1', kind: 'ReplicationController' },
    component: COMPONENT,
    selector: (rc) => selectorFromMap(rc.spec?.selector, rc.spec?.template),
    ...opts,
  });
}
