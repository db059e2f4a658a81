// apiextensions.k8s.io/v1 CustomResourceDefinition: defaults from
// apiextensions-apiserver pkg/apis/apiextensions/v1/defaults.go, validation from
// pkg/apis/apiextensions/validation. The schema check is structural only (types present,
// object root, arrays with items); serving custom resources is not part of this module.

import type { CustomResourceDefinition, CustomResourceDefinitionNames, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { Path, forbidden, invalid, notSupported, required, type ErrorList } from '../../../machinery/field.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../machinery/validation.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

const FIELD_IMMUTABLE = 'field is immutable';
const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

function validateNames(names: Partial<CustomResourceDefinitionNames>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const dns1035 = (value: string | undefined, p: Path, lower = false) => {
    if (!value) return;
    const e = isDNS1035Label(lower ? value.toLowerCase() : value);
    if (e.length) errs.push(invalid(p, value, lower ? `may have mixed case, but should otherwise match: ${e.join(',')}` : e.join(',')));
  };
  dns1035(names.plural, path.child('plural'));
  dns1035(names.singular, path.child('singular'));
  dns1035(names.kind, path.child('kind'), true);
  dns1035(names.listKind, path.child('listKind'), true);
  (names.shortNames ?? []).forEach((s, i) => dns1035(s, path.child('shortNames').at(i)));
  if (names.kind && names.kind === names.listKind) errs.push(invalid(path.child('listKind'), names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((c, i) => dns1035(c, path.child('categories').at(i)));
  return errs;
}

const untyped = (s: JSONSchemaProps): boolean => {
  const ext = s as JSONSchemaProps & Record<string, unknown>;
  return !s.type && !ext['x-kubernetes-int-or-string'] && !ext['x-kubernetes-preserve-unknown-fields'];
};

/** Structural-schema rules that matter for storing and pruning objects. */
function validateSchema(s: JSONSchemaProps, path: Path, root: boolean, errs: ErrorList, depth = 0): void {
  if (depth > 64) return;
  if (root) {
    if (!s.type) errs.push(required(path.child('type'), 'must not be empty at the root'));
    else if (s.type !== 'object') errs.push(invalid(path.child('type'), s.type, 'must be object at the root'));
  }
  if (s.uniqueItems) errs.push(forbidden(path.child('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const ap = s.additionalProperties;
  if (ap !== undefined && s.properties && Object.keys(s.properties).length) {
    if (ap === false || typeof ap === 'object') errs.push(forbidden(path.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.type === 'array' && !s.items) errs.push(required(path.child('items'), 'must be specified'));
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const p = path.child('properties').key(name);
    if (untyped(prop)) errs.push(required(p.child('type'), 'must not be empty for specified object fields'));
    validateSchema(prop, p, false, errs, depth + 1);
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) {
    const items = s.items as JSONSchemaProps;
    const p = path.child('items');
    if (untyped(items)) errs.push(required(p.child('type'), 'must not be empty for specified array items'));
    validateSchema(items, p, false, errs, depth + 1);
  }
  if (ap && typeof ap === 'object') {
    const p = path.child('additionalProperties');
    if (untyped(ap)) errs.push(required(p.child('type'), 'must not be empty for specified object fields'));
    validateSchema(ap, p, false, errs, depth + 1);
  }
}

function validateCRD(crd: CustomResourceDefinition): ErrorList {
  const errs: ErrorList = [];
  const spec = crd.spec ?? ({} as Partial<CustomResourceDefinition['spec']>);
  const names: Partial<CustomResourceDefinitionNames> = spec.names ?? {};
  const sp = Path.root('spec');
  const name = crd.metadata?.name ?? '';
  if (name !== `${names.plural ?? ''}.${spec.group ?? ''}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));

  const group = spec.group ?? '';
  if (!group) errs.push(required(sp.child('group')));
  else {
    const ge = isDNS1123Subdomain(group);
    if (ge.length) errs.push(invalid(sp.child('group'), group, ge.join(',')));
    else if (group.split('.').length < 2) errs.push(invalid(sp.child('group'), group, 'should be a domain with at least one dot'));
  }

  if (!spec.scope) errs.push(required(sp.child('scope')));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported(sp.child('scope'), spec.scope, ['Cluster', 'Namespaced']));

  const versions = spec.versions ?? [];
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const vp = sp.child('versions').at(i);
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const ve = isDNS1035Label(v.name ?? '');
    if (ve.length) errs.push(invalid(vp.child('name'), v.name ?? '', ve.join(',')));
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(required(vp.child('schema', 'openAPIV3Schema'), 'schemas are required'));
    else validateSchema(schema, vp.child('schema', 'openAPIV3Schema'), true, errs);
  });
  if (!unique) errs.push(invalid(sp.child('versions'), versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(invalid(sp.child('versions'), versions, 'must have exactly one version marked as storage version'));

  const np = sp.child('names');
  if (!names.plural) errs.push(required(np.child('plural')));
  if (!names.singular) errs.push(required(np.child('singular')));
  if (!names.kind) errs.push(required(np.child('kind')));
  if (!names.listKind) errs.push(required(np.child('listKind')));
  errs.push(...validateNames(names, np));

  const conv = spec.conversion;
  if (conv) {
    const cp = sp.child('conversion');
    if (conv.strategy !== 'None' && conv.strategy !== 'Webhook') errs.push(notSupported(cp.child('strategy'), conv.strategy ?? '', ['None', 'Webhook']));
    else if (conv.strategy === 'None' && conv.webhook) errs.push(forbidden(cp.child('webhook'), 'should not be set when strategy is not set to Webhook'));
    else if (conv.strategy === 'Webhook') {
      if (!conv.webhook) errs.push(required(cp.child('webhook'), 'required when strategy is set to Webhook'));
      else {
        const rv = conv.webhook.conversionReviewVersions ?? [];
        const rp = cp.child('webhook', 'conversionReviewVersions');
        if (!rv.length) errs.push(required(rp, `must specify one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`));
        else if (!rv.some((v) => CONVERSION_REVIEW_VERSIONS.includes(v))) {
          errs.push(invalid(rp, rv, `must include at least one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`));
        }
        const cc = conv.webhook.clientConfig;
        if (!cc || (cc.url == null) === (cc.service == null)) {
          errs.push(required(cp.child('webhook', 'clientConfig'), 'exactly one of url or service is required'));
        }
      }
    }
  }

  errs.push(...validateNames(crd.status?.acceptedNames ?? {}, Path.root('status', 'acceptedNames')));
  return errs;
}

function established(crd: CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

function validateStoredVersions(crd: CustomResourceDefinition): ErrorList {
  const names = new Set((crd.spec?.versions ?? []).map((v) => v.name));
  const errs: ErrorList = [];
  (crd.status?.storedVersions ?? []).forEach((v, i) => {
    if (!names.has(v)) errs.push(invalid(Path.root('status', 'storedVersions').at(i), v, 'must appear in spec.versions'));
  });
  return errs;
}

export const customResourceDefinitionHandlers: KindHandlers<CustomResourceDefinition> = {
  // metadata.name must equal <plural>.<group>; validate checks that (and it is then a DNS subdomain).
  defaults(crd) {
    const spec = crd.spec;
    if (!spec) return;
    spec.conversion ??= { strategy: 'None' };
    const svc = spec.conversion.webhook?.clientConfig?.service;
    if (spec.conversion.strategy === 'Webhook' && svc) svc.port ??= 443;
    const names = spec.names;
    if (names) {
      if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
      if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
    }
  },
  validate: validateCRD,
  validateUpdate(crd, old) {
    const errs = validateCRD(crd);
    const sp = Path.root('spec');
    if (established(old)) {
      if (crd.spec?.scope !== old.spec?.scope) errs.push(invalid(sp.child('scope'), crd.spec?.scope ?? '', FIELD_IMMUTABLE));
      if (crd.spec?.names?.kind !== old.spec?.names?.kind) errs.push(invalid(sp.child('names', 'kind'), crd.spec?.names?.kind ?? '', FIELD_IMMUTABLE));
    }
    if (crd.spec?.group !== old.spec?.group) errs.push(invalid(sp.child('group'), crd.spec?.group ?? '', FIELD_IMMUTABLE));
    if (crd.spec?.names?.plural !== old.spec?.names?.plural) errs.push(invalid(sp.child('names', 'plural'), crd.spec?.names?.plural ?? '', FIELD_IMMUTABLE));
    errs.push(...validateStoredVersions(crd));
    return errs;
  },
  validateStatusUpdate: (crd) => validateNames(crd.status?.acceptedNames ?? {}, Path.root('status', 'acceptedNames')),
};

export const kinds: GroupVersionKinds = { CustomResourceDefinition: customResourceDefinitionHandlers };
