// LimitRange and ResourceQuota validation.

import type { LimitRange, ResourceQuota, ResourceQuotaSpec, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, duplicate, forbidden, invalid, required } from '../../../../machinery/field.js';
import { isQualifiedName } from '../../../../machinery/validation.js';
import type { Quantity } from '../../../../machinery/quantity.js';
import {
  isOvercommitAllowed,
  semanticEqual,
  validateContainerResourceName,
  validateResourceList,
  validateResourceName,
  validateResourceQuotaResourceName,
} from './common.js';

function validateLimitRangeTypeName(value: string, path: Path): ErrorList {
  const errs = isQualifiedName(value).map((m) => invalid(path, value, m));
  if (errs.length) return errs;
  if (!value.includes('/') && !['Pod', 'Container', 'PersistentVolumeClaim'].includes(value)) {
    return [invalid(path, value, 'must be a standard limit type or fully qualified')];
  }
  return [];
}

/** ValidateLimitRange (metadata excluded). */
export function validateLimitRange(lr: LimitRange): ErrorList {
  const errs: ErrorList = [];
  const types = new Set<string>();
  const p = Path.root('spec', 'limits');
  (lr.spec?.limits ?? []).forEach((limit, i) => {
    const idx = p.at(i);
    const type = limit.type ?? '';
    errs.push(...validateLimitRangeTypeName(type, idx.child('type')));
    if (types.has(type)) errs.push(duplicate(idx.child('type'), type));
    types.add(type);
    const nameFn = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const max = validateResourceList(limit.max, idx.child('max'), nameFn, errs);
    const min = validateResourceList(limit.min, idx.child('min'), nameFn, errs);
    let defaults = new Map<string, Quantity>();
    let defaultRequests = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (Object.keys(limit.default ?? {}).length) errs.push(forbidden(idx.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(limit.defaultRequest ?? {}).length) errs.push(forbidden(idx.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = validateResourceList(limit.default, idx.child('default'), nameFn, errs);
      defaultRequests = validateResourceList(limit.defaultRequest, idx.child('defaultRequest'), nameFn, errs);
    }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(required(idx.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = validateResourceList(limit.maxLimitRequestRatio, idx.child('maxLimitRequestRatio'), nameFn, errs);
    const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()]);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const df = defaults.get(k);
      const dr = defaultRequests.get(k);
      const ratio = ratios.get(k);
      if (mn && mx && mn.cmp(mx) > 0) errs.push(invalid(idx.child('min').key(k), mn.toString(), `min value ${mn} is greater than max value ${mx}`));
      if (dr && mn && mn.cmp(dr) > 0) errs.push(invalid(idx.child('defaultRequest').key(k), dr.toString(), `min value ${mn} is greater than default request value ${dr}`));
      if (dr && mx && dr.cmp(mx) > 0) errs.push(invalid(idx.child('defaultRequest').key(k), dr.toString(), `default request value ${dr} is greater than max value ${mx}`));
      if (dr && df && dr.cmp(df) > 0) errs.push(invalid(idx.child('defaultRequest').key(k), dr.toString(), `default request value ${dr} is greater than default limit value ${df}`));
      if (df && mn && mn.cmp(df) > 0) errs.push(invalid(idx.child('default').key(k), mn.toString(), `min value ${mn} is greater than default value ${df}`));
      if (df && mx && df.cmp(mx) > 0) errs.push(invalid(idx.child('default').key(k), mx.toString(), `default value ${df} is greater than max value ${mx}`));
      if (ratio && ratio.milliValue() < 1000) errs.push(invalid(idx.child('maxLimitRequestRatio').key(k), ratio.toString(), `ratio ${ratio} is less than 1`));
      if (ratio && mn && mx) {
        const limitRatio = mx.milliValue() / mn.milliValue();
        if (ratio.milliValue() / 1000 > limitRatio) {
          errs.push(invalid(idx.child('maxLimitRequestRatio').key(k), ratio.toString(), `ratio ${ratio} is greater than max/min = ${limitRatio.toFixed(6)}`));
        }
      }
      if (!isOvercommitAllowed(k) && df && dr && df.cmp(dr) !== 0) {
        errs.push(invalid(idx.child('defaultRequest').key(k), dr.toString(), `default value ${df} must equal to defaultRequest value ${dr} in ${k}`));
      }
    }
  });
  return errs;
}

const standardScopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
const podScopedResources = new Set(['pods', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory', 'requests.ephemeral-storage', 'limits.ephemeral-storage', 'ephemeral-storage']);
const bestEffortResources = new Set(['pods']);

function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return podScopedResources.has(resource) || resource.startsWith('requests.hugepages-') || resource.startsWith('hugepages-');
    case 'BestEffort':
      return bestEffortResources.has(resource);
    case 'VolumeAttributesClass':
      return ['persistentvolumeclaims', 'requests.storage'].includes(resource);
    default:
      return true;
  }
}

function validateQuotaList(list: Record<string, unknown> | undefined, path: Path, errs: ErrorList): void {
  validateResourceList(list, path, validateResourceQuotaResourceName, errs);
}

/** ValidateResourceQuotaSpec */
export function validateResourceQuotaSpec(spec: ResourceQuotaSpec | undefined, path = Path.root('spec')): ErrorList {
  const errs: ErrorList = [];
  validateQuotaList(spec?.hard, path.child('hard'), errs);
  const hard = Object.keys(spec?.hard ?? {}).sort();
  const scopes = spec?.scopes ?? [];
  if (scopes.length) {
    const sp = path.child('scopes');
    for (const s of scopes) {
      if (!standardScopes.includes(s)) errs.push(invalid(sp, scopes, 'unsupported scope'));
      for (const k of hard) if (!k.includes('/') && !scopeValidForResource(s, k)) errs.push(invalid(sp, scopes, 'unsupported scope applied to resource'));
    }
    const set = new Set(scopes);
    if ((set.has('BestEffort') && set.has('NotBestEffort')) || (set.has('Terminating') && set.has('NotTerminating'))) {
      errs.push(invalid(sp, scopes, 'conflicting scopes'));
    }
  }
  const sel = spec?.scopeSelector;
  if (sel) {
    const mp = path.child('scopeSelector', 'matchExpressions');
    const set = new Set<string>();
    for (const req of sel.matchExpressions ?? []) {
      if (!standardScopes.includes(req.scopeName)) errs.push(invalid(mp.child('scopeName'), req.scopeName, 'unsupported scope'));
      for (const k of hard) if (!k.includes('/') && !scopeValidForResource(req.scopeName, k)) errs.push(invalid(mp, sel, 'unsupported scope applied to resource'));
      if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(req.scopeName) && req.operator !== 'Exists') {
        errs.push(
          invalid(
            mp.child('operator'),
            req.operator,
            'must be \'Exists\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity',
          ),
        );
      }
      const vals = req.values ?? [];
      if (req.operator === 'In' || req.operator === 'NotIn') {
        if (!vals.length) errs.push(required(mp.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
        if (vals.length) errs.push(invalid(mp.child('values'), vals, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else errs.push(invalid(mp.child('operator'), req.operator, 'not a valid selector operator'));
      set.add(req.scopeName);
    }
    if ((set.has('BestEffort') && set.has('NotBestEffort')) || (set.has('Terminating') && set.has('NotTerminating'))) {
      errs.push(invalid(mp, spec?.scopes ?? null, 'conflicting scopes'));
    }
  }
  return errs;
}

function validateResourceQuotaStatus(status: ResourceQuotaStatus | undefined, path = Path.root('status')): ErrorList {
  const errs: ErrorList = [];
  validateQuotaList(status?.hard, path.child('hard'), errs);
  validateQuotaList(status?.used, path.child('used'), errs);
  return errs;
}

/** ValidateResourceQuota (metadata excluded). */
export function validateResourceQuota(rq: ResourceQuota): ErrorList {
  return [...validateResourceQuotaSpec(rq.spec), ...validateResourceQuotaStatus(rq.status)];
}

/** ValidateResourceQuotaUpdate (metadata excluded): scopes are immutable. */
export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): ErrorList {
  const errs = validateResourceQuotaSpec(rq.spec);
  const a = [...new Set(rq.spec?.scopes ?? [])].sort();
  const b = [...new Set(old.spec?.scopes ?? [])].sort();
  if (!semanticEqual(a, b)) errs.push(invalid(Path.root('spec', 'scopes'), rq.spec?.scopes ?? null, 'field is immutable'));
  return errs;
}

/** ValidateResourceQuotaStatusUpdate (metadata excluded). */
export function validateResourceQuotaStatusUpdate(rq: ResourceQuota, _old: ResourceQuota): ErrorList {
  const errs: ErrorList = [];
  if (!rq.metadata?.resourceVersion) errs.push(required('resourceVersion', ''));
  errs.push(...validateResourceQuotaStatus(rq.status));
  return errs;
}
