// Bad patches through `kubectl patch`, with upstream 1.32's status and message as kubectl prints
// them, and the object unchanged afterwards: a malformed patch of each type (kubectl sends no
// fieldValidation, so the server's default Warn decodes JSON and merge patches strictly first:
// handlers/patch.go applyJSPatch; strategic patches are decoded by strategicPatchObject), a
// patch whose result fails validation (422), and a patch against a stale resourceVersion (409).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { expectKubectl, getJson } from './util.js';
import type { Obj } from './util.js';

const NS = 'bad';

interface BadPatchCase {
  title: string;
  target: [resource: string, name: string];
  type: 'json' | 'merge' | 'strategic';
  patch: string | ((rv: string) => string);
  stderr: string;
  /** Something to change first, so that the resourceVersion the patch names is stale. */
  bumpFirst?: boolean;
}

const CASES: BadPatchCase[] = [
  {
    title: 'json patch that is an object, not a list of operations: 400',
    target: ['configmap', 'target'],
    type: 'json',
    patch: '{"op":"replace","path":"/data/a","value":"2"}',
    stderr: 'Error from server (BadRequest): error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp\n',
  },
  {
    title: 'merge patch that is a list, not an object: 400',
    target: ['configmap', 'target'],
    type: 'merge',
    patch: '["a"]',
    stderr: 'Error from server (BadRequest): error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}\n',
  },
  {
    title: 'strategic merge patch that is a list, not an object: 400',
    target: ['configmap', 'target'],
    type: 'strategic',
    patch: '["a"]',
    stderr: 'Error from server (BadRequest): json: cannot unmarshal array into Go value of type map[string]interface {}\n',
  },
  {
    title: 'strategic merge patch with a $deleteFromPrimitiveList directive that names no list: 400',
    target: ['deployment', 'app'],
    type: 'strategic',
    patch: '{"metadata":{"$deleteFromPrimitiveList":["example.com/x"]}}',
    stderr: 'Error from server (BadRequest): invalid patch format of primitive list\n',
  },
  {
    title: 'strategic merge patch with a $setElementOrder directive that names no list: 400',
    target: ['deployment', 'app'],
    type: 'strategic',
    patch: '{"spec":{"$setElementOrder":[{"name":"main"}]}}',
    stderr: 'Error from server (BadRequest): invalid patch format of setElementOrder list\n',
  },
  {
    title: 'a patch that makes the object invalid: 422 with the field error',
    target: ['deployment', 'app'],
    type: 'merge',
    patch: '{"spec":{"replicas":-1}}',
    stderr: 'The Deployment "app" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n',
  },
  {
    title: 'a strategic patch that makes the object invalid (container without image): 422',
    target: ['deployment', 'app'],
    type: 'strategic',
    patch: '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":null}]}}}}',
    stderr: 'The Deployment "app" is invalid: spec.template.spec.containers[0].image: Required value\n',
  },
  {
    title: 'a merge patch against a stale resourceVersion: 409',
    target: ['configmap', 'target'],
    type: 'merge',
    bumpFirst: true,
    patch: (rv) => `{"metadata":{"resourceVersion":"${rv}"},"data":{"a":"9"}}`,
    stderr:
      'Error from server (Conflict): Operation cannot be fulfilled on configmaps "target": the object has been modified; please apply your changes to the latest version and try again\n',
  },
  {
    title: 'a strategic patch of a Deployment against a stale resourceVersion: 409',
    target: ['deployment', 'app'],
    type: 'strategic',
    bumpFirst: true,
    patch: (rv) => `{"metadata":{"resourceVersion":"${rv}"},"spec":{"replicas":4}}`,
    stderr:
      'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "app": the object has been modified; please apply your changes to the latest version and try again\n',
  },
];

/** The parts a failed patch must leave alone (controllers may still write status). */
function userParts(o: Obj): Obj {
  const { status: _status, ...rest } = o;
  const { managedFields: _mf, ...meta } = rest['metadata'] as Obj;
  return { ...rest, metadata: meta };
}

describe('bad patches', () => {
  let server: Server;

  before(async () => {
    server = await startServer();
    await kubectlOk(server, ['create', 'namespace', NS]);
    const objects = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', namespace: NS }, data: { a: '1' } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'app', namespace: NS },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'app' } },
          template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'main', image: 'busybox:1' }] } },
        },
      },
    ];
    await kubectlOk(server, ['create', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const get = (): Promise<Obj> => getJson(server, [...c.target, '-n', NS]);
      let stale = '';
      if (c.bumpFirst) {
        stale = (await get())['metadata']['resourceVersion'] as string;
        await kubectlOk(server, ['annotate', '--overwrite', ...c.target, '-n', NS, `bumped=${stale}`]);
      }
      const before = await get();
      const patch = typeof c.patch === 'string' ? c.patch : c.patch(stale);
      await expectKubectl(server, ['patch', ...c.target, '-n', NS, '--type', c.type, '-p', patch], { code: 1, stdout: [], stderr: c.stderr });
      const after = await get();
      assert.deepEqual(userParts(after), userParts(before), 'the object is unchanged');
    });
  }
});
