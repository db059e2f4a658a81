import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../catalogue.js';
import { definitionFor, definitionNameFor, dereference, loadDefinitions } from './definitions.js';
import type { Schema } from './types.js';

const defs = loadDefinitions();
const prop = (def: string, p: string): Schema => {
  const s = defs[def]?.properties?.[p];
  assert.ok(s, `${def}.${p} exists`);
  return s;
};

test('Pod schema carries upstream descriptions down to containers.livenessProbe', () => {
  const pod = definitionFor('', 'v1', 'Pod');
  assert.ok(pod);
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  const spec = dereference(pod.properties!['spec']!);
  assert.equal(spec.name, 'io.k8s.api.core.v1.PodSpec');
  const containers = spec.schema.properties!['containers']!;
  const container = dereference(containers.items!).schema;
  const probe = container.properties!['livenessProbe']!;
  assert.match(probe.description ?? '', /^Periodic probe of container liveness\. Container will be restarted if the probe fails\./);
  assert.equal(probe.$ref, '#/definitions/io.k8s.api.core.v1.Probe');
  assert.match(defs['io.k8s.api.core.v1.Probe']!.description ?? '', /health check/);
  assert.deepEqual(container.required, ['name']);
});

test('patch facts come from upstream: containers, ports, finalizers, conditions', () => {
  const containers = prop('io.k8s.api.core.v1.PodSpec', 'containers');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  const ports = prop('io.k8s.api.core.v1.Container', 'ports');
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(ports['x-kubernetes-list-type'], 'map');
  const finalizers = prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers');
  assert.equal(finalizers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentStatus', 'conditions')['x-kubernetes-patch-merge-key'], 'type');
  // overlay facts for fields newer than the newest swagger source
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'schedulingGates')['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']!['x-kubernetes-map-type'], 'atomic');
});

test('scalar types and integer formats match upstream', () => {
  assert.equal(prop('io.k8s.api.core.v1.ContainerPort', 'containerPort').format, 'int32');
  assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation').format, 'int64');
  assert.equal(prop('io.k8s.api.core.v1.SleepAction', 'seconds').format, 'int64');
  assert.equal(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'maximum').type, 'number');
  assert.equal(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.deepEqual(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']!.format, 'date-time');
  assert.equal(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']!.type, 'string');
  assert.equal(prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties instanceof Object, true);
  assert.ok(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-preserve-unknown-fields'));
  assert.ok(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-validations'));
});

test('removed versions k8ts serves come whole from the last upstream release that had them', () => {
  const d = definitionFor('extensions', 'v1beta1', 'Deployment');
  assert.ok(d);
  assert.equal(definitionNameFor('extensions', 'v1beta1', 'Deployment'), 'io.k8s.api.extensions.v1beta1.Deployment');
  const spec = defs['io.k8s.api.extensions.v1beta1.DeploymentSpec']!;
  assert.ok(spec.properties!['rollbackTo'], 'extensions/v1beta1 DeploymentSpec keeps rollbackTo');
  assert.ok(definitionFor('extensions', 'v1beta1', 'Ingress')?.properties?.['spec']);
  assert.ok(defs['io.k8s.api.extensions.v1beta1.IngressBackend']!.properties!['serviceName']);
  assert.ok(definitionFor('apps', 'v1beta1', 'StatefulSet'));
  assert.ok(definitionFor('rbac.authorization.k8s.io', 'v1beta1', 'ClusterRole'));
});

test('every catalogue resource has a schema at every version, and every $ref resolves', () => {
  for (const r of RESOURCES) {
    for (const v of r.versions) {
      assert.ok(definitionFor(r.group, v, r.kind), `${r.group}/${v} ${r.kind}`);
      if (r.verbs.includes('list')) assert.ok(definitionFor(r.group, v, `${r.kind}List`), `${r.group}/${v} ${r.kind}List`);
    }
    for (const s of r.subresources ?? []) {
      // connect options (PodExecOptions, …) are query parameters upstream, not schemas
      if (s.responseKind && !['attach', 'exec', 'portforward', 'proxy'].includes(s.name)) assert.ok(definitionFor(s.responseKind.group, s.responseKind.version, s.responseKind.kind), `${r.resource}/${s.name}`);
    }
  }
  const missing: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && !defs[x.slice('#/definitions/'.length)]) missing.push(x);
        else visit(x);
      }
    }
  };
  visit(defs);
  assert.deepEqual(missing, []);
});

// `enum` is not in the Schema interface (nothing in the server reads it); the tests look at it
// as plain JSON.
const enumOf = (s: Schema | undefined): unknown => (s as { enum?: unknown } | undefined)?.enum;

