// The remaining groups: autoscaling (HPA), policy (PDB), rbac bindings, coordination (Lease),
// scheduling (PriorityClass), node (RuntimeClass), certificates (CSR), admissionregistration.

import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type {
  MutatingWebhookConfiguration,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
} from 'kubernetes-types/admissionregistration/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Printer } from './types.js';
import { AGE, NAME, col, wide } from './columns.js';
import { age, name, quantityString } from './format.js';
import { humanDuration } from '../../machinery/duration.js';


/** Quantity.String() of an optional quantity: Go prints a nil *Quantity as `<nil>`. */
const q = (v: string | number | null | undefined): string => (v === undefined || v === null ? '<nil>' : quantityString(v));

function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External': {
      const target = spec.external?.target;
      if (target?.averageValue !== undefined && target.averageValue !== null) {
        const cur = status?.external?.current?.averageValue;
        return `${cur !== undefined && cur !== null ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`;
      }
      const cur = status?.external ? q(status.external.current?.value) : '<unknown>';
      return `${cur}/${q(target?.value)}`;
    }
    case 'Pods': {
      const cur = status?.pods ? q(status.pods.current?.averageValue) : '<unknown>';
      return `${cur}/${q(spec.pods?.target?.averageValue)}`;
    }
    case 'Object': {
      const target = spec.object?.target;
      if (target?.averageValue !== undefined && target.averageValue !== null) {
        const cur = status?.object?.current?.averageValue;
        return `${cur !== undefined && cur !== null ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`;
      }
      const cur = status?.object ? q(status.object.current?.value) : '<unknown>';
      return `${cur}/${q(target?.value)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const s = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const st = spec.type === 'Resource' ? status?.resource : status?.containerResource;
      const resource = s?.name ?? '';
      const target = s?.target;
      if (target?.averageValue !== undefined && target.averageValue !== null) {
        const cur = st ? q(st.current?.averageValue) : '<unknown>';
        return `${resource}: ${cur}/${q(target.averageValue)}`;
      }
      const util = st?.current?.averageUtilization;
      const cur = util !== undefined && util !== null ? `${util}%` : '<unknown>';
      const want = target?.averageUtilization;
      return `${resource}: ${cur}/${want !== undefined && want !== null ? `${want}%` : '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** Upstream formatHPAMetrics: the first two metrics as `current/target`, `+ N more...`, `<none>`. */
export function formatHPAMetrics(specs: readonly MetricSpec[] | undefined, statuses: readonly MetricStatus[] | undefined): string {
  const all = specs ?? [];
  if (all.length === 0) return '<none>';
  const max = 2;
  const list = all.slice(0, max).map((spec, i) => formatMetric(spec, statuses?.[i]));
  const ret = list.join(', ');
  return all.length > max ? `${ret} + ${all.length - max} more...` : ret;
}

export const horizontalPodAutoscalerPrinter: Printer<HorizontalPodAutoscaler> = {
  columns: [
    NAME,
    col('Reference', 'string', 'autoscaling/v2/HorizontalPodAutoscalerSpec.scaleTargetRef'),
    col('Targets', 'string', 'autoscaling/v2/HorizontalPodAutoscalerSpec.metrics'),
    col('MinPods', 'string', 'autoscaling/v2/HorizontalPodAutoscalerSpec.minReplicas'),
    col('MaxPods', 'string', 'autoscaling/v2/HorizontalPodAutoscalerSpec.maxReplicas'),
    col('Replicas', 'string', 'autoscaling/v2/HorizontalPodAutoscalerStatus.currentReplicas'),
    AGE,
  ],
  cells(obj, now) {
    const ref = obj.spec?.scaleTargetRef;
    const min = obj.spec?.minReplicas;
    return [
      name(obj),
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHPAMetrics(obj.spec?.metrics, obj.status?.currentMetrics),
      min !== undefined && min !== null ? String(min) : '<unset>',
      obj.spec?.maxReplicas ?? 0,
      obj.status?.currentReplicas ?? 0,
      age(obj, now),
    ];
  },
};

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [
    NAME,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE,
  ],
  cells(obj, now) {
    const min = obj.spec?.minAvailable;
    const max = obj.spec?.maxUnavailable;
    return [
      name(obj),
      min !== undefined && min !== null ? String(min) : 'N/A',
      max !== undefined && max !== null ? String(max) : 'N/A',
      obj.status?.disruptionsAllowed ?? 0,
      age(obj, now),
    ];
  },
};

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts. */
export function subjectsStrings(subjects: readonly Subject[] | undefined): { users: string[]; groups: string[]; sas: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return { users, groups, sas };
}

function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding'): Printer<RoleBinding | ClusterRoleBinding> {
  const roleDoc = kind === 'roleBinding' ? 'rbac/v1/RoleBinding.roleRef' : 'rbac/v1/ClusterRoleBinding.roleRef';
  return {
    columns: [
      NAME,
      col('Role', 'string', roleDoc),
      AGE,
      wide('Users', 'string', `Users in the ${kind}`),
      wide('Groups', 'string', `Groups in the ${kind}`),
      wide('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`),
    ],
    cells(obj, now) {
      const { users, groups, sas } = subjectsStrings(obj.subjects);
      return [
        name(obj),
        `${obj.roleRef?.kind ?? ''}/${obj.roleRef?.name ?? ''}`,
        age(obj, now),
        users.join(', '),
        groups.join(', '),
        sas.join(', '),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

export const leasePrinter: Printer<Lease> = {
  columns: [NAME, col('Holder', 'string', 'coordination/v1/LeaseSpec.holderIdentity'), AGE],
  cells: (obj, now) => [name(obj), obj.spec?.holderIdentity ?? '', age(obj, now)],
};

export const priorityClassPrinter: Printer<PriorityClass> = {
  columns: [
    NAME,
    col('Value', 'integer', 'scheduling/v1/PriorityClass.value'),
    col('Global-Default', 'boolean', 'scheduling/v1/PriorityClass.globalDefault'),
    AGE,
    // Not a wide column upstream, although it was added behind `options.Wide`.
    col('PreemptionPolicy', 'string', 'scheduling/v1/PriorityClass.preemptionPolicy'),
  ],
  cells: (obj, now) => [name(obj), obj.value ?? 0, obj.globalDefault ?? false, age(obj, now), obj.preemptionPolicy ?? ''],
};

export const runtimeClassPrinter: Printer<RuntimeClass> = {
  // Upstream reads the HANDLER description from ObjectMeta's docs, which have none: empty.
  columns: [NAME, col('Handler', 'string', ''), AGE],
  cells: (obj, now) => [name(obj), obj.handler ?? '', age(obj, now)],
};

/** Upstream extractCSRStatus: Denied, else Approved, else Pending; then `,Failed` and `,Issued`. */
export function csrCondition(csr: CertificateSigningRequest): string {
  let approved = false;
  let denied = false;
  let failed = false;
  for (const c of csr.status?.conditions ?? []) {
    if (c.type === 'Approved') approved = true;
    else if (c.type === 'Denied') denied = true;
    else if (c.type === 'Failed') failed = true;
  }
  let status = denied ? 'Denied' : approved ? 'Approved' : 'Pending';
  if (failed) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

export const certificateSigningRequestPrinter: Printer<CertificateSigningRequest> = {
  columns: [
    NAME,
    AGE,
    col('SignerName', 'string', 'certificates/v1/CertificateSigningRequestSpec.signerName'),
    col('Requestor', 'string', 'certificates/v1/CertificateSigningRequestSpec.request'),
    col('RequestedDuration', 'string', 'certificates/v1/CertificateSigningRequestSpec.expirationSeconds'),
    col('Condition', 'string', 'certificates/v1/CertificateSigningRequestStatus.conditions'),
  ],
  cells(obj, now) {
    const seconds = obj.spec?.expirationSeconds;
    return [
      name(obj),
      age(obj, now),
      obj.spec?.signerName || '<none>',
      obj.spec?.username ?? '',
      seconds !== undefined && seconds !== null ? humanDuration(seconds * 1000) : '<none>',
      csrCondition(obj),
    ];
  },
};

const webhookColumns = [
  NAME,
  col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'),
  AGE,
];

export const mutatingWebhookConfigurationPrinter: Printer<MutatingWebhookConfiguration> = {
  columns: webhookColumns,
  cells: (obj, now) => [name(obj), obj.webhooks?.length ?? 0, age(obj, now)],
};

export const validatingWebhookConfigurationPrinter: Printer<ValidatingWebhookConfiguration> = {
  columns: webhookColumns,
  cells: (obj, now) => [name(obj), obj.webhooks?.length ?? 0, age(obj, now)],
};

export const validatingAdmissionPolicyPrinter: Printer<ValidatingAdmissionPolicy> = {
  columns: [
    NAME,
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    AGE,
  ],
  cells(obj, now) {
    const pk = obj.spec?.paramKind;
    const paramKind = pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>';
    return [name(obj), obj.spec?.validations?.length ?? 0, paramKind, age(obj, now)];
  },
};

/** Go's `%v` of a string slice: `[a b]`. */
const goSlice = (xs: readonly string[] | undefined): string => `[${(xs ?? []).join(' ')}]`;

/** The generated (*metav1.LabelSelector).String() that upstream prints for a binding's param selector. */
export function goLabelSelectorString(sel: LabelSelector): string {
  const labels = sel.matchLabels ?? {};
  const matchLabels = Object.keys(labels)
    .sort()
    .map((k) => `${k}: ${labels[k]},`)
    .join('');
  const exprs = (sel.matchExpressions ?? [])
    .map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:${goSlice(e.values)},},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${matchLabels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

export const validatingAdmissionPolicyBindingPrinter: Printer<ValidatingAdmissionPolicyBinding> = {
  columns: [
    NAME,
    col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    AGE,
  ],
  cells(obj, now) {
    const pr = obj.spec?.paramRef;
    let param = '<unset>';
    if (pr) {
      // A reference without a namespace may be cluster-scoped or not: upstream prints `*/name`.
      if (pr.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
      else if (pr.selector) param = goLabelSelectorString(pr.selector);
    }
    return [name(obj), obj.spec?.policyName ?? '', param, age(obj, now)];
  },
};
