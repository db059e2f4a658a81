import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { newNotFound } from '../../machinery/errors.js';
import { nopLogger } from '../../logging/index.js';
import type { ApiObject } from '../../api/scheme.js';
import type { GenericStore, UpdateFn } from '../registry/generic/store.js';
import { TokenIssuer } from './issuer.js';
import { TokenValidator } from './validator.js';
import { LegacyTokensController } from './legacy-tokens.js';
import { MemoryGetter, testKey } from './testing/fixtures.js';

/** The store calls the controller makes, over a map keyed `namespace/name`. */
function memoryStore(resource: string, objects: Map<string, ApiObject>): GenericStore & { deleted: string[] } {
  const deleted: string[] = [];
  return {
    deleted,
    get: async (ctx: { namespace?: string }, name: string) => {
      const o = objects.get(`${ctx.namespace}/${name}`);
      if (!o) throw newNotFound({ group: '', resource }, name);
      return structuredClone(o);
    },
    update: async (ctx: { namespace?: string }, name: string, fn: UpdateFn) => {
      const key = `${ctx.namespace}/${name}`;
      const next = await fn(structuredClone(objects.get(key)));
      objects.set(key, next);
      return { object: next, created: false };
    },
    delete: async (ctx: { namespace?: string }, name: string) => {
      const key = `${ctx.namespace}/${name}`;
      if (!objects.delete(key)) throw newNotFound({ group: '', resource }, name);
      deleted.push(key);
      return { object: {}, deleted: true };
    },
    list: async (ctx: { namespace?: string }) => ({ items: [...objects.entries()].filter(([k]) => k.startsWith(`${ctx.namespace}/`)).map(([, v]) => v) }),
  } as unknown as GenericStore & { deleted: string[] };
}

const key = testKey();
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function setup() {
  const secrets = new Map<string, ApiObject>();
  const sas = new Map<string, ApiObject>([['ns/build', { metadata: { name: 'build', namespace: 'ns', uid: 'sa-uid' } }]]);
  const secretStore = memoryStore('secrets', secrets);
  const issuer = new TokenIssuer({ key });
  const ctl = new LegacyTokensController({ secrets: secretStore, serviceAccounts: memoryStore('serviceaccounts', sas), issuer, rootCAPem: CA, logger: nopLogger() });
  return { secrets, sas, secretStore, ctl };
}

const tokenSecret = (name: string, sa: string, extra: Partial<Secret> = {}): ApiObject =>
  ({ metadata: { name, namespace: 'ns', uid: `${name}-uid`, annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token', ...extra }) as ApiObject;

test('a token Secret is filled with a legacy token that authenticates, the CA and the namespace', async () => {
  const { secrets, sas, ctl } = setup();
  secrets.set('ns/build-token', tokenSecret('build-token', 'build'));
  await ctl.syncSecret('ns', 'build-token');
  const s = secrets.get('ns/build-token') as Secret;
  assert.equal(s.metadata?.annotations?.['kubernetes.io/service-account.uid'], 'sa-uid');
  assert.equal(Buffer.from(s.data!['ca.crt']!, 'base64').toString(), CA);
  assert.equal(Buffer.from(s.data!.namespace!, 'base64').toString(), 'ns');
  const token = Buffer.from(s.data!.token!, 'base64').toString();

  const getter = new MemoryGetter();
  getter.secrets.set('ns/build-token', s);
  getter.serviceAccounts.set('ns/build', sas.get('ns/build') as never);
  assert.deepEqual(await new TokenValidator({ keys: [key], getter }).validate(token), { namespace: 'ns', name: 'build', uid: 'sa-uid' });

  // A second sync changes nothing: the token is kept.
  await ctl.syncSecret('ns', 'build-token');
  assert.equal((secrets.get('ns/build-token') as Secret).data!.token, s.data!.token);
});

test('Secrets of other types are left alone; those of a missing account are deleted', async () => {
  const { secrets, secretStore, ctl } = setup();
  secrets.set('ns/plain', { metadata: { name: 'plain', namespace: 'ns' }, type: 'Opaque' } as ApiObject);
  secrets.set('ns/orphan', tokenSecret('orphan', 'nobody'));
  await ctl.syncSecret('ns', 'plain');
  await ctl.syncSecret('ns', 'orphan');
  assert.ok(secrets.has('ns/plain'));
  assert.deepEqual(secretStore.deleted, ['ns/orphan']);
});

test('deleting a service account deletes its token Secrets', async () => {
  const { secrets, secretStore, ctl } = setup();
  secrets.set('ns/a', tokenSecret('a', 'build'));
  secrets.set('ns/b', tokenSecret('b', 'other'));
  await ctl.serviceAccountDeleted({ metadata: { name: 'build', namespace: 'ns', uid: 'sa-uid' } });
  assert.deepEqual(secretStore.deleted, ['ns/a']);
});
