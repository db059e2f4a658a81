// apps/v1 defaulting (upstream pkg/apis/apps/v1/defaults.go plus the pod template defaults
// that SetObjectDefaults_* apply).

import type {
  DaemonSet,
  DaemonSetSpec,
  Deployment,
  DeploymentSpec,
  ReplicaSet,
  ReplicaSetSpec,
  StatefulSet,
  StatefulSetSpec,
} from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { setDefaultsPodTemplateSpec } from '../../core/v1/index.js';

function templateDefaults(t: PodTemplateSpec | undefined): void {
  if (t) setDefaultsPodTemplateSpec(t);
}

/** Upstream SetDefaults_PersistentVolumeClaim as applied to StatefulSet volumeClaimTemplates. */
export function setDefaultsClaimTemplate(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
  // status is read-only in the wire types; defaulting still fills it, as upstream does.
  const st = ((pvc as { status?: { phase?: string } }).status ??= {});
  st.phase ??= 'Pending';
}

export function setDefaultsDeployment(d: Deployment): void {
  const spec = (d.spec ??= {} as DeploymentSpec);
  spec.template ??= {};
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  templateDefaults(spec.template);
}

export function setDefaultsReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as ReplicaSetSpec);
  spec.replicas ??= 1;
  templateDefaults(spec.template);
}

export function setDefaultsDaemonSet(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSetSpec);
  spec.template ??= {};
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  templateDefaults(spec.template);
}

export function setDefaultsStatefulSet(ss: StatefulSet): void {
  const spec = (ss.spec ??= {} as StatefulSetSpec);
  spec.template ??= {};
  spec.podManagementPolicy ??= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (us.type === undefined) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  templateDefaults(spec.template);
  for (const pvc of spec.volumeClaimTemplates ?? []) setDefaultsClaimTemplate(pvc);
}

