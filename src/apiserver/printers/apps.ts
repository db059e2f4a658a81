// apps/v1 kinds: upstream printDeployment, printReplicaSet, printStatefulSet, printDaemonSet,
// printControllerRevision.

import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Printer } from './types.js';
import { AGE, CONTAINERS, IMAGES, NAME, col, wide } from './columns.js';
import { age, controllerOf, formatLabelSelector, formatLabels, groupOf, labelSelectorString, layoutContainerCells, name } from './format.js';


export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'apps/v1/DeploymentStatus.updatedReplicas'),
    col('Available', 'string', 'apps/v1/DeploymentStatus.availableReplicas'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'apps/v1/DeploymentSpec.selector'),
  ],
  cells(obj, now) {
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    // Deployments print the raw selector string, `<invalid>` when it does not parse.
    let selector: string;
    try {
      selector = labelSelectorString(obj.spec?.selector);
    } catch {
      selector = '<invalid>';
    }
    return [
      name(obj),
      `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
      obj.status?.updatedReplicas ?? 0,
      obj.status?.availableReplicas ?? 0,
      age(obj, now),
      names,
      images,
      selector,
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    NAME,
    col('Desired', 'integer', 'apps/v1/ReplicaSetSpec.replicas'),
    col('Current', 'integer', 'apps/v1/ReplicaSetStatus.replicas'),
    col('Ready', 'integer', 'apps/v1/ReplicaSetStatus.readyReplicas'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'apps/v1/ReplicaSetSpec.selector'),
  ],
  cells(obj, now) {
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    return [
      name(obj),
      obj.spec?.replicas ?? 0,
      obj.status?.replicas ?? 0,
      obj.status?.readyReplicas ?? 0,
      age(obj, now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [NAME, col('Ready', 'string', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
  cells(obj, now) {
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    return [name(obj), `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`, age(obj, now), names, images];
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    NAME,
    col('Desired', 'integer', 'apps/v1/DaemonSetStatus.desiredNumberScheduled'),
    col('Current', 'integer', 'apps/v1/DaemonSetStatus.currentNumberScheduled'),
    col('Ready', 'integer', 'apps/v1/DaemonSetStatus.numberReady'),
    col('Up-to-date', 'integer', 'apps/v1/DaemonSetStatus.updatedNumberScheduled'),
    col('Available', 'integer', 'apps/v1/DaemonSetStatus.numberAvailable'),
    col('Node Selector', 'string', 'core/v1/PodSpec.nodeSelector'),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', 'apps/v1/DaemonSetSpec.selector'),
  ],
  cells(obj, now) {
    const s = obj.status;
    const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
    return [
      name(obj),
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(obj.spec?.template?.spec?.nodeSelector),
      age(obj, now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    NAME,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'apps/v1/ControllerRevision.revision'),
    AGE,
  ],
  cells(obj, now) {
    const ref = controllerOf(obj.metadata?.ownerReferences);
    let controller = '<none>';
    if (ref) {
      // formatResourceName: lower-cased `kind.group/name` (`daemonset.apps/fluentd`).
      const group = groupOf(ref.apiVersion);
      const kind = ref.kind ?? '';
      controller = group === '' && kind === '' ? ref.name : `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
    }
    return [name(obj), controller, obj.revision ?? 0, age(obj, now)];
  },
};
