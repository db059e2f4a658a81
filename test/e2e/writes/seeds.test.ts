// The seeds' manifests through a user's whole `kubectl apply` workflow: applied (created), applied
// again (unchanged), changed and applied (configured, with exactly that change), a field removed
// from the file and applied (gone from the object: client-side apply's three-way merge through
// the last-applied annotation), then applied server-side by a second field manager with a
// different value (a conflict: exit 1 and kubectl's conflict text, object unchanged), then with
// --force-conflicts (the second manager owns the field). Seed 000's Deployment and Ingress are
// in extensions/v1beta1, its ClusterRole and ClusterRoleBinding in rbac v1beta1; seed 002's
// Deployment is apps/v1. Upstream kubectl 1.32 output is the expectation throughout.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kubectlOk, startServer } from '../harness.js';
import type { Server } from '../harness.js';
import { FIXTURES } from '../api/util.js';
import {
  LAST_APPLIED,
  WRITES_FIXTURES,
  assertOnlyChange,
  edit,
  expectKubectl,
  getJson,
  managedEntry,
  ownsPath,
  tempDir,
  userView,
} from './util.js';
import type { Obj } from './util.js';

const read = (path: string): string => readFileSync(path, 'utf8');
const SEED000 = join(WRITES_FIXTURES, 'seed-000');
const [CLUSTER_ROLE, CLUSTER_ROLE_BINDING] = read(join(FIXTURES, 'seed-000', 'kube-app-rbac-setup.yaml'))
  .split('\n---\n')
  .map((doc) => (doc.endsWith('\n') ? doc : `${doc}\n`)) as [string, string];

/** What kubectl prints (after `error: `) for a server-side apply conflict, below the server's message. */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

interface Step {
  /** The manifest for this step, derived from the previous step's manifest. */
  text: (previous: string) => string;
  /** Applied to the previous object (as userView) to give the expected one. */
  expect: (o: Obj) => void;
}

interface LifecycleCase {
  title: string;
  /** `kubectl get` arguments naming the object in the manifest's own version. */
  get: string[];
  /** How kubectl names the object in its output (`deployment.extensions/kube-app`). */
  printed: string;
  base: string;
  /**
   * What re-applying the unchanged file prints (default `unchanged`). kubectl decides from the
   * patch it computes, not from the server's answer: a list without a merge key whose items the
   * server defaults differs from the file, so the patch repeats the list and kubectl says
   * `configured` although nothing changes (upstream strategicpatch replacePatchFieldIfNotEqual).
   */
  reapplied?: 'unchanged' | 'configured';
  /** `-n` for kubectl apply (default yunlong); the seed 002 manifest names its own namespace. */
  namespace?: string;
  /** Checks on the object right after creation. */
  created: (o: Obj) => void;
  changed: Step;
  removed: Step;
  /** A client-side apply of the base manifest before the conflict (when `removed` left nothing to conflict on). */
  restoreBase?: boolean;
  /** The second manager's manifest (from the manifest of the step before), the conflict and the forced result. */
  other: Step & { conflict: string; path: string[]; apiVersion: string };
}

const KUBE_APP_IMAGE = 'registry.cn-hangzhou.aliyuncs.com/k8s-mirrors/kube-app:2.0.3';

