// admissionregistration.k8s.io/v1: webhook configurations and ValidatingAdmissionPolicy(+Binding).
// Defaults follow pkg/apis/admissionregistration/v1/defaults.go, validation
// pkg/apis/admissionregistration/validation. CEL expressions are checked for presence only;
// they are compiled when policies are enforced.

import type {
  MatchResources,
  MutatingWebhook,
  MutatingWebhookConfiguration,
  NamedRuleWithOperations,
  RuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
  WebhookClientConfig,
  MatchCondition,
} from 'kubernetes-types/admissionregistration/v1.js';
import { Path, duplicate, forbidden, invalid, notSupported, required, tooMany, type ErrorList } from '../../../machinery/field.js';
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPathSegmentName,
  isValidPortNum,
  validateFullyQualifiedName,
} from '../../../machinery/validation.js';
import { validateLabelSelector } from '../../../machinery/labels.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

// Go's sets.List() order (sorted), as upstream prints them.
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const NO_SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun'];
const SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];
const VALIDATION_REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const ACCEPTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** RuleWithOperations with the inlined Rule fields that kubernetes-types 1.30 leaves out. */
type Rule = RuleWithOperations & { resources?: string[]; scope?: string };

// ---- defaults -------------------------------------------------------------------------------

function defaultRules(rules: RuleWithOperations[] | undefined): void {
  for (const r of (rules ?? []) as Rule[]) r.scope ??= '*';
}

function defaultClientConfig(cc: WebhookClientConfig | undefined): void {
  if (cc?.service) cc.service.port ??= 443;
}

function defaultWebhook(h: ValidatingWebhook | MutatingWebhook): void {
  h.failurePolicy ??= 'Fail';
  h.matchPolicy ??= 'Equivalent';
  h.namespaceSelector ??= {};
  h.objectSelector ??= {};
  h.timeoutSeconds ??= 10;
  defaultRules(h.rules);
  defaultClientConfig(h.clientConfig);
}

function defaultMatchResources(m: MatchResources | undefined): void {
  if (!m) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  defaultRules(m.resourceRules);
  defaultRules(m.excludeResourceRules);
}

// ---- shared validation ----------------------------------------------------------------------

