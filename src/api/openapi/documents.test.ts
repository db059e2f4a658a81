import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { RESOURCES } from '../catalogue.js';
import { buildOpenAPIV2, buildOpenAPIV3GroupVersion, buildOpenAPIV3Index, openAPIDocuments } from './documents.js';

// Parsed documents are walked loosely in assertions.
type J = Record<string, any>;

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

test('apps/v1 v3 document: every $ref resolves inside components.schemas', () => {
  const doc = buildOpenAPIV3GroupVersion('apps', 'v1', RESOURCES) as J;
  assert.equal(doc['openapi'], '3.0.0');
  const schemas = doc['components'].schemas as J;
  const all = refs(doc);
  assert.ok(all.length > 100);
  for (const r of all) {
    assert.ok(r.startsWith('#/components/schemas/'), r);
    assert.ok(schemas[r.slice('#/components/schemas/'.length)], `unresolved ${r}`);
  }
  // only reachable schemas: no core Service, no batch Job
  assert.equal(schemas['io.k8s.api.core.v1.Service'], undefined);
  assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined);
  assert.ok(schemas['io.k8s.api.core.v1.PodSpec']);
});

test('kubectl explain deployment.spec.strategy: the v3 schema carries the description through allOf', () => {
  const doc = buildOpenAPIV3GroupVersion('apps', 'v1', RESOURCES) as J;
  const schemas = doc['components'].schemas as J;
  const dep = schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const spec = dep.properties.spec;
  assert.equal(spec.allOf[0].$ref, '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec');
  const strategy = schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy;
  assert.equal(strategy.description, 'The deployment strategy to use to replace existing pods with new ones.');
  assert.equal(strategy.allOf[0].$ref, '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy');
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  // explain prints `enum: Recreate, RollingUpdate` under the field from the v3 schema's enum
  const type = schemas['io.k8s.api.apps.v1.DeploymentStrategy'].properties.type;
  assert.deepEqual(type.enum, ['Recreate', 'RollingUpdate']);
  assert.match(type.description, /\n\nPossible enum values:\n - `"Recreate"` Kill all existing pods before creating new ones\.\n/);
});

test('PATCH operations list fieldValidation at operation level (what kubectl checks before sending Strict)', () => {
  for (const [group, version] of [['', 'v1'], ['apps', 'v1'], ['extensions', 'v1beta1'], ['rbac.authorization.k8s.io', 'v1beta1']] as const) {
    const doc = buildOpenAPIV3GroupVersion(group, version, RESOURCES) as J;
    const kindsWithPatch = new Set<string>();
    for (const item of Object.values(doc['paths'] as J)) {
      const patch = item.patch;
      if (!patch || patch['x-kubernetes-action'] !== 'patch') continue;
      const names = (patch.parameters as J[]).filter((p) => p.in === 'query').map((p) => p.name);
      assert.ok(names.includes('fieldValidation'), patch.operationId);
      assert.ok(names.includes('fieldManager') && names.includes('dryRun') && names.includes('force'), patch.operationId);
      assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
      ]);
      kindsWithPatch.add(patch['x-kubernetes-group-version-kind'].kind);
    }
    const expected = RESOURCES.filter((r) => r.group === group && r.versions.includes(version) && r.verbs.includes('patch')).map((r) => r.kind);
    for (const k of expected) assert.ok(kindsWithPatch.has(k), `${group}/${version} ${k}`);
  }
});

test('v2 document: upstream operation ids, actions and parameters', () => {
  const doc = buildOpenAPIV2(RESOURCES, { version: 'v1.32.4' }) as J;
  assert.equal(doc['swagger'], '2.0');
  assert.deepEqual(doc['info'], { title: 'Kubernetes', version: 'v1.32.4' });
  const pods = doc['paths']['/api/v1/namespaces/{namespace}/pods'];
  assert.equal(pods.get.operationId, 'listCoreV1NamespacedPod');
  assert.equal(pods.get['x-kubernetes-action'], 'list');
  assert.deepEqual(pods.get['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  const listParams = pods.get.parameters.map((p: J) => p.name);
  for (const n of ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch']) {
    assert.ok(listParams.includes(n), n);
  }
  assert.equal(pods.post.operationId, 'createCoreV1NamespacedPod');
  assert.deepEqual(pods.post.parameters.map((p: J) => p.name), ['body', 'dryRun', 'fieldManager', 'fieldValidation']);
  assert.equal(pods.delete.operationId, 'deleteCoreV1CollectionNamespacedPod');
  assert.deepEqual(pods.parameters.map((p: J) => p.name), ['namespace', 'pretty']);
  const pod = doc['paths']['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.equal(pod.patch.operationId, 'patchCoreV1NamespacedPod');
  assert.deepEqual(pod.patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  assert.equal(doc['paths']['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  assert.equal(doc['paths']['/api/v1/watch/namespaces/{namespace}/pods'].get.operationId, 'watchCoreV1NamespacedPodList');
  assert.equal(doc['paths']['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.operationId, 'readCoreV1NamespacedPodLog');
  const exec = doc['paths']['/api/v1/namespaces/{namespace}/pods/{name}/exec'];
  assert.equal(exec.get.operationId, 'connectCoreV1GetNamespacedPodExec');
  assert.equal(exec.post.operationId, 'connectCoreV1PostNamespacedPodExec');
  assert.ok(exec.parameters.some((p: J) => p.name === 'command'));
  assert.equal(doc['paths']['/api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}'].get.operationId, 'connectCoreV1GetNamespacedPodProxyWithPath');
  const scale = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.equal(scale.get.operationId, 'readAppsV1NamespacedDeploymentScale');
  assert.equal(scale.get.responses['200'].schema.$ref, '#/definitions/io.k8s.api.autoscaling.v1.Scale');
  assert.equal(doc['paths']['/apis/rbac.authorization.k8s.io/v1/clusterroles'].get.operationId, 'listRbacAuthorizationV1ClusterRole');
  assert.equal(doc['paths']['/apis/extensions/v1beta1/namespaces/{namespace}/deployments'].post.operationId, 'createExtensionsV1beta1NamespacedDeployment');
  assert.equal(doc['paths']['/api/v1/namespaces/{name}/finalize'].put.operationId, 'replaceCoreV1NamespaceFinalize');
  for (const r of refs(doc)) assert.ok(doc['definitions'][r.slice('#/definitions/'.length)], r);
});

test('v3 index points at hashed documents; documents are memoized and hashes are SHA-512 of the bytes', () => {
  const index = buildOpenAPIV3Index(RESOURCES);
  for (const k of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/extensions/v1beta1', 'apis/rbac.authorization.k8s.io/v1beta1', 'version']) {
    assert.ok(index.paths[k], k);
  }
  const docs = openAPIDocuments(RESOURCES);
  assert.equal(openAPIDocuments(RESOURCES), docs);
  const appsV1 = docs.v3('apis/apps/v1')!;
  assert.equal(docs.v3('apis/apps/v1'), appsV1);
  assert.match(appsV1.hash, /^[0-9A-F]{128}$/);
  assert.equal(appsV1.hash, createHash('sha512').update(appsV1.json()).digest('hex').toUpperCase());
  assert.equal(index.paths['apis/apps/v1']!.serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${appsV1.hash}`);
  assert.equal(docs.v3('apis/nope/v1'), undefined);
  assert.deepEqual(JSON.parse(docs.v3Index().json()), index);
  const core = JSON.parse(docs.v3('api')!.json()) as J;
  assert.equal(core['paths']['/api/'].get.operationId, 'getCoreAPIVersions');
});
