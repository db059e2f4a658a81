// ObjectMeta validation, as k8s.io/apimachinery/pkg/api/validation/objectmeta.go and the
// managed-fields checks of apis/meta/v1/validation: run by the registry for every object on
// create and update, with the resource's name rule.

import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { NameValidation } from '../../scheme.js';
import { type ErrorList, FieldError, Path, forbidden, invalid, required, tooLong } from '../../../machinery/field.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  validateAnnotations,
  validateLabels,
  validateNonnegativeField,
  validatePathSegmentName,
} from '../../../machinery/validation.js';

/** upstream ValidateNameFunc: problems with a name, or with a generateName prefix when `prefix`. */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

export const FieldImmutableErrorMsg = 'field is immutable';

export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

/** Longest metav1.ManagedFieldsEntry.manager and .subresource. */
export const FieldManagerMaxLength = 128;
export const MaxSubresourceNameLength = 256;

/**
 * generateName is checked with a letter in place of its trailing dash, so `web-` passes as a
 * prefix. Upstream drops the last two characters and appends `a` (maskTrailingDash).
 */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: ValidateNameFunc = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
export const nameIsPathSegment: ValidateNameFunc = (name, prefix) => validatePathSegmentName(name, prefix);
const nameAnything: ValidateNameFunc = () => [];

/** ValidateNamespaceName */
export const validateNamespaceName: ValidateNameFunc = nameIsDNSLabel;

/** The name function for a resource's NameValidation (src/api/scheme.ts); dns1123-subdomain by default. */
export function nameValidator(kind: NameValidation | undefined): ValidateNameFunc {
  switch (kind) {
    case 'dns1123-label':
      return nameIsDNSLabel;
    case 'dns1035-label':
      return nameIsDNS1035Label;
    case 'path-segment':
      return nameIsPathSegment;
    case 'none':
      return nameAnything;
    case 'dns1123-subdomain':
    case undefined:
    default:
      return nameIsDNSSubdomain;
  }
}

