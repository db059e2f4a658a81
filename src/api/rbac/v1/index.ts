// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
// Defaults follow pkg/apis/rbac/v1/defaults.go, validation pkg/apis/rbac/validation.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { FieldError, Path, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../../machinery/validation.js';
import { validateLabelSelector } from '../../../machinery/labels.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

export const GROUP = 'rbac.authorization.k8s.io';

/** An Invalid error whose value is printed verbatim (Go's %#v of a struct). */
class RawValueError extends FieldError {
  constructor(field: string, private readonly raw: string, detail: string) {
    super('FieldValueInvalid', field, raw, detail);
  }
  override body(): string {
    return `Invalid value: ${this.raw}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

// ---- defaults -------------------------------------------------------------------------------

/** Subjects: User/Group default to the RBAC group, ServiceAccount to the core group. */
export function defaultSubjects(subjects: Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if (!s.apiGroup) {
      if (s.kind === 'ServiceAccount') delete s.apiGroup; // "" is omitted on the wire (omitempty)
      else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
    }
  }
}

function defaultBinding(b: { roleRef?: RoleRef; subjects?: Subject[] }): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = GROUP;
  defaultSubjects(b.subjects);
}

// ---- validation -----------------------------------------------------------------------------

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!rule.verbs?.length) errs.push(required(path.child('verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(required(path.child('resources'), 'resource rules must supply at least one resource'));
  if (rule.resourceNames?.length && (rule.resources?.length ?? 0) > 1) {
    errs.push(required(path.child('resourceNames'), 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): ErrorList {
  const errs: ErrorList = [];
  (rules ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, Path.root('rules').at(i))));
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  const name = s.name ?? '';
  if (!name) errs.push(required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(path.child('name'), name, m));
      if (s.apiGroup) errs.push(notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(path.child('namespace')));
      break;
    case 'User':
      if (!name) errs.push(invalid(path.child('name'), name, 'user name cannot be empty'));
      if (s.apiGroup !== GROUP) errs.push(notSupported(path.child('apiGroup'), s.apiGroup ?? '', [GROUP]));
      break;
    case 'Group':
      if (!name) errs.push(invalid(path.child('name'), name, 'group name cannot be empty'));
      if (s.apiGroup !== GROUP) errs.push(notSupported(path.child('apiGroup'), s.apiGroup ?? '', [GROUP]));
      break;
    default:
      errs.push(notSupported(path.child('kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: { roleRef?: RoleRef; subjects?: Subject[] }, namespaced: boolean): ErrorList {
  const errs: ErrorList = [];
  const ref: Partial<RoleRef> = b.roleRef ?? {};
  if ((ref.apiGroup ?? '') !== GROUP) errs.push(notSupported(Path.root('roleRef', 'apiGroup'), ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported(Path.root('roleRef', 'kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required(Path.root('roleRef', 'name')));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(invalid(Path.root('roleRef', 'name'), ref.name, m));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, Path.root('subjects').at(i))));
  return errs;
}

function roleRefRepr(r: Partial<RoleRef> | undefined): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? '')}, Kind:${JSON.stringify(r?.kind ?? '')}, Name:${JSON.stringify(r?.name ?? '')}}`;
}

function validateRoleRefUnchanged(b: { roleRef?: RoleRef }, old: { roleRef?: RoleRef }): ErrorList {
  const a = b.roleRef, o = old.roleRef;
  if ((a?.apiGroup ?? '') === (o?.apiGroup ?? '') && (a?.kind ?? '') === (o?.kind ?? '') && (a?.name ?? '') === (o?.name ?? '')) return [];
  return [new RawValueError('roleRef', roleRefRepr(a), 'cannot change roleRef')];
}

function validateClusterRole(cr: ClusterRole): ErrorList {
  const errs = validateRules(cr.rules, false);
  const agg = cr.aggregationRule;
  if (agg) {
    const base = Path.root('aggregationRule', 'clusterRoleSelectors');
    if (!agg.clusterRoleSelectors?.length) {
      errs.push(required(base, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    (agg.clusterRoleSelectors ?? []).forEach((sel: LabelSelector, i) => errs.push(...validateLabelSelector(sel, base.at(i))));
  }
  return errs;
}

// ---- handlers -------------------------------------------------------------------------------

export const roleHandlers: KindHandlers<Role> = {
  nameValidation: 'path-segment',
  validate: (r) => validateRules(r.rules, true),
  validateUpdate: (r) => validateRules(r.rules, true),
};

export const clusterRoleHandlers: KindHandlers<ClusterRole> = {
  nameValidation: 'path-segment',
  validate: validateClusterRole,
  validateUpdate: (r) => validateClusterRole(r),
};

export const roleBindingHandlers: KindHandlers<RoleBinding> = {
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: (b, old) => [...validateBinding(b, true), ...validateRoleRefUnchanged(b, old)],
};

export const clusterRoleBindingHandlers: KindHandlers<ClusterRoleBinding> = {
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: (b, old) => [...validateBinding(b, false), ...validateRoleRefUnchanged(b, old)],
};

export const kinds: GroupVersionKinds = {
  Role: roleHandlers,
  ClusterRole: clusterRoleHandlers,
  RoleBinding: roleBindingHandlers,
  ClusterRoleBinding: clusterRoleBindingHandlers,
};
