// In-process benchmark of the API server's patch machinery on a 3-container Deployment (no
// server): strategic merge patch (a `kubectl set image`-like patch and a `kubectl apply`-like
// patch with $setElementOrder and the last-applied annotation), server-side apply (a second
// manager applying the whole Deployment, and the same manager re-applying it), and
// updateManagedFields for an Update. Each operation runs ITERATIONS times after a warm-up; the
// table gives p50/p99/max per operation against the issue 3 target (p99 ≤ 2 ms).
//
//   node --import tsx bench/patch.ts        (or: npm run bench -- patch)

import { applySchemaFor } from '../src/api/openapi/apply-schema.js';
import { strategicSchemaFor } from '../src/api/openapi/strategic-schema.js';
import { applyPatch, updateManagedFields } from '../src/machinery/fieldmanager/index.js';
import { strategicMergePatch } from '../src/machinery/patch/index.js';
import { infoRow, machine, percentile, printTable, sortNumbers, targetRow, type Row } from './lib/report.js';

const ITERATIONS = Number(process.env['K8TS_BENCH_ITERATIONS'] ?? 5000);
const WARMUP = 500;
const TARGET_P99_MS = 2;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Obj = Record<string, unknown>;

const smpSchema = strategicSchemaFor('apps', 'v1', 'Deployment');
const ssaSchema = applySchemaFor('apps', 'v1', 'Deployment');
if (!smpSchema || !ssaSchema) throw new Error('no schema for apps/v1 Deployment: run `npm run build` (generated/openapi) first');

function container(name: string, image: string, port: number): Obj {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port', String(port), '--log-level=info'],
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: [
      { name: 'MODE', value: 'production' },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'MESSAGE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'message' } } },
    ],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } },
    readinessProbe: { httpGet: { path: '/health', port, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/health', port, scheme: 'HTTP' }, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/config' }, { name: 'cache', mountPath: '/cache' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

/** The manifest a user applies: three containers, volumes, labels. */
function manifest(images: [string, string, string] = ['app:1.0', 'proxy:1.0', 'logger:1.0']): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'frontend' } },
        spec: {
          containers: [container('app', images[0], 8080), container('proxy', images[1], 8443), container('logger', images[2], 9090)],
          volumes: [{ name: 'config', configMap: { name: 'app-config', defaultMode: 420 } }, { name: 'cache', emptyDir: {} }],
        },
      },
    },
  };
}

/** The stored object: the manifest with server-set metadata, defaults, status and managedFields. */
function liveObject(): Obj {
  const m = manifest();
  const applied = JSON.stringify(m);
  const withServerFields = {
    ...m,
    metadata: {
      ...(m['metadata'] as Obj),
      uid: '7f0e4b1c-1d6a-4c1e-9a55-2b3f6f9d8e01',
      resourceVersion: '12345',
      generation: 4,
      creationTimestamp: '2026-11-22T05:00:00Z',
      annotations: { [LAST_APPLIED]: applied, 'deployment.kubernetes.io/revision': '4' },
    },
    spec: {
      ...(m['spec'] as Obj),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
  };
  return updateManagedFields(undefined, withServerFields, {
    manager: 'kubectl-client-side-apply',
    apiVersion: 'apps/v1',
    now: new Date('2026-11-22T05:00:00Z'),
    schema: ssaSchema!,
  });
}

interface Measured {
  name: string;
  sorted: number[];
}

function measure(name: string, op: () => unknown): Measured {
  for (let i = 0; i < WARMUP; i++) op();
  const times = new Array<number>(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    op();
    times[i] = performance.now() - t;
  }
  return { name, sorted: sortNumbers(times) };
}

const live = liveObject();
const now = new Date('2026-11-22T06:00:00Z');

// `kubectl set image deployment/web proxy=proxy:2.0` sends this strategic merge patch.
const setImagePatch: Obj = { spec: { template: { spec: { containers: [{ name: 'proxy', image: 'proxy:2.0' }] } } } };

// `kubectl apply` after editing the proxy image in the file: the three-way patch with the
// container order directive and the new last-applied annotation.
const appliedNext = JSON.stringify(manifest(['app:1.0', 'proxy:2.0', 'logger:1.0']));
const applyLikePatch: Obj = {
  metadata: { annotations: { [LAST_APPLIED]: appliedNext } },
  spec: {
    template: {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'proxy' }, { name: 'logger' }],
        containers: [{ name: 'proxy', image: 'proxy:2.0' }],
      },
    },
  },
};

const smp = (patch: Obj) => () => strategicMergePatch(live, patch, smpSchema);
const smpAndManagedFields = (patch: Obj, manager: string) => () =>
  updateManagedFields(live, strategicMergePatch(live, patch, smpSchema), { manager, apiVersion: 'apps/v1', now, schema: ssaSchema });

// Server-side apply of the whole manifest by a second manager ("other"): same values, so shared
// ownership and no conflict; then the re-apply of the same configuration by that manager.
const ssaOptions = { manager: 'other', force: false, apiVersion: 'apps/v1', kind: 'Deployment', now, schema: ssaSchema };
const ssaConfig = manifest();
const firstApply = applyPatch(live, ssaConfig, ssaOptions);
if (firstApply.changed) throw new Error('applying the same values by a second manager must not change the object');
const afterFirstApply = firstApply.object as Obj;

// An Update (e.g. `kubectl scale` or a controller's write) changing replicas.
const scaled = { ...live, spec: { ...(live['spec'] as Obj), replicas: 5 } };

const results: Measured[] = [
  measure('SMP, set-image patch', smp(setImagePatch)),
  measure('SMP, apply-like patch ($setElementOrder + last-applied)', smp(applyLikePatch)),
  measure('SMP set-image + updateManagedFields (the PATCH path)', smpAndManagedFields(setImagePatch, 'kubectl-set')),
  measure('SMP apply-like + updateManagedFields (the PATCH path)', smpAndManagedFields(applyLikePatch, 'kubectl-client-side-apply')),
  measure('SSA, second manager applies the 3-container Deployment', () => applyPatch(live, ssaConfig, ssaOptions)),
  measure('SSA, the same manager re-applies it', () => applyPatch(afterFirstApply, ssaConfig, ssaOptions)),
  measure('updateManagedFields for an Update (replicas 3 → 5)', () =>
    updateManagedFields(live, scaled, { manager: 'kube-controller-manager', apiVersion: 'apps/v1', now, schema: ssaSchema })),
];

const rows: Row[] = [];
for (const r of results) {
  rows.push(infoRow(`${r.name}: p50`, percentile(r.sorted, 50), ' ms', 3));
  rows.push(targetRow(`${r.name}: p99`, percentile(r.sorted, 99), ' ms', '<=', TARGET_P99_MS, 3));
  rows.push(infoRow(`${r.name}: max`, r.sorted[r.sorted.length - 1]!, ' ms', 3));
}
printTable(`patch: in-process machinery on a 3-container Deployment, ${ITERATIONS} iterations after ${WARMUP} warm-up each`, rows, [
  `live object: ${JSON.stringify(live).length} bytes of JSON with managedFields; ${machine()}`,
]);