const CASES: LifecycleCase[] = [
  {
    title: 'seed 000 Deployment (extensions/v1beta1, §5.2 with probes)',
    get: ['deployments.v1beta1.extensions', 'kube-app', '-n', 'yunlong'],
    printed: 'deployment.extensions/kube-app',
    base: read(join(SEED000, 'kube-app-deployment-probes.yaml')),
    created: (o) => {
      const c = o['spec']['template']['spec']['containers'][0];
      assert.equal(c.image, KUBE_APP_IMAGE);
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health', port: 7001, scheme: 'HTTP' });
      assert.equal(c.readinessProbe.periodSeconds, 5);
      assert.deepEqual(c.livenessProbe.httpGet.httpHeaders, [{ name: 'X-Custom-Header', value: 'Awesome' }]);
      assert.equal(o['spec']['replicas'], 1);
    },
    changed: {
      text: (t) => edit(t, '          periodSeconds: 5\n', '          periodSeconds: 10\n'),
      expect: (o) => {
        o['spec']['template']['spec']['containers'][0]['readinessProbe']['periodSeconds'] = 10;
      },
    },
    removed: {
      text: (t) =>
        edit(
          t,
          '        readinessProbe:\n          initialDelaySeconds: 5\n          periodSeconds: 10\n          httpGet:\n            path: /health\n            port: 7001\n',
          '',
        ),
      expect: (o) => {
        delete o['spec']['template']['spec']['containers'][0]['readinessProbe'];
      },
    },
    other: {
      text: (t) => edit(t, '  replicas: 1\n', '  replicas: 2\n'),
      expect: (o) => {
        o['spec']['replicas'] = 2;
      },
      conflict: 'conflict with "kubectl-client-side-apply" using extensions/v1beta1: .spec.replicas',
      path: ['f:spec', 'f:replicas'],
      apiVersion: 'extensions/v1beta1',
    },
  },
  {
    title: 'seed 000 Ingress (extensions/v1beta1)',
    get: ['ingresses.v1beta1.extensions', 'kube-app-ingress', '-n', 'yunlong'],
    printed: 'ingress.extensions/kube-app-ingress',
    // paths[].pathType is defaulted to ImplementationSpecific in the atomic `rules` list.
    reapplied: 'configured',
    base: read(join(FIXTURES, 'seed-000', 'kube-app-ingress.yaml')),
    created: (o) => {
      assert.equal(o['metadata']['annotations']['nginx.ingress.kubernetes.io/rewrite-target'], '/');
      assert.deepEqual(o['spec']['rules'][0]['http']['paths'][0]['backend'], { serviceName: 'kube-app', servicePort: 7001 });
    },
    changed: {
      text: (t) => edit(t, 'servicePort: 7001', 'servicePort: 7002'),
      expect: (o) => {
        o['spec']['rules'][0]['http']['paths'][0]['backend']['servicePort'] = 7002;
      },
    },
    removed: {
      text: (t) => edit(t, '  annotations:\n    nginx.ingress.kubernetes.io/rewrite-target: /\n', ''),
      expect: (o) => {
        delete o['metadata']['annotations']['nginx.ingress.kubernetes.io/rewrite-target'];
      },
    },
    other: {
      text: (t) => edit(t, 'servicePort: 7002', 'servicePort: 7003'),
      expect: (o) => {
        o['spec']['rules'][0]['http']['paths'][0]['backend']['servicePort'] = 7003;
      },
      conflict: 'conflict with "kubectl-client-side-apply" using extensions/v1beta1: .spec.rules',
      path: ['f:spec', 'f:rules'],
      apiVersion: 'extensions/v1beta1',
    },
  },
  {
    title: 'seed 000 ConfigMap (v1, §3.1 then §3.2)',
    get: ['configmaps', 'kube-app', '-n', 'yunlong'],
    printed: 'configmap/kube-app',
    base: read(join(SEED000, 'kube-app-configmap.yaml')),
    created: (o) => assert.deepEqual(o['data'], { message: 'This is the message from configmap env' }),
    changed: {
      // The seed's own next version of the file: §3.2 adds application.yaml.
      text: () => read(join(SEED000, 'kube-app-configmap-file.yaml')),
      expect: (o) => {
        o['data']['application.yaml'] = "server:\n  port: 7001\napp:\n  message: 'hello from config maps'";
      },
    },
    removed: {
      text: (t) => edit(t, "  message: 'This is the message from configmap env'\n", ''),
      expect: (o) => {
        delete o['data']['message'];
      },
    },
    other: {
      text: (t) => edit(t, 'port: 7001', 'port: 7002'),
      expect: (o) => {
        o['data']['application.yaml'] = "server:\n  port: 7002\napp:\n  message: 'hello from config maps'";
      },
      conflict: 'conflict with "kubectl-client-side-apply" using v1: .data.application.yaml',
      path: ['f:data', 'f:application.yaml'],
      apiVersion: 'v1',
    },
  },
  {
    title: 'seed 000 ClusterRole (rbac.authorization.k8s.io/v1beta1)',
    get: ['clusterroles.v1beta1.rbac.authorization.k8s.io', 'cloud:service'],
    printed: 'clusterrole.rbac.authorization.k8s.io/cloud:service',
    base: CLUSTER_ROLE,
    created: (o) => assert.equal((o['rules'] as unknown[]).length, 2),
    changed: {
      text: (t) => edit(t, '  - configmaps\n', '  - configmaps\n  - secrets\n'),
      expect: (o) => {
        o['rules'][0]['resources'].push('secrets');
      },
    },
    removed: {
      text: (t) => edit(t, '- apiGroups:\n  - extensions\n  resources:\n  - ingresses\n  verbs: ["get", "list", "watch"]\n', ''),
      expect: (o) => {
        o['rules'].splice(1);
      },
    },
    other: {
      text: (t) => edit(t, 'verbs: ["get", "list", "watch"]', 'verbs: ["get", "list"]'),
      expect: (o) => {
        o['rules'][0]['verbs'] = ['get', 'list'];
      },
      conflict: 'conflict with "kubectl-client-side-apply" using rbac.authorization.k8s.io/v1beta1: .rules',
      path: ['f:rules'],
      apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    },
  },
  {
    title: 'seed 000 ClusterRoleBinding (rbac.authorization.k8s.io/v1beta1)',
    get: ['clusterrolebindings.v1beta1.rbac.authorization.k8s.io', 'default'],
    printed: 'clusterrolebinding.rbac.authorization.k8s.io/default',
    base: CLUSTER_ROLE_BINDING,
    created: (o) => assert.deepEqual(o['subjects'], [{ kind: 'ServiceAccount', name: 'default', namespace: 'yunlong' }]),
    changed: {
      text: (t) => edit(t, 'namespace: yunlong', 'namespace: default'),
      expect: (o) => {
        o['subjects'][0]['namespace'] = 'default';
      },
    },
    removed: {
      text: (t) => t.slice(0, t.indexOf('subjects:')),
      expect: (o) => {
        delete o['subjects'];
      },
    },
    // Nobody owns subjects once they are removed: the base manifest is applied again first.
    restoreBase: true,
    other: {
      text: (t) => edit(t, 'namespace: yunlong', 'namespace: kube-system'),
      expect: (o) => {
        o['subjects'][0]['namespace'] = 'kube-system';
      },
      conflict: 'conflict with "kubectl-client-side-apply" using rbac.authorization.k8s.io/v1beta1: .subjects',
      path: ['f:subjects'],
      apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    },
  },
  {
    title: 'seed 002 Deployment (apps/v1, rolling update)',
    get: ['deployments.v1.apps', 'nginx-deploy', '-n', 'default'],
    printed: 'deployment.apps/nginx-deploy',
    namespace: 'default',
    base: read(join(WRITES_FIXTURES, 'seed-002', 'nginx-deploy.yaml')),
    created: (o) => {
      assert.equal(o['spec']['replicas'], 3);
      assert.equal(o['spec']['minReadySeconds'], 5);
      assert.deepEqual(o['spec']['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
      assert.deepEqual(o['spec']['template']['spec']['containers'][0]['ports'], [{ containerPort: 80, protocol: 'TCP' }]);
    },
    changed: {
      text: (t) => edit(t, 'image: nginx:1.7.9', 'image: nginx:1.9.1'),
      expect: (o) => {
        o['spec']['template']['spec']['containers'][0]['image'] = 'nginx:1.9.1';
      },
    },
    removed: {
      text: (t) => edit(t, '  minReadySeconds: 5\n', ''),
      expect: (o) => {
        delete o['spec']['minReadySeconds'];
      },
    },
    other: {
      text: (t) => edit(t, '  replicas: 3  \n', '  replicas: 5\n'),
      expect: (o) => {
        o['spec']['replicas'] = 5;
      },
      conflict: 'conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      path: ['f:spec', 'f:replicas'],
      apiVersion: 'apps/v1',
    },
  },
];

describe('kubectl apply through the seed manifests', () => {
  let server: Server;
  let dir: string;

  before(async () => {
    server = await startServer();
    dir = tempDir();
    await kubectlOk(server, ['create', 'namespace', 'yunlong']);
  });

  for (const [i, c] of CASES.entries()) {
    describe(c.title, () => {
      let file: string;
      let manifest = c.base;
      let last: Obj;
      const write = (text: string): void => {
        manifest = text;
        writeFileSync(file, text);
      };
      const apply = (expected: { code?: number; stdout?: string[]; stderr?: string | RegExp }, extra: string[] = []) =>
        expectKubectl(server, ['apply', '-n', c.namespace ?? 'yunlong', '-f', file, ...extra], expected);

      before(() => {
        file = join(dir, `case-${i}.yaml`);
      });

      it('apply creates it: "created", with the last-applied annotation', async () => {
        write(c.base);
        await apply({ stdout: [`${c.printed} created`] });
        last = await getJson(server, c.get);
        c.created(last);
        assert.ok(last['metadata']['annotations']?.[LAST_APPLIED], 'kubectl records the last-applied configuration');
      });

      it(`applying the same file again: "${c.reapplied ?? 'unchanged'}", object as before`, async () => {
        await apply({ stdout: [`${c.printed} ${c.reapplied ?? 'unchanged'}`] });
        const now = await getJson(server, c.get);
        assert.deepEqual(userView(now), userView(last));
        last = now;
      });

      it('a changed file: "configured", with exactly that change', async () => {
        write(c.changed.text(manifest));
        await apply({ stdout: [`${c.printed} configured`] });
        const now = await getJson(server, c.get);
        assertOnlyChange(last, now, c.changed.expect);
        last = now;
      });

      it('a field removed from the file: "configured", and gone from the object', async () => {
        write(c.removed.text(manifest));
        await apply({ stdout: [`${c.printed} configured`] });
        const now = await getJson(server, c.get);
        assertOnlyChange(last, now, c.removed.expect);
        last = now;
      });

      it('server-side apply by a second manager with another value: conflict, exit 1, object unchanged', async () => {
        if (c.restoreBase) {
          write(c.base);
          await apply({ stdout: [`${c.printed} configured`] });
          last = await getJson(server, c.get);
        }
        write(c.other.text(manifest));
        await apply(
          { code: 1, stdout: [], stderr: `error: Apply failed with 1 conflict: ${c.other.conflict}\n${CONFLICT_ADVICE}` },
          ['--server-side', '--field-manager=other'],
        );
        const now = await getJson(server, c.get);
        assert.deepEqual(userView(now), userView(last));
      });

      it('--force-conflicts: "serverside-applied"; kubectl migrates client-side ownership to the second manager', async () => {
        await apply({ stdout: [`${c.printed} serverside-applied`] }, ['--server-side', '--field-manager=other', '--force-conflicts']);
        const now = await getJson(server, c.get, { managedFields: true });
        assertOnlyChange(last, now, c.other.expect);
        const other = managedEntry(now, 'other', 'Apply');
        assert.equal(other.apiVersion, c.other.apiVersion);
        assert.equal(other.fieldsType, 'FieldsV1');
        assert.ok(ownsPath(other, c.other.path), `other owns ${c.other.path.join('.')}: ${JSON.stringify(other.fieldsV1)}`);
        // kubectl (csaupgrade, KEP 3517) then moves the fields of the Update manager that owns the
        // last-applied annotation into the applying manager's entry and applies again, which
        // drops the annotation that manager does not apply.
        const managers = (now['metadata']['managedFields'] as { manager: string }[]).map((e) => e.manager);
        assert.ok(!managers.includes('kubectl-client-side-apply'), `managers: ${managers.join(', ')}`);
        assert.equal(now['metadata']['annotations']?.[LAST_APPLIED], undefined);
      });
    });
  }
});
