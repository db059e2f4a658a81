import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, PodSpec } from 'kubernetes-types/core/v1.js';
import { Backoff, nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName, withDaemonTolerations } from './util.js';

const ds = (spec: Partial<PodSpec>): DaemonSet => ({ spec: { selector: {}, template: { spec: { containers: [], ...spec } } } });
const node = (name: string, labels: Record<string, string> = {}, taints: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never = []): Node => ({ metadata: { name, labels }, spec: { taints } });

test('required node affinity: terms are ORed, expressions ANDed, matchFields on metadata.name, Gt/Lt numeric', () => {
  const set = ds({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'gpu', operator: 'DoesNotExist' }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['special'] }] },
            { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
          ],
        },
      },
    },
  });
  assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'a' }), set).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'a', gpu: '1' }), set).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('special'), set).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', { cores: '16' }), set).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', { cores: '4' }), set).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n', { cores: 'many' }), set).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n'), ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } })).shouldRun, false, 'an empty term matches nothing');
  assert.equal(nodeShouldRunDaemonPod(node('other'), ds({ nodeName: 'n' })).shouldRun, false);
});

test('taints: NoSchedule stops new pods but lets existing ones run; NoExecute stops both; tolerations and defaults apply', () => {
  const plain = ds({});
  assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'k', effect: 'NoSchedule' }]), plain), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'k', effect: 'NoExecute' }]), plain), { shouldRun: false, shouldContinueRunning: false });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'k', effect: 'PreferNoSchedule' }]), plain).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), plain).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]), ds({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] })).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'k', value: 'w', effect: 'NoSchedule' }]), ds({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] })).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), plain).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds({ hostNetwork: true })).shouldRun, true);
});

test('default tolerations replace equal ones instead of duplicating; the node-name affinity replaces required terms', () => {
  const t = withDaemonTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'mine', operator: 'Exists' }], false);
  assert.equal(t.length, 7);
  assert.equal(t[0]!.tolerationSeconds, undefined);
  const a = replaceNodeNameAffinity(
    { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] } },
    'n1',
  );
  assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
  assert.equal(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1);
  assert.equal(targetNodeName({ spec: { containers: [], affinity: a } }), 'n1');
  assert.equal(targetNodeName({ spec: { containers: [], nodeName: 'n2', affinity: a } }), 'n2');
  assert.equal(targetNodeName({ spec: { containers: [] } }), undefined);
});

test('back-off doubles up to the maximum and resets after a long quiet period', () => {
  const b = new Backoff(1000, 4000);
  b.next('k', 0);
  assert.equal(b.get('k'), 1000);
  assert.ok(b.inBackoffSinceUpdate('k', 999));
  assert.ok(!b.inBackoffSinceUpdate('k', 1000));
  b.next('k', 1000);
  b.next('k', 3000);
  b.next('k', 7000);
  assert.equal(b.get('k'), 4000);
  b.next('k', 20000);
  assert.equal(b.get('k'), 1000);
});