/** A field error whose value text is given as Go would print it (Stringer or %#v), unquoted. */
class RawValueError extends FieldError {
  constructor(
    field: string,
    private readonly raw: string,
    detail: string,
  ) {
    super('FieldValueInvalid', field, raw, detail);
  }
  override body(): string {
    return `Invalid value: ${this.raw}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** Go's time.Time String() of a metav1.Time (RFC 3339 on the wire), in UTC: `2024-05-01 10:00:00 +0000 UTC`. */
export function goTimeString(t: string | undefined | null): string {
  if (!t) return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/** %#v of a *bool field: Go prints the pointer, not the value; we show the value instead. */
const goBoolPtr = (b: boolean | undefined): string => (b === undefined ? '(*bool)(nil)' : `(*bool)(${b})`);

function goOwnerReference(r: OwnerReference): string {
  return (
    `v1.OwnerReference{APIVersion:${JSON.stringify(r.apiVersion ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, ` +
    `Name:${JSON.stringify(r.name ?? '')}, UID:${JSON.stringify(r.uid ?? '')}, Controller:${goBoolPtr(r.controller)}, ` +
    `BlockOwnerDeletion:${goBoolPtr(r.blockOwnerDeletion)}}`
  );
}

/** schema.ParseGroupVersion, lenient as FromAPIVersionAndKind uses it (bad input → empty). */
function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const slashes = gv.split('/').length - 1;
  if (slashes === 0) return { group: '', version: gv };
  if (slashes === 1) {
    const i = gv.indexOf('/');
    return { group: gv.slice(0, i), version: gv.slice(i + 1) };
  }
  return { group: '', version: '' };
}

/** Kinds that may not own other objects (upstream BannedOwners). */
const bannedOwners = new Set(['/v1, Kind=Event']);

function validateOwnerReference(ref: OwnerReference, path: Path): ErrorList {
  const errs: ErrorList = [];
  const gv = parseGroupVersion(ref.apiVersion ?? '');
  const kind = ref.kind ?? '';
  if (gv.version.length === 0) errs.push(invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
  if (kind.length === 0) errs.push(invalid(path.child('kind'), kind, 'kind must not be empty'));
  if (!ref.name) errs.push(invalid(path.child('name'), ref.name ?? '', 'name must not be empty'));
  if (!ref.uid) errs.push(invalid(path.child('uid'), ref.uid ?? '', 'uid must not be empty'));
  const gvk = `${gv.group}/${gv.version}, Kind=${kind}`;
  if (bannedOwners.has(gvk)) errs.push(new RawValueError(path.toString(), goOwnerReference(ref), `${gvk} is disallowed from being an owner`));
  return errs;
}

/** ValidateOwnerReferences: each reference complete (errors at the list's path, as upstream), at most one controller. */
export function validateOwnerReferences(refs: OwnerReference[] | undefined | null, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!refs) return errs;
  let firstController = '';
  for (const ref of refs) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(
          new RawValueError(
            path.toString(),
            `[]v1.OwnerReference{${refs.map(goOwnerReference).join(', ')}}`,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

/** ValidateFinalizerName: a qualified name. */
export function validateFinalizerName(name: string, path: Path): ErrorList {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** ValidateFinalizers: names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: string[] | undefined | null, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!finalizers) return errs;
  let orphan = false;
  let foreground = false;
  for (const f of finalizers) {
    errs.push(...validateFinalizerName(f, path));
    if (f === FinalizerOrphanDependents) orphan = true;
    if (f === FinalizerDeleteDependents) foreground = true;
  }
  if (orphan && foreground) {
    errs.push(invalid(path, [...finalizers], `finalizer ${FinalizerOrphanDependents} and ${FinalizerDeleteDependents} cannot be both set`));
  }
  return errs;
}

/** ValidateNoNewFinalizers: no finalizer may be added once deletion has started. */
export function validateNoNewFinalizers(newFinalizers: string[] | undefined, oldFinalizers: string[] | undefined, path: Path): ErrorList {
  const old = new Set(oldFinalizers ?? []);
  const extra = [...new Set((newFinalizers ?? []).filter((f) => !old.has(f)))].sort();
  if (extra.length === 0) return [];
  const list = `[]string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`;
  return [forbidden(path, `no new finalizers can be added if the object is being deleted, found new finalizers ${list}`)];
}

/** unicode.IsPrint, closely: no control, format, private-use, unassigned or non-ASCII space characters. */
const nonPrintable = /[\p{C}\p{Z}]/u;

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(manager: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (Buffer.byteLength(manager, 'utf8') > FieldManagerMaxLength) errs.push(tooLong(path, manager, FieldManagerMaxLength));
  let bytePos = 0;
  for (const ch of manager) {
    if (ch !== ' ' && nonPrintable.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      errs.push(invalid(path, manager, `invalid character U+${hex} (at position ${bytePos})`));
    }
    bytePos += Buffer.byteLength(ch, 'utf8');
  }
  return errs;
}

/** ValidateManagedFields: operation Apply|Update, fieldsType FieldsV1, manager, subresource length. */
export function validateManagedFields(entries: ManagedFieldsEntry[] | undefined | null, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!entries) return errs;
  entries.forEach((e, i) => {
    const p = path.at(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    errs.push(...validateFieldManager(e.manager ?? '', p.child('manager')));
    if ((e.subresource ?? '').length > MaxSubresourceNameLength) errs.push(tooLong(p.child('subresource'), e.subresource, MaxSubresourceNameLength));
  });
  return errs;
}

export interface ObjectMetaOptions {
  /** Whether the resource lives in a namespace (namespace required) or is cluster-scoped (forbidden). */
  namespaced: boolean;
  nameFn: ValidateNameFunc;
}

/** ValidateObjectMeta / ValidateObjectMetaAccessor. */
export function validateObjectMeta(meta: ObjectMeta | undefined | null, opts: ObjectMetaOptions, path: Path = Path.root('metadata')): ErrorList {
  const m: ObjectMeta = meta ?? {};
  const errs: ErrorList = [];
  if (m.generateName) {
    for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalid(path.child('generateName'), m.generateName, msg));
  }
  // When generateName is bad the generated name would be too; both are reported as upstream.
  if (!m.name) errs.push(required(path.child('name'), 'name or generateName is required'));
  else for (const msg of opts.nameFn(m.name, false)) errs.push(invalid(path.child('name'), m.name, msg));

  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(path.child('namespace'), ''));
    else for (const msg of validateNamespaceName(m.namespace, false)) errs.push(invalid(path.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }

  errs.push(...validateNonnegativeField(m.generation ?? 0, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  return errs;
}

const timeEqual = (a: string | undefined, b: string | undefined): boolean => {
  if (!a || !b) return !a && !b;
  // metav1.Time compares at second precision in UTC (what the wire carries).
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : Math.trunc(ta / 1000) === Math.trunc(tb / 1000);
};

/** ValidateImmutableField for a string value (`Invalid value: "x": field is immutable`). */
function immutableString(newVal: string | undefined, oldVal: string | undefined, path: Path): ErrorList {
  return (newVal ?? '') === (oldVal ?? '') ? [] : [invalid(path, newVal ?? '', FieldImmutableErrorMsg)];
}

/**
 * ValidateObjectMetaUpdate / ValidateObjectMetaAccessorUpdate: resourceVersion present, generation not
 * decremented, name/namespace/uid/creationTimestamp/deletionTimestamp/deletionGracePeriodSeconds
 * immutable, no new finalizers while deleting, and labels/annotations/ownerReferences/managedFields valid.
 */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined | null,
  oldMeta: ObjectMeta | undefined | null,
  path: Path = Path.root('metadata'),
): ErrorList {
  const n: ObjectMeta = newMeta ?? {};
  const o: ObjectMeta = oldMeta ?? {};
  const errs: ErrorList = [];

  if (o.deletionTimestamp) errs.push(...validateNoNewFinalizers(n.finalizers, o.finalizers, path.child('finalizers')));
  if (!n.resourceVersion) errs.push(invalid(path.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));

  errs.push(...immutableString(n.name, o.name, path.child('name')));
  errs.push(...immutableString(n.namespace, o.namespace, path.child('namespace')));
  errs.push(...immutableString(n.uid, o.uid, path.child('uid')));
  if (!timeEqual(n.creationTimestamp, o.creationTimestamp)) {
    errs.push(new RawValueError(path.child('creationTimestamp').toString(), goTimeString(n.creationTimestamp), FieldImmutableErrorMsg));
  }
  if (!timeEqual(n.deletionTimestamp, o.deletionTimestamp)) {
    const raw = n.deletionTimestamp ? goTimeString(n.deletionTimestamp) : 'null';
    errs.push(new RawValueError(path.child('deletionTimestamp').toString(), raw, FieldImmutableErrorMsg));
  }
  if ((n.deletionGracePeriodSeconds ?? null) !== (o.deletionGracePeriodSeconds ?? null)) {
    errs.push(invalid(path.child('deletionGracePeriodSeconds'), n.deletionGracePeriodSeconds ?? null, FieldImmutableErrorMsg));
  }

  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, path.child('managedFields')));
  return errs;
}
