import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ManifestError, apiObjectReference, decodeStaticPod } from './common.js';

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {role: web}
spec:
  containers:
  - name: web
    image: busybox
    command: [sleep, "3600"]
`;

function refused(spec: object): string {
  const doc = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...spec } };
  try {
    decodeStaticPod(JSON.stringify(doc), '/m/p.json', 'n1');
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err.message;
  }
  return 'accepted';
}

describe('decodeStaticPod', () => {
  it('names, places and annotates the pod and applies the API defaults', () => {
    const pod = decodeStaticPod(MANIFEST, '/m/static-web.yaml', 'node-1');
    const m = pod.metadata!;
    assert.equal(m.name, 'static-web-node-1');
    assert.equal(m.namespace, 'default');
    assert.match(m.uid!, /^[0-9a-f]{32}$/);
    assert.deepEqual(m.annotations, { 'kubernetes.io/config.hash': m.uid });
    assert.deepEqual(m.labels, { role: 'web' });
    const spec = pod.spec!;
    assert.equal(spec.nodeName, 'node-1');
    assert.deepEqual(spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.enableServiceLinks, true);
    assert.deepEqual(spec.securityContext, {});
    const c = spec.containers[0]!;
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.deepEqual(pod.status, { phase: 'Pending' });
  });

  it('gives the same content at the same path on the same node the same UID, and any change a new one', () => {
    const uid = (data: string, path = '/m/a.yaml', node = 'n1') => decodeStaticPod(data, path, node).metadata!.uid;
    assert.equal(uid(MANIFEST), uid(MANIFEST));
    assert.notEqual(uid(MANIFEST), uid(MANIFEST.replace('3600', '7200')));
    assert.notEqual(uid(MANIFEST), uid(MANIFEST, '/m/b.yaml'));
    assert.notEqual(uid(MANIFEST), uid(MANIFEST, '/m/a.yaml', 'n2'));
    // JSON is YAML too.
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const p = decodeStaticPod(json, '/m/j.json', 'n1');
    assert.equal(p.metadata!.namespace, 'kube-system');
    assert.equal(p.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent');
  });

  it('keeps a toleration that already matches and adds the NoExecute one otherwise', () => {
    const doc = (tolerations: object[]) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations, containers: [{ name: 'c', image: 'b:1' }] } });
    assert.deepEqual(decodeStaticPod(doc([{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), '/m/p', 'n').spec!.tolerations, [
      { operator: 'Exists', effect: 'NoExecute' },
    ]);
    assert.deepEqual(decodeStaticPod(doc([{ key: 'k', operator: 'Exists' }]), '/m/p', 'n').spec!.tolerations, [
      { key: 'k', operator: 'Exists' },
      { operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  it('rejects what is not a valid Pod with upstream wording', () => {
    const err = (data: string) => {
      try {
        decodeStaticPod(data, '/m/x.yaml', 'n1');
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.match(err('{not json'), /^\/m\/x\.yaml: couldn't parse as pod\(.*\), please check config file$/);
    assert.match(err('metadata: {name: x}'), /Object 'Kind' is missing/);
    assert.match(err('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}'), /couldn't parse as pod\(invalid pod/);
    assert.equal(err('apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: b}]}'), 'invalid pod: name is needed for the pod');
    assert.equal(err('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}'), 'invalid pod: [spec.containers[0].image: Required value]');
    assert.match(err('apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec: {containers: [{name: c, image: b}]}'), /^invalid pod: \[metadata\.name: Invalid value: "Bad_Name-n1"/);
  });

  it('refuses static pods that reference API objects (upstream PreventStaticPodAPIReferences)', () => {
    assert.equal(refused({ serviceAccountName: 'default' }), 'static pods may not reference serviceaccounts');
    assert.equal(refused({ serviceAccount: 'sa' }), 'static pods may not reference serviceaccounts');
    assert.equal(refused({ volumes: [{ name: 'v', secret: { secretName: 's' } }] }), 'static pods may not reference secrets');
    assert.equal(refused({ imagePullSecrets: [{ name: 'reg' }] }), 'static pods may not reference secrets');
    assert.equal(
      refused({ containers: [{ name: 'c', image: 'b:1', envFrom: [{ secretRef: { name: 's' } }] }] }),
      'static pods may not reference secrets',
    );
    assert.equal(
      refused({ initContainers: [{ name: 'i', image: 'b:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }] }),
      'static pods may not reference configmaps',
    );
    assert.equal(refused({ volumes: [{ name: 'v', configMap: { name: 'cm' } }] }), 'static pods may not reference configmaps');
    assert.equal(refused({ volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }] }), 'static pods may not reference persistentvolumeclaims');
    assert.equal(
      refused({ volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }], serviceAccountName: '' }),
      // Validation comes first: a token projection needs a service account.
      'invalid pod: [spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set]',
    );
    assert.equal(refused({ volumes: [{ name: 'v', hostPath: { path: '/etc' } }, { name: 'e', emptyDir: {} }] }), 'accepted');
    assert.equal(refused({ volumes: [{ name: 'd', projected: { sources: [{ downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }] } }] }), 'accepted');
  });

  it('apiObjectReference names volume references the visitors do not cover', () => {
    const pod = (volumes: object[]): Pod => ({ spec: { containers: [], volumes } }) as unknown as Pod;
    assert.equal(apiObjectReference(pod([{ name: 'v', csi: { driver: 'd' } }])), 'csidrivers (via CSI volumes)');
    assert.equal(apiObjectReference(pod([{ name: 'v', ephemeral: {} }])), 'persistentvolumeclaims (via ephemeral volumes)');
    assert.equal(apiObjectReference(pod([{ name: 'v', projected: { sources: [{ clusterTrustBundle: { path: 'x' } }] } }])), 'clustertrustbundles');
    assert.equal(apiObjectReference(pod([{ name: 'v', emptyDir: {} }])), undefined);
  });
});