test('enum fields carry upstream v1.32 values and "Possible enum values" text', () => {
  const strategyType = prop('io.k8s.api.apps.v1.DeploymentStrategy', 'type');
  assert.deepEqual(enumOf(strategyType), ['Recreate', 'RollingUpdate']);
  assert.equal(
    strategyType.description,
    'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.\n\n' +
      'Possible enum values:\n' +
      ' - `"Recreate"` Kill all existing pods before creating new ones.\n' +
      ' - `"RollingUpdate"` Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.',
  );
  assert.deepEqual(enumOf(prop('io.k8s.api.core.v1.PodSpec', 'restartPolicy')), ['Always', 'Never', 'OnFailure']);
  assert.match(prop('io.k8s.api.core.v1.PodSpec', 'restartPolicy').description ?? '', /\n\nPossible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`$/);
  assert.deepEqual(enumOf(prop('io.k8s.api.core.v1.ServiceSpec', 'type')), ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
  assert.deepEqual(enumOf(prop('io.k8s.api.core.v1.Container', 'imagePullPolicy')), ['Always', 'IfNotPresent', 'Never']);
  // a field kubernetes-types drops and the generator takes from swagger 1.22 (inlined Rule.scope):
  // upstream's blank comment line before `+optional` gives a third newline.
  const scope = prop('io.k8s.api.admissionregistration.v1.RuleWithOperations', 'scope');
  assert.deepEqual(enumOf(scope), ['*', 'Cluster', 'Namespaced']);
  assert.match(scope.description ?? '', /Default is "\*"\.\n\n\nPossible enum values:\n - `"\*"` means that all scopes are included\.\n/);
  // not an enum: no enum, no text
  assert.equal(enumOf(prop('io.k8s.api.core.v1.Container', 'image')), undefined);
  assert.equal(enumOf(prop('io.k8s.api.apps.v1.Deployment', 'kind')), undefined);
  assert.doesNotMatch(prop('io.k8s.api.core.v1.Container', 'image').description ?? '', /Possible enum values/);
});

test('lists and maps of an enum: enum on items / additionalProperties, no text (kube-openapi 1.32)', () => {
  const accessModes = prop('io.k8s.api.core.v1.PersistentVolumeClaimSpec', 'accessModes');
  assert.equal(enumOf(accessModes), undefined);
  assert.deepEqual(enumOf(accessModes.items), ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']);
  assert.doesNotMatch(accessModes.description ?? '', /Possible enum values/);
  const statuses = prop('io.k8s.api.core.v1.PersistentVolumeClaimStatus', 'allocatedResourceStatuses');
  assert.ok(typeof statuses.additionalProperties === 'object');
  assert.ok((enumOf(statuses.additionalProperties) as string[]).includes('NodeResizePending'));
});

test('enum values and text newer than v1.32 are corrected to v1.32', () => {
  const op = prop('io.k8s.api.core.v1.Toleration', 'operator');
  assert.deepEqual(enumOf(op), ['Equal', 'Exists']);
  assert.match(op.description ?? '', /\n\nPossible enum values:\n - `"Equal"`\n - `"Exists"`$/);
  assert.deepEqual(enumOf(prop('io.k8s.api.core.v1.ResourceQuotaSpec', 'scopes').items), ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating']);
  const scopeName = prop('io.k8s.api.core.v1.ScopedResourceSelectorRequirement', 'scopeName');
  assert.doesNotMatch(scopeName.description ?? '', /VolumeAttributesClass/);
  assert.match(prop('io.k8s.api.admissionregistration.v1.MutatingWebhook', 'reinvocationPolicy').description ?? '', /\n - `"Never"` indicates that the webhook must not be called more than once in a single admission evaluation\.$/);
  assert.match(prop('io.k8s.api.batch.v1.PodFailurePolicyRule', 'action').description ?? '', /backoffLimitPerIndex is set\. This value is beta-level\.\n/);
});

test('every enum is a list of strings on a string schema, every "Possible enum values" field has an enum', () => {
  let enums = 0;
  for (const [name, def] of Object.entries(defs)) {
    for (const [p, s] of Object.entries(def.properties ?? {})) {
      const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      for (const t of [s, s.items, extra]) {
        const e = enumOf(t);
        if (e === undefined) continue;
        enums++;
        assert.equal(t?.type, 'string', `${name}.${p}`);
        assert.ok(Array.isArray(e) && e.length > 0 && e.every((v) => typeof v === 'string'), `${name}.${p}`);
      }
      if (s.description?.includes('Possible enum values:')) {
        assert.ok(Array.isArray(enumOf(s)), `${name}.${p} describes enum values but has no enum`);
      }
    }
  }
  assert.ok(enums > 50, `${enums} enum fields`);
});