function validateResources(resources: string[], path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!resources.length) errs.push(required(path));
  const resWithWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false, singleWildcard = false, withoutSub = false;
  resources.forEach((rs, i) => {
    if (!rs) {
      errs.push(required(path.at(i)));
      return;
    }
    if (rs === '*/*') doubleWildcard = true;
    if (rs === '*') singleWildcard = true;
    const slash = rs.indexOf('/');
    if (slash < 0) {
      withoutSub = rs !== '*';
      return;
    }
    const res = rs.slice(0, slash), sub = rs.slice(slash + 1);
    if (resWithWildcardSub.has(res)) errs.push(invalid(path.at(i), rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (subWithWildcardRes.has(sub)) errs.push(invalid(path.at(i), rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') resWithWildcardSub.add(res);
    if (res === '*') subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: Rule, path: Path): ErrorList {
  const errs: ErrorList = [];
  const groups = rule.apiGroups ?? [];
  const versions = rule.apiVersions ?? [];
  if (!groups.length) errs.push(required(path.child('apiGroups')));
  if (groups.length > 1 && groups.includes('*')) errs.push(invalid(path.child('apiGroups'), groups, "if '*' is present, must not specify other API groups"));
  if (!versions.length) errs.push(required(path.child('apiVersions')));
  if (versions.length > 1 && versions.includes('*')) errs.push(invalid(path.child('apiVersions'), versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (!v) errs.push(required(path.child('apiVersions').at(i)));
  });
  errs.push(...validateResources(rule.resources ?? [], path.child('resources')));
  if (rule.scope != null && !SCOPES.includes(rule.scope)) errs.push(notSupported(path.child('scope'), rule.scope, SCOPES));
  return errs;
}

function validateRuleWithOperations(rule: Rule, path: Path): ErrorList {
  const errs: ErrorList = [];
  const ops = rule.operations ?? [];
  if (!ops.length) errs.push(required(path.child('operations')));
  if (ops.length > 1 && ops.includes('*')) errs.push(invalid(path.child('operations'), ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(path.child('operations').at(i), op, OPERATIONS));
  });
  errs.push(...validateRule(rule, path));
  return errs;
}

function validateAdmissionReviewVersions(versions: string[], requireRecognized: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!versions.length) return [required(path, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`)];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(path.at(i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(invalid(path.at(i), v, m));
    if (ACCEPTED_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(invalid(path, versions, `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** Upstream webhook.ValidateWebhookURL with https forced. */
function validateWebhookURL(path: Path, raw: string): ErrorList {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return [required(path, `url must be a valid URL: ${(e as Error).message}${form}`)];
  }
  const errs: ErrorList = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(invalid(path, scheme, `'https' is the only allowed URL scheme${form}`));
  if (!u.host) errs.push(invalid(path, u.host, `host must be specified${form}`));
  if (u.username || u.password) {
    errs.push(invalid(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  }
  if (u.hash.length > 1) errs.push(invalid(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search.length > 1) errs.push(invalid(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** Upstream webhook.ValidateWebhookService. */
function validateWebhookService(path: Path, name: string, namespace: string, urlPath: string | undefined, port: number): ErrorList {
  const errs: ErrorList = [];
  if (!name) errs.push(required(path.child('name'), 'service name is required'));
  if (!namespace) errs.push(required(path.child('namespace'), 'service namespace is required'));
  const pe = isValidPortNum(port);
  if (pe.length) errs.push(invalid(path.child('port'), port, `port is not valid: ${pe.join(', ')}`));
  if (urlPath == null || urlPath === '/' || urlPath === '') return errs;
  const pp = path.child('path');
  if (urlPath === '//') return [...errs, invalid(pp, urlPath, 'segment[0] may not be empty')];
  if (!urlPath.startsWith('/')) errs.push(invalid(pp, urlPath, "must start with a '/'"));
  let check = urlPath.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (!step) {
      errs.push(invalid(pp, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const m of isDNS1123Subdomain(step)) errs.push(invalid(pp, urlPath, `segment[${i}]: ${m}`));
  });
  return errs;
}

function validateMatchConditions(conds: MatchCondition[] | undefined, path: Path): ErrorList {
  const errs: ErrorList = [];
  const list = conds ?? [];
  if (list.length > 64) errs.push(tooMany(path, list.length, 64));
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.at(i);
    if (!c.expression?.trim()) errs.push(required(p.child('expression')));
    if (!c.name) errs.push(required(p.child('name')));
    else {
      for (const m of isQualifiedName(c.name)) errs.push(invalid(p.child('name'), c.name, m));
      if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
      else names.add(c.name);
    }
  });
  return errs;
}

interface WebhookOptions {
  requireNoSideEffects: boolean;
  requireRecognizedAdmissionReviewVersion: boolean;
  requireUniqueWebhookNames: boolean;
}

function validateWebhook(h: ValidatingWebhook | MutatingWebhook, mutating: boolean, opts: WebhookOptions, path: Path): ErrorList {
  const errs: ErrorList = [...validateFullyQualifiedName(h.name ?? '', path.child('name'))];
  (h.rules ?? []).forEach((r, i) => errs.push(...validateRuleWithOperations(r, path.child('rules').at(i))));
  if (h.failurePolicy != null && !FAILURE_POLICIES.includes(h.failurePolicy)) {
    errs.push(notSupported(path.child('failurePolicy'), h.failurePolicy, FAILURE_POLICIES));
  }
  if (h.matchPolicy != null && !MATCH_POLICIES.includes(h.matchPolicy)) errs.push(notSupported(path.child('matchPolicy'), h.matchPolicy, MATCH_POLICIES));
  const allowedSideEffects = opts.requireNoSideEffects ? NO_SIDE_EFFECT_CLASSES : SIDE_EFFECT_CLASSES;
  if (h.sideEffects == null) errs.push(required(path.child('sideEffects'), `must specify one of ${allowedSideEffects.join(', ')}`));
  else if (!allowedSideEffects.includes(h.sideEffects)) errs.push(notSupported(path.child('sideEffects'), h.sideEffects, allowedSideEffects));
  if (h.timeoutSeconds != null && (h.timeoutSeconds > 30 || h.timeoutSeconds < 1)) {
    errs.push(invalid(path.child('timeoutSeconds'), h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  if (h.namespaceSelector) errs.push(...validateLabelSelector(h.namespaceSelector, path.child('namespaceSelector')));
  if (h.objectSelector) errs.push(...validateLabelSelector(h.objectSelector, path.child('objectSelector')));
  if (mutating) {
    const rp = (h as MutatingWebhook).reinvocationPolicy;
    if (rp != null && !REINVOCATION_POLICIES.includes(rp)) errs.push(notSupported(path.child('reinvocationPolicy'), rp, REINVOCATION_POLICIES));
  }
  const cc = h.clientConfig ?? {};
  if ((cc.url == null) === (cc.service == null)) errs.push(required(path.child('clientConfig'), 'exactly one of url or service is required'));
  else if (cc.url != null) errs.push(...validateWebhookURL(path.child('clientConfig', 'url'), cc.url));
  else {
    const s = cc.service!;
    errs.push(...validateWebhookService(path.child('clientConfig', 'service'), s.name ?? '', s.namespace ?? '', s.path, s.port ?? 443));
  }
  errs.push(...validateMatchConditions(h.matchConditions, path.child('matchConditions')));
  return errs;
}

function validateWebhookConfiguration(
  hooks: (ValidatingWebhook | MutatingWebhook)[] | undefined,
  mutating: boolean,
  opts: WebhookOptions,
): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  (hooks ?? []).forEach((h, i) => {
    const p = Path.root('webhooks').at(i);
    errs.push(...validateWebhook(h, mutating, opts, p));
    errs.push(...validateAdmissionReviewVersions(h.admissionReviewVersions ?? [], opts.requireRecognizedAdmissionReviewVersion, p.child('admissionReviewVersions')));
    if (opts.requireUniqueWebhookNames && h.name) {
      if (names.has(h.name)) errs.push(duplicate(p.child('name'), h.name));
      else names.add(h.name);
    }
  });
  return errs;
}

const CREATE_OPTS: WebhookOptions = { requireNoSideEffects: true, requireRecognizedAdmissionReviewVersion: true, requireUniqueWebhookNames: true };

/** Stored configurations that predate a rule keep validating (upstream's update options). */
function updateOpts(old: (ValidatingWebhook | MutatingWebhook)[] | undefined): WebhookOptions {
  const hooks = old ?? [];
  return {
    requireNoSideEffects: hooks.every((h) => h.sideEffects != null && NO_SIDE_EFFECT_CLASSES.includes(h.sideEffects)),
    requireRecognizedAdmissionReviewVersion: hooks.every(
      (h) => !h.admissionReviewVersions?.length || h.admissionReviewVersions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v)),
    ),
    requireUniqueWebhookNames: new Set(hooks.map((h) => h.name)).size === hooks.length,
  };
}

export const validatingWebhookConfigurationHandlers: KindHandlers<ValidatingWebhookConfiguration> = {
  defaults(c) {
    for (const h of c.webhooks ?? []) defaultWebhook(h);
  },
  validate: (c) => validateWebhookConfiguration(c.webhooks, false, CREATE_OPTS),
  validateUpdate: (c, old) => validateWebhookConfiguration(c.webhooks, false, updateOpts(old.webhooks)),
};

export const mutatingWebhookConfigurationHandlers: KindHandlers<MutatingWebhookConfiguration> = {
  defaults(c) {
    for (const h of c.webhooks ?? []) {
      defaultWebhook(h);
      h.reinvocationPolicy ??= 'Never';
    }
  },
  validate: (c) => validateWebhookConfiguration(c.webhooks, true, CREATE_OPTS),
  validateUpdate: (c, old) => validateWebhookConfiguration(c.webhooks, true, updateOpts(old.webhooks)),
};

// ---- ValidatingAdmissionPolicy(+Binding) ----------------------------------------------------

function validateNamedRule(r: NamedRuleWithOperations, path: Path): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  (r.resourceNames ?? []).forEach((n, i) => {
    for (const m of isValidPathSegmentName(n)) errs.push(invalid(path.child('resourceNames').at(i), n, m));
    if (names.has(n)) errs.push(duplicate(path.child('resourceNames').at(i), n));
    else names.add(n);
  });
  errs.push(...validateRuleWithOperations(r, path));
  return errs;
}

function validateMatchResources(m: MatchResources, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (m.matchPolicy == null) errs.push(required(path.child('matchPolicy')));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) errs.push(notSupported(path.child('matchPolicy'), m.matchPolicy, MATCH_POLICIES));
  if (m.namespaceSelector == null) errs.push(required(path.child('namespaceSelector')));
  else errs.push(...validateLabelSelector(m.namespaceSelector, path.child('namespaceSelector')));
  if (m.objectSelector == null) errs.push(required(path.child('objectSelector')));
  else errs.push(...validateLabelSelector(m.objectSelector, path.child('objectSelector')));
  (m.resourceRules ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, path.child('resourceRules').at(i))));
  (m.excludeResourceRules ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, path.child('excludeResourceRules').at(i))));
  return errs;
}

function validateParamKind(apiVersion: string, kind: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!apiVersion) errs.push(required(path.child('apiVersion')));
  else {
    const slashes = apiVersion.split('/').length - 1;
    if (slashes > 1) errs.push(invalid(path.child('apiVersion'), apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      const [group, version] = slashes === 1 ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
      if (group) {
        const ge = isDNS1123Subdomain(group);
        if (ge.length) errs.push(invalid(path.child('apiVersion'), group, ge.join(',')));
      }
      if (!version) errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must be specified'));
      else {
        const ve = isDNS1035Label(version);
        if (ve.length) errs.push(invalid(path.child('apiVersion'), version, ve.join(',')));
      }
    }
  }
  if (!kind) errs.push(required(path.child('kind')));
  else {
    const ke = isDNS1035Label(kind.toLowerCase());
    if (ke.length) errs.push(invalid(path.child('kind'), kind, `may have mixed case, but should otherwise match: ${ke.join(',')}`));
  }
  return errs;
}

function validatePolicy(p: ValidatingAdmissionPolicy): ErrorList {
  const errs: ErrorList = [];
  const spec = p.spec ?? {};
  const sp = Path.root('spec');
  if (spec.failurePolicy == null) errs.push(required(sp.child('failurePolicy')));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(notSupported(sp.child('failurePolicy'), spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind.apiVersion ?? '', spec.paramKind.kind ?? '', sp.child('paramKind')));
  if (!spec.matchConstraints) errs.push(required(sp.child('matchConstraints')));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, sp.child('matchConstraints')));
    if (!spec.matchConstraints.resourceRules?.length) errs.push(required(sp.child('matchConstraints', 'resourceRules')));
  }
  errs.push(...validateMatchConditions(spec.matchConditions, sp.child('matchConditions')));
  (spec.variables ?? []).forEach((v, i) => {
    const vp = sp.child('variables').at(i);
    if (!v.name?.trim()) errs.push(required(vp.child('name'), 'name is not specified'));
    else if (!/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(v.name)) errs.push(invalid(vp.child('name'), v.name, 'name is not a valid CEL identifier'));
    if (!v.expression?.trim()) errs.push(required(vp.child('expression'), 'expression is not specified'));
  });
  const validations = spec.validations ?? [];
  const audits = spec.auditAnnotations ?? [];
  if (!validations.length && !audits.length) {
    errs.push(required(sp.child('validations'), 'validations or auditAnnotations must contain at least one item'));
    errs.push(required(sp.child('auditAnnotations'), 'validations or auditAnnotations must contain at least one item'));
    return errs;
  }
  validations.forEach((v, i) => {
    const vp = sp.child('validations').at(i);
    if (!v.expression?.trim()) errs.push(required(vp.child('expression'), 'expression is not specified'));
    if (v.messageExpression != null && v.messageExpression.length > 0 && !v.messageExpression.trim()) {
      errs.push(invalid(vp.child('messageExpression'), v.messageExpression, 'must be non-empty if specified'));
    }
    const msg = v.message ?? '';
    if (msg.length > 0 && !msg.trim()) errs.push(invalid(vp.child('message'), msg, 'message must be non-empty if specified'));
    else if (/[\r\n]/.test(msg.trim())) errs.push(invalid(vp.child('message'), msg, 'message must not contain line breaks'));
    if (v.reason != null && !VALIDATION_REASONS.includes(v.reason)) errs.push(notSupported(vp.child('reason'), v.reason, VALIDATION_REASONS));
  });
  if (audits.length > 20) errs.push(invalid(sp.child('auditAnnotations'), audits, 'must not have more than 20 auditAnnotations'));
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const ap = sp.child('auditAnnotations').at(i);
    const name = p.metadata?.name ?? '';
    if (name) for (const m of isQualifiedName(`${name}/${a.key}`)) errs.push(invalid(ap.child('key'), a.key, m));
    if (!a.valueExpression?.trim()) errs.push(required(ap.child('valueExpression'), 'valueExpression is not specified'));
    else if (a.valueExpression.length > 5 * 1024) {
      errs.push(invalid(ap.child('valueExpression'), a.valueExpression, 'must not exceed 5120 bytes in length'));
    }
    if (keys.has(a.key)) errs.push(duplicate(ap.child('key'), a.key));
    keys.add(a.key);
  });
  return errs;
}

