import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../../../machinery/errors.js';
import { create, NAME, DEFAULT_API_TOKEN_MOUNT_PATH, tokenVolumeSource, type ServiceAccountOptions } from './plugin.js';

function sa(name: string, extra: Partial<ServiceAccount> = {}): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'ns' }, ...extra };
}

function plugin(accounts: ServiceAccount[], over: Partial<ServiceAccountOptions> = {}) {
  const calls: string[] = [];
  const p = create({
    getServiceAccount: async (ns, name) => {
      calls.push(`${ns}/${name}`);
      return accounts.find((a) => a.metadata?.namespace === ns && a.metadata?.name === name);
    },
    generateName: (prefix) => `${prefix}abcde`,
    sleep: async () => {},
    ...over,
  });
  return { p, calls };
}

function pod(spec: Partial<Pod['spec']> = {}, meta: Pod['metadata'] = {}): Pod {
  return { metadata: { name: 'x', namespace: 'ns', ...meta }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

async function forbidden(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(e.message, message);
    return true;
  });
}

const MOUNT = { name: 'kube-api-access-abcde', readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };

test('defaults the account to default and mounts the projected token volume in every container', async () => {
  assert.equal(NAME, 'ServiceAccount');
  const p = pod({ initContainers: [{ name: 'init', image: 'i' }], containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] });
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', p);
  assert.equal(p.spec?.serviceAccountName, 'default');
  assert.equal(p.spec?.serviceAccount, 'default');
  assert.deepEqual(p.spec?.volumes, [
    {
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ]);
  assert.deepEqual(p.spec?.volumes?.[0]?.projected, tokenVolumeSource());
  for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) assert.deepEqual(c.volumeMounts, [MOUNT]);
});

test('a missing account is Forbidden with the upstream message; default is retried ten times', async () => {
  const { p, calls } = plugin([]);
  await forbidden(p.admitPod('CREATE', 'ns', pod({ serviceAccountName: 'sa' })), 'pods "x" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found');
  assert.deepEqual(calls, ['ns/sa']);
  calls.length = 0;
  await forbidden(p.admitPod('CREATE', 'ns', pod()), 'pods "x" is forbidden: error looking up service account ns/default: serviceaccount "default" not found');
  assert.equal(calls.length, 10);
});

test('the default account created during the retries is found', async () => {
  const accounts: ServiceAccount[] = [];
  let n = 0;
  const { p } = plugin(accounts, {
    sleep: async () => {
      if (++n === 3) accounts.push(sa('default'));
    },
  });
  const x = pod();
  await p.admitPod('CREATE', 'ns', x);
  assert.equal(x.spec?.serviceAccountName, 'default');
});

test('a lookup error is Forbidden carrying the cause', async () => {
  const p = create({ getServiceAccount: async () => Promise.reject(new Error('boom')) });
  await forbidden(p.admitPod('CREATE', 'ns', pod({ serviceAccountName: 'sa' })), 'pods "x" is forbidden: error looking up service account ns/sa: boom');
});

test('the deprecated serviceAccount field names the account', async () => {
  const x = pod({ serviceAccount: 'builder' });
  await plugin([sa('builder')]).p.admitPod('CREATE', 'ns', x);
  assert.equal(x.spec?.serviceAccountName, 'builder');
  assert.equal(x.spec?.serviceAccount, 'builder');
});

test('automount false on the pod or the account (pod wins) leaves the pod without the volume', async () => {
  const a = pod({ automountServiceAccountToken: false });
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', a);
  assert.equal(a.spec?.volumes, undefined);
  assert.equal(a.spec?.containers[0]?.volumeMounts, undefined);

  const b = pod();
  await plugin([sa('default', { automountServiceAccountToken: false })]).p.admitPod('CREATE', 'ns', b);
  assert.equal(b.spec?.volumes, undefined);

  const c = pod({ automountServiceAccountToken: true });
  await plugin([sa('default', { automountServiceAccountToken: false })]).p.admitPod('CREATE', 'ns', c);
  assert.equal(c.spec?.volumes?.length, 1);
});

