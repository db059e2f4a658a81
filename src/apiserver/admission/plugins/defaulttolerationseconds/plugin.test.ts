import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { create, NAME } from './plugin.js';

const NOT_READY: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UNREACHABLE: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

function pod(tolerations?: Toleration[]): Pod {
  return { metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }], ...(tolerations ? { tolerations } : {}) } };
}

test('adds both tolerations to a pod without any', () => {
  assert.equal(NAME, 'DefaultTolerationSeconds');
  const p = pod();
  create().admitPod('CREATE', p);
  assert.deepEqual(p.spec?.tolerations, [NOT_READY, UNREACHABLE]);
});

test('keeps existing tolerations first and adds only the missing one', () => {
  const own: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
  const other: Toleration = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
  const p = pod([other, own]);
  create().admitPod('CREATE', p);
  assert.deepEqual(p.spec?.tolerations, [other, own, NOT_READY]);
});

test('an empty key or empty effect tolerates the taints already', () => {
  const all = pod([{ operator: 'Exists' }]);
  create().admitPod('CREATE', all);
  assert.deepEqual(all.spec?.tolerations, [{ operator: 'Exists' }]);

  const anyEffect = pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }]);
  create().admitPod('CREATE', anyEffect);
  assert.deepEqual(anyEffect.spec?.tolerations, [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, UNREACHABLE]);

  // A NoSchedule toleration does not cover the NoExecute taint.
  const noSchedule = pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }]);
  create().admitPod('CREATE', noSchedule);
  assert.equal(noSchedule.spec?.tolerations?.length, 3);
});

test('seconds come from the options; deletes pass untouched', () => {
  const p = pod();
  create({ notReadyTolerationSeconds: 10, unreachableTolerationSeconds: 20 }).admitPod('UPDATE', p);
  assert.deepEqual(
    p.spec?.tolerations?.map((t) => t.tolerationSeconds),
    [10, 20],
  );
  const d = pod();
  create().admitPod('DELETE', d);
  assert.equal(d.spec?.tolerations, undefined);
});