function validateValidationActions(actions: string[], path: Path): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!VALIDATION_ACTIONS.includes(a)) errs.push(notSupported(path.at(i), a, VALIDATION_ACTIONS));
    if (seen.has(a)) errs.push(duplicate(path.at(i), a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(
      invalid(path, actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'),
    );
  }
  if (!seen.size) errs.push(required(path, 'at least one validation action is required'));
  return errs;
}

function validateBinding(b: ValidatingAdmissionPolicyBinding): ErrorList {
  const errs: ErrorList = [];
  const spec = b.spec ?? {};
  const sp = Path.root('spec');
  if (!spec.policyName) errs.push(required(sp.child('policyName')));
  else for (const m of isDNS1123Subdomain(spec.policyName)) errs.push(invalid(sp.child('policyName'), spec.policyName, m));
  const pr = spec.paramRef;
  if (pr) {
    const pp = sp.child('paramRef');
    if (pr.name) for (const m of isDNS1123Subdomain(pr.name)) errs.push(invalid(pp.child('name'), pr.name, m));
    if (pr.name && pr.selector) errs.push(forbidden(pp.child('name'), 'name and selector are mutually exclusive'));
    if (!pr.name && !pr.selector) errs.push(required(pp, 'one of name or selector must be specified'));
    if (pr.selector) errs.push(...validateLabelSelector(pr.selector, pp.child('selector')));
    if (pr.namespace) for (const m of isDNS1123Subdomain(pr.namespace)) errs.push(invalid(pp.child('namespace'), pr.namespace, m));
    const action = pr.parameterNotFoundAction;
    if (action == null) errs.push(required(pp.child('parameterNotFoundAction')));
    else if (action !== 'Allow' && action !== 'Deny') errs.push(notSupported(pp.child('parameterNotFoundAction'), action, ['Allow', 'Deny']));
  }
  if (spec.matchResources) errs.push(...validateMatchResources(spec.matchResources, sp.child('matchResources')));
  errs.push(...validateValidationActions(spec.validationActions ?? [], sp.child('validationActions')));
  return errs;
}

export const validatingAdmissionPolicyHandlers: KindHandlers<ValidatingAdmissionPolicy> = {
  defaults(p) {
    const spec = (p.spec ??= {});
    spec.failurePolicy ??= 'Fail';
    defaultMatchResources(spec.matchConstraints);
  },
  validate: validatePolicy,
  validateUpdate: (p) => validatePolicy(p),
  validateStatusUpdate: () => [],
};

export const validatingAdmissionPolicyBindingHandlers: KindHandlers<ValidatingAdmissionPolicyBinding> = {
  defaults(b) {
    defaultMatchResources(b.spec?.matchResources);
  },
  validate: validateBinding,
  validateUpdate: (b) => validateBinding(b),
};

export const kinds: GroupVersionKinds = {
  MutatingWebhookConfiguration: mutatingWebhookConfigurationHandlers,
  ValidatingWebhookConfiguration: validatingWebhookConfigurationHandlers,
  ValidatingAdmissionPolicy: validatingAdmissionPolicyHandlers,
  ValidatingAdmissionPolicyBinding: validatingAdmissionPolicyBindingHandlers,
};