test('an existing mount at the token path or an existing kube-api-access volume is kept', async () => {
  const own = { name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };
  const x = pod({ containers: [{ name: 'a', volumeMounts: [own] }, { name: 'b' }], volumes: [{ name: 'mine', emptyDir: {} }] });
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', x);
  assert.deepEqual(x.spec?.containers[0]?.volumeMounts, [own]);
  assert.deepEqual(x.spec?.containers[1]?.volumeMounts, [MOUNT]);
  assert.deepEqual(x.spec?.volumes?.map((v) => v.name), ['mine', 'kube-api-access-abcde']);

  const only = pod({ containers: [{ name: 'a', volumeMounts: [own] }] });
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', only);
  assert.equal(only.spec?.volumes, undefined, 'no container needs the volume');

  const again = pod({ volumes: [{ name: 'kube-api-access-zzzzz', projected: tokenVolumeSource() }] });
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', again);
  assert.deepEqual(again.spec?.volumes?.map((v) => v.name), ['kube-api-access-zzzzz']);
  assert.deepEqual(again.spec?.containers[0]?.volumeMounts, [{ ...MOUNT, name: 'kube-api-access-zzzzz' }]);
});

test('image pull secrets come from the account when the pod has none', async () => {
  const account = sa('default', { imagePullSecrets: [{ name: 'reg' }] });
  const a = pod();
  await plugin([account]).p.admitPod('CREATE', 'ns', a);
  assert.deepEqual(a.spec?.imagePullSecrets, [{ name: 'reg' }]);
  const b = pod({ imagePullSecrets: [{ name: 'own' }] });
  await plugin([account]).p.admitPod('CREATE', 'ns', b);
  assert.deepEqual(b.spec?.imagePullSecrets, [{ name: 'own' }]);
});

test('mirror pods are not changed and may not reference accounts or secrets', async () => {
  const mirror = { annotations: { 'kubernetes.io/config.mirror': 'abc' } };
  const ok = pod({}, mirror);
  const { p, calls } = plugin([sa('default')]);
  await p.admitPod('CREATE', 'ns', ok);
  assert.equal(ok.spec?.serviceAccountName, undefined);
  assert.equal(ok.spec?.volumes, undefined);
  assert.deepEqual(calls, []);
  await forbidden(p.admitPod('CREATE', 'ns', pod({ serviceAccountName: 'default' }, mirror)), 'pods "x" is forbidden: a mirror pod may not reference service accounts');
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ volumes: [{ name: 's', secret: { secretName: 'top' } }] }, mirror)),
    'pods "x" is forbidden: a mirror pod may not reference secrets',
  );
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }, mirror)),
    'pods "x" is forbidden: a mirror pod may not reference secrets',
  );
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ volumes: [{ name: 't', projected: tokenVolumeSource() }] }, mirror)),
    'pods "x" is forbidden: a mirror pod may not use ServiceAccountToken volume projections',
  );
});

test('the enforce-mountable-secrets annotation limits secret references', async () => {
  const strict = sa('default', {
    metadata: { name: 'default', namespace: 'ns', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } },
    secrets: [{ name: 'allowed' }],
  });
  const { p } = plugin([strict]);
  await p.admitPod('CREATE', 'ns', pod({ volumes: [{ name: 'v', secret: { secretName: 'allowed' } }] }));
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ volumes: [{ name: 'v', secret: { secretName: 'other' } }] })),
    'pods "x" is forbidden: volume with secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 'other' } }] }] })),
    'pods "x" is forbidden: init container i with envFrom referencing secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } }] }] })),
    'pods "x" is forbidden: container c with envVar E referencing secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
  await forbidden(
    p.admitPod('CREATE', 'ns', pod({ imagePullSecrets: [{ name: 'reg' }] })),
    'pods "x" is forbidden: imagePullSecrets[0].name="reg" is not allowed because service account default does not reference that imagePullSecret',
  );
  await forbidden(
    p.validateEphemeralContainers('ns', pod({ serviceAccountName: 'default', ephemeralContainers: [{ name: 'dbg', envFrom: [{ secretRef: { name: 'other' } }] }] })),
    'pods "x" is forbidden: ephemeral container dbg with envFrom referencing secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
  // Without the annotation nothing is limited.
  await plugin([sa('default')]).p.admitPod('CREATE', 'ns', pod({ volumes: [{ name: 'v', secret: { secretName: 'other' } }] }));
});

test('updates pass untouched', async () => {
  const { p, calls } = plugin([]);
  const x = pod();
  await p.admitPod('UPDATE', 'ns', x);
  assert.equal(x.spec?.serviceAccountName, undefined);
  assert.deepEqual(calls, []);
});

test('generated volume names follow upstream SimpleNameGenerator', async () => {
  const x = pod();
  await create({ getServiceAccount: async () => sa('default') }).admitPod('CREATE', 'ns', x);
  assert.match(x.spec?.volumes?.[0]?.name ?? '', /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});
