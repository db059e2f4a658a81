// rbac.authorization.k8s.io/v1beta1 (removed upstream in 1.22; the seeds still use it). The
// shapes are the same as v1, so conversion is a copy with another apiVersion; objects are
// stored and validated as v1.

import type { ApiObject, GroupVersionKinds, KindHandlers } from '../../scheme.js';
import { GROUP, roleBindingHandlers, clusterRoleBindingHandlers } from '../v1/index.js';

const V1 = `${GROUP}/v1`;
const V1BETA1 = `${GROUP}/v1beta1`;

function copyAs(obj: ApiObject, apiVersion: string, kind: string): ApiObject {
  const out = structuredClone(obj);
  out.apiVersion = apiVersion;
  out.kind = kind;
  return out;
}

function handlers(kind: string, defaults?: KindHandlers['defaults']): KindHandlers {
  return {
    nameValidation: 'path-segment',
    ...(defaults ? { defaults } : {}),
    conversion: {
      hub: { group: GROUP, version: 'v1', kind },
      toHub: (o) => copyAs(o, V1, kind),
      fromHub: (o) => copyAs(o, V1BETA1, kind),
    },
  };
}

export const kinds: GroupVersionKinds = {
  Role: handlers('Role'),
  ClusterRole: handlers('ClusterRole'),
  RoleBinding: handlers('RoleBinding', roleBindingHandlers.defaults),
  ClusterRoleBinding: handlers('ClusterRoleBinding', clusterRoleBindingHandlers.defaults),
};
