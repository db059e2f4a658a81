// Discovery as a user sees it through kubectl 1.32: version, api-resources, api-versions and
// explain, checked against what a v1.32 kube-apiserver prints.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { RESOURCES, groupVersion, servedGroups } from '../../../src/api/catalogue.js';
import { kubectl, kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { api, parseTable } from './util.js';

describe('discovery through kubectl', () => {
  let server: Server;
  before(async () => {
    server = await startServer();
  });

  it('kubectl version shows a v1.32 server', async () => {
    const out = await kubectlOk(server, ['version']);
    assert.match(out, /^Client Version: v1\.32\.\d+/m);
    assert.match(out, /^Server Version: v1\.32\.\d+\S*$/m);
    const json = JSON.parse(await kubectlOk(server, ['version', '-o', 'json'])) as {
      serverVersion: { major: string; minor: string; gitVersion: string; platform: string };
    };
    assert.equal(json.serverVersion.major, '1');
    assert.equal(json.serverVersion.minor, '32');
    assert.match(json.serverVersion.gitVersion, /^v1\.32\.\d+/);
    assert.match(json.serverVersion.platform, /^linux\/(amd64|arm64)$/);
  });

  it('api-resources lists every catalogue resource at its group\'s preferred version, with short names', async () => {
    const result = await kubectl(server, ['api-resources']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const table = parseTable(result.stdout);
    assert.deepEqual(table.headers, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const preferred = new Map(servedGroups().map((g) => [g.group, g.versions[0]]));
    const byKey = new Map(table.rows.map((r) => [`${r['APIVERSION']} ${r['NAME']}`, r]));
    for (const res of RESOURCES) {
      const version = preferred.get(res.group) ?? '';
      if (!res.versions.includes(version)) continue; // only in older versions of its group
      const gv = groupVersion(res.group, version);
      const row = byKey.get(`${gv} ${res.resource}`);
      assert.ok(row, `api-resources lacks ${res.resource} in ${gv}`);
      assert.deepEqual(row, {
        NAME: res.resource,
        SHORTNAMES: (res.shortNames ?? []).join(','),
        APIVERSION: gv,
        NAMESPACED: String(res.namespaced),
        KIND: res.kind,
      });
    }
    // The short names users type most, spelled as upstream spells them.
    const short = (gv: string, name: string): string | undefined => byKey.get(`${gv} ${name}`)?.['SHORTNAMES'];
    assert.equal(short('v1', 'pods'), 'po');
    assert.equal(short('v1', 'services'), 'svc');
    assert.equal(short('v1', 'namespaces'), 'ns');
    assert.equal(short('v1', 'configmaps'), 'cm');
    assert.equal(short('v1', 'events'), 'ev');
    assert.equal(short('v1', 'nodes'), 'no');
    assert.equal(short('v1', 'serviceaccounts'), 'sa');
    assert.equal(short('v1', 'persistentvolumeclaims'), 'pvc');
    assert.equal(short('apps/v1', 'deployments'), 'deploy');
    assert.equal(short('apps/v1', 'replicasets'), 'rs');
    assert.equal(short('apps/v1', 'daemonsets'), 'ds');
    assert.equal(short('apps/v1', 'statefulsets'), 'sts');
    assert.equal(short('networking.k8s.io/v1', 'ingresses'), 'ing');
    assert.equal(short('apiextensions.k8s.io/v1', 'customresourcedefinitions'), 'crd,crds');
  });

  it('api-resources -o wide shows upstream verbs and categories', async () => {
    const table = parseTable(await kubectlOk(server, ['api-resources', '-o', 'wide']));
    assert.deepEqual(table.headers, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS', 'CATEGORIES']);
    const row = (gv: string, name: string): Record<string, string> => {
      const found = table.rows.find((r) => r['APIVERSION'] === gv && r['NAME'] === name);
      assert.ok(found, `no ${name} in ${gv}`);
      return found;
    };
    assert.equal(row('v1', 'pods')['VERBS'], 'create,delete,deletecollection,get,list,patch,update,watch');
    assert.equal(row('v1', 'pods')['CATEGORIES'], 'all');
    assert.equal(row('v1', 'namespaces')['VERBS'], 'create,delete,get,list,patch,update,watch');
    assert.equal(row('v1', 'bindings')['VERBS'], 'create');
    assert.equal(row('apps/v1', 'deployments')['CATEGORIES'], 'all');
    assert.equal(row('v1', 'configmaps')['CATEGORIES'], '');
    assert.equal(row('apiextensions.k8s.io/v1', 'customresourcedefinitions')['CATEGORIES'], 'api-extensions');
  });

  it('api-resources --categories=all lists exactly the resources of category all', async () => {
    const table = parseTable(await kubectlOk(server, ['api-resources', '--categories=all']));
    const names = table.rows.map((r) => `${r['APIVERSION']} ${r['NAME']}`).sort();
    assert.deepEqual(names, [
      'apps/v1 daemonsets',
      'apps/v1 deployments',
      'apps/v1 replicasets',
      'apps/v1 statefulsets',
      'autoscaling/v2 horizontalpodautoscalers',
      'batch/v1 cronjobs',
      'batch/v1 jobs',
      'v1 pods',
      'v1 replicationcontrollers',
      'v1 services',
    ]);
  });

  it('api-resources -o name and --namespaced=false', async () => {
    const names = (await kubectlOk(server, ['api-resources', '-o', 'name'])).trim().split('\n');
    assert.ok(names.includes('pods'));
    assert.ok(names.includes('deployments.apps'));
    assert.ok(names.includes('ingresses.networking.k8s.io'));
    const cluster = parseTable(await kubectlOk(server, ['api-resources', '--namespaced=false']));
    assert.ok(cluster.rows.every((r) => r['NAMESPACED'] === 'false'));
    const clusterNames = cluster.rows.map((r) => r['NAME']);
    for (const n of ['namespaces', 'nodes', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'storageclasses', 'priorityclasses']) {
      assert.ok(clusterNames.includes(n), `--namespaced=false lacks ${n}`);
    }
    assert.ok(!clusterNames.includes('pods'));
  });

  it('api-versions lists every served group version, core as v1', async () => {
    const lines = (await kubectlOk(server, ['api-versions'])).trim().split('\n');
    // The stored groups, and metrics.k8s.io which the API server serves from kubelets' stats.
    const expected = [...servedGroups().flatMap((g) => g.versions.map((v) => groupVersion(g.group, v))), 'metrics.k8s.io/v1beta1'].sort();
    assert.deepEqual(lines, [...lines].sort(), 'kubectl prints api-versions sorted');
    assert.deepEqual([...lines].sort(), expected);
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'extensions/v1beta1', 'rbac.authorization.k8s.io/v1beta1']) {
      assert.ok(lines.includes(gv), `api-versions lacks ${gv}`);
    }
  });

  it('explain pod.spec.containers.livenessProbe prints the upstream description and fields', async () => {
    const out = await kubectlOk(server, ['explain', 'pod.spec.containers.livenessProbe']);
    const lines = out.split('\n');
    assert.equal(lines[0], 'KIND:       Pod');
    assert.equal(lines[1], 'VERSION:    v1');
    assert.ok(lines.includes('FIELD: livenessProbe <Probe>'), out);
    assert.ok(lines.includes('DESCRIPTION:'), out);
    assert.ok(lines.includes('FIELDS:'), out);
    const text = out.replace(/\s+/g, ' ');
    assert.ok(text.includes('Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated.'), out);
    assert.ok(text.includes('Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.'), out);
    for (const field of [
      'exec\t<ExecAction>',
      'failureThreshold\t<integer>',
      'grpc\t<GRPCAction>',
      'httpGet\t<HTTPGetAction>',
      'initialDelaySeconds\t<integer>',
      'periodSeconds\t<integer>',
      'successThreshold\t<integer>',
      'tcpSocket\t<TCPSocketAction>',
      'terminationGracePeriodSeconds\t<integer>',
      'timeoutSeconds\t<integer>',
    ]) {
      assert.ok(lines.includes(`  ${field}`), `explain lacks the field line "  ${field}":\n${out}`);
    }
    assert.ok(text.includes('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.'), out);
  });

  it('explain deployment.spec.strategy prints the upstream description, fields and enum', async () => {
    const out = await kubectlOk(server, ['explain', 'deployment.spec.strategy']);
    const lines = out.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['GROUP:      apps', 'KIND:       Deployment', 'VERSION:    v1']);
    assert.ok(lines.includes('FIELD: strategy <DeploymentStrategy>'), out);
    const text = out.replace(/\s+/g, ' ');
    assert.ok(text.includes('The deployment strategy to use to replace existing pods with new ones.'), out);
    assert.ok(text.includes('DeploymentStrategy describes how to replace existing pods with new ones.'), out);
    assert.ok(lines.includes('  rollingUpdate\t<RollingUpdateDeployment>'), out);
    assert.ok(lines.includes('  type\t<string>'), out);
    assert.ok(text.includes('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'), out);
    // v1.32's OpenAPI marks DeploymentStrategyType as an enum; explain prints it under the field.
    assert.ok(lines.includes('  enum: Recreate, RollingUpdate'), `explain lacks "  enum: Recreate, RollingUpdate":\n${out}`);
  });

  it('explain with an unknown field fails as upstream does', async () => {
    const result = await kubectl(server, ['explain', 'pod.spec.nosuchfield']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), 'error: field "nosuchfield" does not exist');
  });

  it('OpenAPI v3 documents are served gzip-compressed to clients that accept it, plain otherwise, with the hash of the JSON', async () => {
    const index = await api(server, 'GET', '/openapi/v3');
    assert.equal(index.status, 200);
    const url = (JSON.parse(index.body) as { paths: Record<string, { serverRelativeURL: string }> }).paths['apis/apps/v1']!.serverRelativeURL;
    const hash = new URL(url, server.url).searchParams.get('hash')!;
    const plain = await api(server, 'GET', url);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['content-type'], 'application/json');
    assert.equal(createHash('sha512').update(plain.raw).digest('hex').toUpperCase(), hash);
    const zipped = await api(server, 'GET', url, undefined, undefined, { 'accept-encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers['vary']), /Accept-Encoding/);
    assert.ok(zipped.raw.length * 5 < plain.raw.length, `${zipped.raw.length} compressed bytes for ${plain.raw.length}`);
    assert.deepEqual(gunzipSync(zipped.raw), plain.raw);
    // kubectl (client-go asks for gzip) reads it as any other document.
    const raw = JSON.parse(await kubectlOk(server, ['get', '--raw', url])) as { components: { schemas: Record<string, unknown> } };
    assert.ok(raw.components.schemas['io.k8s.api.apps.v1.Deployment']);
  });

  it('/metrics counts requests with upstream\'s labels: resource requests by verb and resource, known paths by path', async () => {
    await kubectlOk(server, ['get', 'namespaces']);
    await kubectlOk(server, ['get', '--raw', '/version']);
    await api(server, 'PROPFIND', '/api/v1/namespaces');
    await api(server, 'PROPFIND', '/nonsense');
    await kubectlOk(server, ['get', '--raw', '/metrics']);
    const text = await kubectlOk(server, ['get', '--raw', '/metrics']);
    const count = (labels: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`apiserver_request_total{${labels}`));
      assert.ok(line, `/metrics lacks apiserver_request_total{${labels}…}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    assert.ok(count('verb="LIST",group="",version="v1",resource="namespaces",subresource="",code="200"') >= 1);
    assert.ok(count('verb="GET",group="",version="",resource="",subresource="/version",code="200"') >= 1);
    assert.ok(count('verb="GET",group="",version="",resource="",subresource="/metrics",code="200"') >= 1);
    assert.doesNotMatch(text, /apiserver_request_total\{verb=""/, 'every request has a verb');
    assert.doesNotMatch(text, /verb="PROPFIND"/, 'a method the API does not serve is counted as other');
    assert.match(text, /apiserver_request_total\{verb="other",/);
  });
});
