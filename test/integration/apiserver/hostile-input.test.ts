// Hostile input: well over a thousand malformed, mistyped, oversized or otherwise hostile requests
// against an in-process control plane, over HTTPS with the admin client certificate. Every answer
// must be a 4xx `Status` (never 5xx, never 2xx, never a bare text body), the server must keep
// serving between batches, and nothing in storage may change except the test's own deliberate
// writes.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { RESOURCES } from '../../../src/api/index.js';
import { ControlPlane, completeServerConfig, createLogger } from '../../../src/daemons/index.js';

const NS = 'hostile-ns';
const TARGET = 'hostile-target';
const PROBE_PREFIX = 'probe-';
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 10_000;
const MiB = 1024 * 1024;
/** When set, every wrong answer is appended to this file in full (for whoever fixes the server). */
const REPORT_FILE = process.env.K8TS_HOSTILE_REPORT;

/** JSON text that JavaScript cannot hold as a value (1e400 would become Infinity, then null). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string): Raw => new Raw(text);

/** JSON.stringify that writes Raw values verbatim. */
function stringify(obj: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(obj, (_key, value: unknown) => {
    if (!(value instanceof Raw)) return value;
    raws.push(value.text);
    return `@@RAW${raws.length - 1}@@`;
  });
  return text.replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

// ---------------------------------------------------------------------------------- the client

interface Hostile {
  /** What the request is, for the report. */
  what: string;
  method: string;
  /** Sent verbatim as the request target (already percent-encoded where needed). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with chunked transfer encoding (no content-length). */
  chunked?: boolean;
  /** The one status code upstream answers with, when the test pins it. */
  expect?: number;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** Set when no complete answer arrived (socket error, timeout). */
  error?: string;
}

interface Conn {
  base: URL;
  agent: https.Agent;
}

function send(conn: Conn, r: Pick<Hostile, 'method' | 'path' | 'headers' | 'body' | 'chunked'>): Promise<Answer> {
  return new Promise<Answer>((resolve) => {
    let done = false;
    const finish = (a: Answer): void => {
      if (done) return;
      done = true;
      resolve(a);
    };
    const headers: Record<string, string> = { accept: 'application/json', ...r.headers };
    if (r.body !== undefined && !r.chunked) headers['content-length'] = String(Buffer.byteLength(r.body));
    if (r.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    let req: ReturnType<typeof https.request>;
    try {
      req = https.request({
        hostname: conn.base.hostname,
        port: conn.base.port,
        method: r.method,
        path: r.path,
        agent: conn.agent,
        headers,
        timeout: REQUEST_TIMEOUT_MS,
      });
    } catch (e) {
      finish({ status: 0, contentType: '', body: '', error: `client refused to send it: ${(e as Error).message}` });
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, contentType: '', body: '', error: `response error: ${e.message}` }));
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    });
    req.on('error', (e) => finish({ status: 0, contentType: '', body: '', error: e.message }));
    if (r.body === undefined) {
      req.end();
    } else if (r.chunked) {
      const body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(r.body);
    }
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ----------------------------------------------------------------------------- judging answers

interface StatusBody {
  kind?: unknown;
  apiVersion?: unknown;
  status?: unknown;
  reason?: unknown;
  code?: unknown;
  message?: unknown;
}

/** Why an answer is wrong, or undefined when it is a proper 4xx Status. */
function problemWith(r: Hostile, a: Answer): string | undefined {
  if (a.error !== undefined) return `no answer: ${a.error}`;
  const problems: string[] = [];
  if (a.status < 400 || a.status > 499) problems.push(`status ${a.status} is not 4xx`);
  if (r.expect !== undefined && a.status !== r.expect) problems.push(`status ${a.status}, upstream answers ${r.expect}`);
  if (!/^application\/json(\s*;|$)/i.test(a.contentType)) problems.push(`content-type ${JSON.stringify(a.contentType)} is not application/json`);
  let body: StatusBody | undefined;
  try {
    const parsed: unknown = JSON.parse(a.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as StatusBody;
  } catch {
    // reported below
  }
  if (!body) {
    problems.push('body is not a JSON object');
  } else {
    if (body.kind !== 'Status') problems.push(`kind ${JSON.stringify(body.kind)} is not "Status"`);
    if (body.apiVersion !== 'v1') problems.push(`apiVersion ${JSON.stringify(body.apiVersion)} is not "v1"`);
    if (body.status !== 'Failure') problems.push(`status ${JSON.stringify(body.status)} is not "Failure"`);
    if (typeof body.reason !== 'string' || body.reason === '') problems.push('no reason');
    if (body.code !== a.status) problems.push(`code ${JSON.stringify(body.code)} differs from HTTP status ${a.status}`);
    if (typeof body.message !== 'string' || body.message.trim() === '') problems.push('no message');
  }
  return problems.length ? problems.join('; ') : undefined;
}

function reasonOf(a: Answer): string {
  try {
    const parsed = JSON.parse(a.body) as StatusBody;
    return typeof parsed.reason === 'string' ? parsed.reason : '(none)';
  } catch {
    return '(not JSON)';
  }
}

function describeRequest(r: Hostile): string {
  const body = r.body === undefined ? '' : Buffer.isBuffer(r.body) ? r.body.toString('utf8') : r.body;
  const shown = body.length > 240 ? `${body.slice(0, 240)}… (${Buffer.byteLength(body)} bytes)` : body;
  const path = r.path.length > 200 ? `${r.path.slice(0, 200)}… (${r.path.length} chars)` : r.path;
  const ct = r.headers?.['content-type'] ? ` [${r.headers['content-type']}]` : '';
  return `${r.what}: ${r.method} ${path}${ct}${shown ? ` ${JSON.stringify(shown)}` : ''}`;
}

function describeAnswer(a: Answer): string {
  if (a.error !== undefined) return `error: ${a.error}`;
  const body = a.body.length > 400 ? `${a.body.slice(0, 400)}…` : a.body;
  return `${a.status} ${a.contentType} ${body}`;
}

// ------------------------------------------------------------------------------- the kinds

interface KindCase {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** A minimal valid object without metadata (the test adds apiVersion, kind and metadata). */
  body: Record<string, unknown>;
  /** Names validated as DNS subdomains or labels (RBAC names are only path segments). */
  dnsName: boolean;
  /** Fields of this kind set to a value of the wrong JSON type: dotted path → value. */
  wrong: [string, unknown][];
}

const CONTAINER = { name: 'c', image: 'busybox' };
const POD_SPEC = { containers: [CONTAINER] };
const TEMPLATE = { metadata: { labels: { app: 'h' } }, spec: POD_SPEC };
const JOB_TEMPLATE = { spec: { restartPolicy: 'Never', containers: [CONTAINER] } };

const KINDS: KindCase[] = [
  {
    group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, dnsName: true,
    body: { data: { a: 'b' } },
    wrong: [['data', []], ['data', 'x'], ['data.a', 1], ['data.a', { b: 'c' }], ['data.a', true], ['binaryData', ['x']], ['binaryData.a', 'not base64!!'], ['immutable', 'yes']],
  },
  {
    group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, dnsName: true,
    body: { type: 'Opaque', data: { a: 'Yg==' } },
    wrong: [['data', ['Yg==']], ['data.a', '%%%not-base64'], ['data.a', 5], ['type', 5], ['stringData', []], ['stringData.a', 1]],
  },
  {
    group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, dnsName: true,
    body: { spec: POD_SPEC },
    wrong: [
      ['spec.containers', CONTAINER], ['spec.containers', 'c'], ['spec.containers.0', 'c'], ['spec.containers.0.name', 1],
      ['spec.containers.0.image', 5], ['spec.containers.0.ports', '80'], ['spec.containers.0.ports', [{ containerPort: '80' }]],
      ['spec.containers.0.ports', [{ containerPort: raw('1e400') }]], ['spec.containers.0.ports', [{ containerPort: 80.5 }]],
      ['spec.containers.0.env', { A: 'b' }], ['spec.containers.0.env', [{ name: 'A', value: 1 }]], ['spec.containers.0.command', 'sh'],
      ['spec.containers.0.args', [1, 2]], ['spec.containers.0.resources.limits', ['cpu']], ['spec.containers.0.resources.limits.cpu', 'lots'],
      ['spec.containers.0.resources.requests.memory', '1Zb'], ['spec.restartPolicy', 1], ['spec.nodeSelector', ['a=b']],
      ['spec.terminationGracePeriodSeconds', '30'], ['spec.hostNetwork', 'true'], ['spec.volumes', {}], ['spec.tolerations', 'all'],
    ],
  },
  {
    group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, dnsName: true,
    body: { spec: { ports: [{ port: 80 }] } },
    wrong: [['spec.ports', '80'], ['spec.ports', { port: 80 }], ['spec.ports.0.port', '80'], ['spec.ports.0.port', raw('1e400')], ['spec.ports.0.port', 99999999999], ['spec.type', 5], ['spec.selector', ['a']], ['spec.clusterIP', 5], ['spec.ports.0.targetPort', true]],
  },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, dnsName: true, body: {}, wrong: [['secrets', {}], ['automountServiceAccountToken', 'yes'], ['imagePullSecrets', 'x']] },
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, dnsName: true, body: {}, wrong: [['spec', []], ['spec.finalizers', 'kubernetes'], ['status.phase', 3]] },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, dnsName: true, body: {}, wrong: [['spec.unschedulable', 'true'], ['spec.taints', {}], ['spec.podCIDRs', 'x'], ['status.capacity', ['cpu']]] },
  {
    group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, dnsName: true,
    body: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    wrong: [['spec.accessModes', 'ReadWriteOnce'], ['spec.resources.requests.storage', 'lots'], ['spec.resources.requests', 5], ['spec.storageClassName', 1]],
  },
  {
    group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, dnsName: true,
    body: { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/hostile' } } },
    wrong: [['spec.capacity', ['1Gi']], ['spec.capacity.storage', 'huge'], ['spec.hostPath', '/tmp'], ['spec.accessModes', {}]],
  },
  {
    group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, dnsName: true,
    body: { spec: { replicas: 1, selector: { app: 'h' }, template: TEMPLATE } },
    wrong: [['spec.replicas', '3'], ['spec.replicas', 1.5], ['spec.selector', 'app=h'], ['spec.template', []], ['spec.template.spec.containers', {}]],
  },
  {
    group: '', version: 'v1', kind: 'PodTemplate', resource: 'podtemplates', namespaced: true, dnsName: true,
    body: { template: TEMPLATE },
    wrong: [['template', 'x'], ['template.spec', []], ['template.metadata.labels', ['app']]],
  },
  {
    group: '', version: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, dnsName: true,
    body: { spec: { hard: { pods: '10' } } },
    wrong: [['spec.hard', ['pods']], ['spec.hard.pods', 'many'], ['spec.scopes', 'Terminating']],
  },
  {
    group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', namespaced: true, dnsName: true,
    body: { spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } },
    wrong: [['spec.limits', {}], ['spec.limits.0.max', 'cpu'], ['spec.limits.0.max.cpu', 'fast']],
  },
  {
    group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, dnsName: true,
    body: { spec: { replicas: 1, selector: { matchLabels: { app: 'h' } }, template: TEMPLATE } },
    wrong: [
      ['spec.replicas', '3'], ['spec.replicas', raw('1e400')], ['spec.replicas', 1.5], ['spec.replicas', 99999999999], ['spec.replicas', true],
      ['spec.selector', 'app=h'], ['spec.selector.matchLabels', ['app']], ['spec.template', []], ['spec.template.spec.containers', {}],
      ['spec.strategy', 'Recreate'], ['spec.paused', 'yes'], ['spec.revisionHistoryLimit', '10'], ['spec.template.spec.containers.0.ports', '80'],
    ],
  },
  {
    group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, dnsName: true,
    body: { spec: { replicas: 1, selector: { matchLabels: { app: 'h' } }, template: TEMPLATE } },
    wrong: [['spec.replicas', '3'], ['spec.selector', []], ['spec.template.spec.containers', {}], ['spec.minReadySeconds', 'soon']],
  },
  {
    group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, dnsName: true,
    body: { spec: { serviceName: 'h', replicas: 1, selector: { matchLabels: { app: 'h' } }, template: TEMPLATE } },
    wrong: [['spec.replicas', '3'], ['spec.serviceName', 5], ['spec.volumeClaimTemplates', {}], ['spec.template', 'x']],
  },
  {
    group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, dnsName: true,
    body: { spec: { selector: { matchLabels: { app: 'h' } }, template: TEMPLATE } },
    wrong: [['spec.selector', 'app'], ['spec.updateStrategy', 'OnDelete'], ['spec.template.spec.containers', 'c']],
  },
  {
    group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true, dnsName: true,
    body: { spec: { template: JOB_TEMPLATE } },
    wrong: [['spec.backoffLimit', '6'], ['spec.completions', []], ['spec.parallelism', 'two'], ['spec.template.spec.containers', {}], ['spec.suspend', 'no']],
  },
  {
    group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, dnsName: true,
    body: { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: JOB_TEMPLATE } } } },
    wrong: [['spec.schedule', 5], ['spec.suspend', 'no'], ['spec.jobTemplate', []], ['spec.successfulJobsHistoryLimit', '3']],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', namespaced: true, dnsName: false,
    body: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    wrong: [['rules', {}], ['rules.0.verbs', 'get'], ['rules.0.resources', 'pods'], ['rules.0', 'get pods']],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false, dnsName: false,
    body: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    wrong: [['rules', 'all'], ['rules.0.apiGroups', ''], ['aggregationRule', []]],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true, dnsName: false,
    body: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }] },
    wrong: [['roleRef', 'r'], ['subjects', {}], ['subjects.0.name', 7]],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false, dnsName: false,
    body: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }] },
    wrong: [['roleRef', []], ['subjects', 'u'], ['roleRef.name', false]],
  },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses', namespaced: true, dnsName: true,
    body: { spec: { defaultBackend: { service: { name: 's', port: { number: 80 } } } } },
    wrong: [['spec.rules', {}], ['spec.defaultBackend.service.port.number', '80'], ['spec.tls', 'yes'], ['spec.ingressClassName', 1]],
  },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, dnsName: true,
    body: { spec: { podSelector: {} } },
    wrong: [['spec.podSelector', 'all'], ['spec.policyTypes', 'Ingress'], ['spec.ingress', {}]],
  },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', resource: 'ingressclasses', namespaced: false, dnsName: true,
    body: { spec: { controller: 'example.com/hostile' } },
    wrong: [['spec.controller', 5], ['spec', 'x']],
  },
  {
    group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true, dnsName: true,
    body: { spec: { holderIdentity: 'h' } },
    wrong: [['spec.leaseDurationSeconds', '15'], ['spec.acquireTime', 'noon'], ['spec.holderIdentity', ['h']]],
  },
  {
    group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, dnsName: true,
    body: { spec: { minAvailable: 1, selector: { matchLabels: { app: 'h' } } } },
    wrong: [['spec.minAvailable', {}], ['spec.minAvailable', true], ['spec.selector', 'app=h']],
  },
  {
    group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, dnsName: true,
    body: { value: 1000 },
    wrong: [['value', 'high'], ['value', raw('1e400')], ['value', 99999999999], ['globalDefault', 'no']],
  },
  {
    group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', namespaced: false, dnsName: true,
    body: { provisioner: 'example.com/hostile' },
    wrong: [['provisioner', 1], ['parameters', ['a']], ['allowVolumeExpansion', 'yes']],
  },
  {
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, dnsName: true,
    body: { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: 3 } },
    wrong: [['spec.maxReplicas', '3'], ['spec.scaleTargetRef', 'd'], ['spec.metrics', {}]],
  },
  {
    group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true, dnsName: true,
    body: { addressType: 'IPv4', endpoints: [] },
    wrong: [['endpoints', {}], ['addressType', 4], ['ports', 'http']],
  },
];

function prefixOf(k: Pick<KindCase, 'group' | 'version'>): string {
  return k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
}

function apiVersionOf(k: Pick<KindCase, 'group' | 'version'>): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

function collectionPath(k: KindCase, ns = NS): string {
  return `${prefixOf(k)}/${k.namespaced ? `namespaces/${ns}/` : ''}${k.resource}`;
}

function itemPath(k: KindCase, name: string, ns = NS): string {
  return `${collectionPath(k, ns)}/${name}`;
}

let serial = 0;
/** A fresh name that no deliberate write uses, so an accidental create shows in the diff. */
function freshName(): string {
  serial += 1;
  return `hostile-${serial}`;
}

function objectOf(k: KindCase, name = freshName()): Record<string, unknown> {
  return {
    apiVersion: apiVersionOf(k),
    kind: k.kind,
    metadata: { name, ...(k.namespaced ? { namespace: NS } : {}) },
    ...structuredClone(k.body),
  };
}

/** Sets a dotted path (numeric segments index arrays), creating objects on the way. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const segs = path.split('.');
  let cur: Record<string, unknown> | unknown[] = obj;
  for (const seg of segs.slice(0, -1)) {
    const key = Array.isArray(cur) ? Number(seg) : seg;
    const container = cur as Record<string | number, unknown>;
    const next = container[key];
    if (typeof next !== 'object' || next === null) container[key] = {};
    cur = container[key] as Record<string, unknown>;
  }
  const last = segs[segs.length - 1]!;
  (cur as Record<string | number, unknown>)[Array.isArray(cur) ? Number(last) : last] = value;
  return obj;
}

/** The object as JSON text with `path` set to raw (possibly invalid) JSON text. */
function withRaw(obj: Record<string, unknown>, path: string, text: string): string {
  return stringify(setPath(obj, path, raw(text)));
}

function post(k: KindCase, what: string, body: string | Buffer, extra: Partial<Hostile> = {}): Hostile {
  return { what: `${k.kind}: ${what}`, method: 'POST', path: collectionPath(k), body, ...extra };
}

// ------------------------------------------------------------------------------- the batches

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

function brokenJson(): Hostile[] {
  const out: Hostile[] = [];
  for (const k of KINDS) {
    const valid = JSON.stringify(objectOf(k));
    const cases: [string, string | Buffer][] = [
      ['truncated in half', valid.slice(0, Math.floor(valid.length / 2))],
      ['truncated by one', valid.slice(0, -1)],
      ['trailing garbage', `${JSON.stringify(objectOf(k))}garbage`],
      ['two objects', `${JSON.stringify(objectOf(k))}${JSON.stringify(objectOf(k))}`],
      ['NaN', withRaw(objectOf(k), 'metadata.generation', 'NaN')],
      ['Infinity', withRaw(objectOf(k), 'metadata.generation', 'Infinity')],
      ['single quotes', JSON.stringify(objectOf(k)).replace(/"/g, "'")],
      ['unquoted keys', JSON.stringify(objectOf(k)).replace(/"([a-zA-Z]+)":/g, '$1:')],
      ['trailing comma', JSON.stringify(objectOf(k)).replace(/}$/, ',}')],
      ['comment', `/* hi */${JSON.stringify(objectOf(k))}`],
      ['byte order mark', `\uFEFF${JSON.stringify(objectOf(k))}`],
      ['raw NUL byte in a string', JSON.stringify(objectOf(k)).replace('"metadata"', '"meta\u0000data"')],
      ['bad escape', JSON.stringify(objectOf(k)).replace('"metadata"', '"meta\\qdata"')],
      // Go's decoder turns these into U+FFFD, which only DNS names refuse.
      ...(k.dnsName ? ([['lone surrogate escape in name', withRaw(objectOf(k), 'metadata.name', '"a\\ud800b"')]] as [string, string][]) : []),
      ['deeply nested arrays (10,000) as the body', nested(10_000)],
      ['deeply nested arrays (100,000) as the body', nested(100_000)],
      ['deeply nested arrays (10,000) in metadata.labels', withRaw(objectOf(k), 'metadata.labels', nested(10_000))],
      ['deeply nested arrays (10,000) in an unknown field', withRaw(objectOf(k), 'hostileUnknown', nested(10_000))],
      ['deeply nested arrays (100,000) in an unknown field', withRaw(objectOf(k), 'hostileUnknown', nested(100_000))],
      ['deeply nested objects (10,000) in metadata.annotations', withRaw(objectOf(k), 'metadata.annotations', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000))],
      ['huge number as generation', withRaw(objectOf(k), 'metadata.generation', '1e400')],
      ['900-digit number as generation', withRaw(objectOf(k), 'metadata.generation', '9'.repeat(900))],
      ['huge number as deletionGracePeriodSeconds', withRaw(objectOf(k), 'metadata.deletionGracePeriodSeconds', '123456789012345678901234567890')],
      ['null body', 'null'],
      ['array body', '[]'],
      ['string body', '"hello"'],
      ['number body', '42'],
      ['whitespace body', '   \n\t '],
      ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b, 0x22, 0x80, 0x81])],
      ...(k.dnsName ? ([['invalid UTF-8 in the name', Buffer.from(JSON.stringify(objectOf(k)).replace(/"name":"([^"]*)"/, '"name":"$1\u00ff\u00fe"'), 'latin1')]] as [string, Buffer][]) : []),
    ];
    for (const [what, body] of cases) out.push(post(k, what, body));
  }
  return out;
}

function wrongTypes(): Hostile[] {
  const out: Hostile[] = [];
  const generic: [string, unknown][] = [
    ['metadata', []], ['metadata', 'x'], ['metadata', 1], ['metadata', true],
    ['metadata.name', 42], ['metadata.name', true], ['metadata.name', {}], ['metadata.name', ['a']],
    ['metadata.labels', ['a=b']], ['metadata.labels', 'a=b'], ['metadata.labels.a', 1], ['metadata.labels.a', { b: 'c' }], ['metadata.labels.a', false],
    ['metadata.annotations', ['x']], ['metadata.annotations.a', true], ['metadata.annotations.a', 1.5],
    ['metadata.finalizers', 'x'], ['metadata.finalizers', [1]], ['metadata.ownerReferences', {}], ['metadata.ownerReferences', [{ uid: 5 }]],
    ['metadata.generateName', 5], ['metadata.creationTimestamp', 'yesterday'], ['metadata.creationTimestamp', 12], ['metadata.deletionGracePeriodSeconds', 'x'],
    ['metadata.uid', 7], ['metadata.resourceVersion', 3], ['metadata.generation', 'one'], ['metadata.managedFields', {}],
    ['apiVersion', 5], ['apiVersion', ['v1']], ['kind', 5], ['kind', { k: 'v' }],
  ];
  for (const k of KINDS) {
    for (const [path, value] of [...generic, ...k.wrong, ...(k.namespaced ? ([['metadata.namespace', 7]] as [string, unknown][]) : [])]) {
      out.push(post(k, `${path} = ${stringify(value)}`, stringify(setPath(objectOf(k), path, value))));
    }
  }
  return out;
}

function kindsAndVersions(): Hostile[] {
  const out: Hostile[] = [];
  for (const [i, k] of KINDS.entries()) {
    const other = KINDS[(i + 7) % KINDS.length]!;
    out.push(post(k, `kind of another resource (${other.kind})`, JSON.stringify({ ...objectOf(k), kind: other.kind })));
    if (apiVersionOf(other) !== apiVersionOf(k)) {
      out.push(post(k, `apiVersion of another group (${apiVersionOf(other)})`, JSON.stringify({ ...objectOf(k), apiVersion: apiVersionOf(other) })));
    }
    out.push(post(k, `whole ${other.kind} object sent here`, JSON.stringify(objectOf(other))));
    out.push(post(k, 'unknown kind', JSON.stringify({ ...objectOf(k), kind: 'HostileThing' })));
    out.push(post(k, 'lower-case kind', JSON.stringify({ ...objectOf(k), kind: k.kind.toLowerCase() })));
    out.push(post(k, 'unknown version in body', JSON.stringify({ ...objectOf(k), apiVersion: k.group ? `${k.group}/v9` : 'v9' })));
    out.push(post(k, 'unknown group in body', JSON.stringify({ ...objectOf(k), apiVersion: 'hostile.example.com/v1' })));
    out.push(post(k, 'apiVersion with extra slash', JSON.stringify({ ...objectOf(k), apiVersion: `a/${apiVersionOf(k)}` })));
    out.push(post(k, 'kind List', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [objectOf(k)] })));
    out.push(post(k, 'kind Status', JSON.stringify({ apiVersion: 'v1', kind: 'Status', metadata: { name: freshName() } })));
    const unknownVersion = { ...k, version: 'v9' };
    out.push({ what: `${k.kind}: unknown version in path`, method: 'POST', path: collectionPath(unknownVersion), body: JSON.stringify(objectOf(k)), expect: 404 });
    out.push({ what: `${k.kind}: GET unknown version in path`, method: 'GET', path: collectionPath(unknownVersion), expect: 404 });
    out.push({ what: `${k.kind}: unknown resource in path`, method: 'POST', path: collectionPath({ ...k, resource: `${k.resource}x` }), body: JSON.stringify(objectOf(k)), expect: 404 });
    out.push({ what: `${k.kind}: GET singular resource name in path`, method: 'GET', path: collectionPath({ ...k, resource: k.kind.toLowerCase() }), expect: 404 });
    out.push({ what: `${k.kind}: kind instead of resource in path`, method: 'GET', path: collectionPath({ ...k, resource: k.kind }), expect: 404 });
    // Namespaced path for a cluster-scoped resource and the other way round.
    if (k.namespaced) {
      out.push({ what: `${k.kind}: create at cluster scope`, method: 'POST', path: `${prefixOf(k)}/${k.resource}`, body: JSON.stringify(objectOf(k)) });
      out.push({ what: `${k.kind}: GET item at cluster scope`, method: 'GET', path: `${prefixOf(k)}/${k.resource}/${TARGET}`, expect: 404 });
      out.push({ what: `${k.kind}: DELETE item at cluster scope`, method: 'DELETE', path: `${prefixOf(k)}/${k.resource}/${TARGET}` });
    } else {
      out.push({ what: `${k.kind}: create under a namespace`, method: 'POST', path: `${prefixOf(k)}/namespaces/${NS}/${k.resource}`, body: JSON.stringify(objectOf(k)), expect: 404 });
      out.push({ what: `${k.kind}: list under a namespace`, method: 'GET', path: `${prefixOf(k)}/namespaces/${NS}/${k.resource}`, expect: 404 });
    }
  }
  const gone = [
    '/api/v2/pods', '/api/v2/namespaces/default/pods', '/apis/apps/v2/deployments', '/apis/apps/v1beta9/namespaces/default/deployments',
    '/apis/hostile.example.com/v1/things', '/apis/hostile.example.com/v1/namespaces/default/things', '/api/v1/hostilethings',
    '/api/v1/namespaces/default/hostilethings', '/api/v1/namespaces/default/hostilethings/x', '/apis/hostile', '/apis/apps/v1/hostile',
    '/apis/extensions/v1beta1/podsecuritypolicies', '/apis/batch/v2alpha1/cronjobs', '/apis/policy/v1beta1/podsecuritypolicies',
    '/api/v1/componentstatuses/hostile', '/api/v1/namespaces/default/pods/x/hostilesub', '/api/v1/namespaces/default/configmaps/x/status',
    '/api/v1/nodes/x/hostilesub', '/apis/apps/v1/namespaces/default/deployments/x/hostilesub', '/api/v1/namespaces/default/pods/x/status/extra',
  ];
  for (const path of gone) {
    out.push({ what: 'unknown path', method: 'GET', path, expect: 404 });
    out.push({ what: 'unknown path (POST)', method: 'POST', path, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: freshName() } }) });
  }
  return out;
}

function hugeBodies(): Hostile[] {
  const cm = KINDS.find((k) => k.kind === 'ConfigMap')!;
  const big = (bytes: number): string => JSON.stringify({ ...objectOf(cm), data: { big: 'x'.repeat(bytes) } });
  const four = big(4 * MiB);
  const two = big(2 * MiB);
  return [
    { what: 'ConfigMap: 4 MiB body', method: 'POST', path: collectionPath(cm), body: four, expect: 413 },
    { what: 'ConfigMap: 4 MiB body, chunked', method: 'POST', path: collectionPath(cm), body: four, chunked: true, expect: 413 },
    { what: 'ConfigMap: 4 MiB of garbage', method: 'POST', path: collectionPath(cm), body: Buffer.alloc(4 * MiB, 0x41), expect: 413 },
    { what: 'ConfigMap: 2 MiB valid object (object too large)', method: 'POST', path: collectionPath(cm), body: two, expect: 413 },
    { what: 'ConfigMap: 2 MiB valid object, chunked', method: 'POST', path: collectionPath(cm), body: two, chunked: true, expect: 413 },
    { what: 'ConfigMap: 2 MiB update of the target', method: 'PUT', path: itemPath(cm, TARGET), body: JSON.stringify({ ...objectOf(cm, TARGET), data: { big: 'x'.repeat(2 * MiB) } }), expect: 413 },
    { what: 'ConfigMap: 4 MiB merge patch of the target', method: 'PATCH', path: itemPath(cm, TARGET), headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { big: 'x'.repeat(4 * MiB) } }), expect: 413 },
    { what: 'ConfigMap: 2 MiB merge patch of the target', method: 'PATCH', path: itemPath(cm, TARGET), headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { big: 'x'.repeat(2 * MiB) } }), expect: 413 },
    { what: 'ConfigMap: 4 MiB YAML', method: 'POST', path: collectionPath(cm), headers: { 'content-type': 'application/yaml' }, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\ndata:\n  big: ${'x'.repeat(4 * MiB)}\n`, expect: 413 },
    // Only the headers: the server must answer without waiting for a gigabyte. The connection
    // cannot be reused afterwards, hence `connection: close`.
    { what: 'ConfigMap: content-length claims 1 GiB', method: 'POST', path: collectionPath(cm), headers: { 'content-length': String(1024 * MiB), connection: 'close' }, expect: 413 },
  ];
}

function selectorsAndParams(): Hostile[] {
  const out: Hostile[] = [];
  const listed = KINDS.filter((k) => ['Pod', 'ConfigMap', 'Secret', 'Service', 'Deployment', 'Namespace', 'Node', 'Job', 'Role', 'Ingress', 'Lease', 'PriorityClass'].includes(k.kind));
  const badLabels = ['a in (', '!', '=x', 'a in (b', 'a notin', 'a==b==c', 'a=b=c', 'a!', 'a in b', '!a=b', 'key with space=x', 'a=(b)', 'x/y/z=1', `a=${'v'.repeat(64)}`, `${'k'.repeat(64)}=v`, ',,', 'a>', 'a<b', 'a,!', 'a=\u0000', 'a=b\u0001'];
  const badFields = ['spec.bogus=x', 'metadata.labels=x', 'metadata.name in (a)', 'a', '=x', 'metadata.name!', 'data.a=b', 'status.bogus=1', 'metadata.name=a,spec.hostile=b', 'metadata.annotations.a=b'];
  const enc = encodeURIComponent;
  for (const k of listed) {
    const base = collectionPath(k);
    for (const s of badLabels) out.push({ what: `${k.kind}: list with labelSelector ${JSON.stringify(s)}`, method: 'GET', path: `${base}?labelSelector=${enc(s)}`, expect: 400 });
    for (const s of badFields) out.push({ what: `${k.kind}: list with fieldSelector ${JSON.stringify(s)}`, method: 'GET', path: `${base}?fieldSelector=${enc(s)}`, expect: 400 });
    out.push({ what: `${k.kind}: watch with bad labelSelector`, method: 'GET', path: `${base}?watch=true&labelSelector=${enc('a in (')}`, expect: 400 });
    out.push({ what: `${k.kind}: watch with unsupported fieldSelector`, method: 'GET', path: `${base}?watch=true&fieldSelector=${enc('spec.bogus=x')}`, expect: 400 });
    const params: [string, number | undefined][] = [
      ['limit=-1', undefined], ['limit=abc', 400], ['limit=1.5', 400], ['limit=99999999999999999999', 400], ['resourceVersion=abc', 400],
      ['resourceVersion=-1', undefined], ['resourceVersion=1e3', undefined], ['resourceVersionMatch=Bogus&resourceVersion=0', 422], ['resourceVersionMatch=Exact', 422],
      ['timeoutSeconds=x', 400], ['timeoutSeconds=1.5', 400], ['watch=maybe', 400], ['watch=true&timeoutSeconds=x', 400], ['watch=true&resourceVersion=abc', undefined],
      ['allowWatchBookmarks=perhaps&watch=true', 400], ['sendInitialEvents=true', 422], ['sendInitialEvents=sure&watch=true', 400],
      ['continue=garbage', 400], ['continue=%25%25%25', 400], [`continue=${enc(Buffer.from('not json').toString('base64'))}`, 400],
      [`continue=${enc(Buffer.from('{"v":"meta.k8s.io/v1","rv":-5,"start":"x"}').toString('base64'))}`, 400],
      [`continue=${enc(Buffer.from('{"v":"hostile/v0","rv":1,"start":"x"}').toString('base64'))}`, 400],
      [`continue=${enc(Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"../../etc"}').toString('base64'))}`, 400],
      [`continue=${enc(Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"x"}').toString('base64'))}&resourceVersion=5`, 400],
      [`continue=${enc(Buffer.from('{"v":"meta.k8s.io/v1","rv":"abc","start":"x"}').toString('base64'))}`, 400],
    ];
    for (const [q, expect] of params) out.push({ what: `${k.kind}: list with ${q}`, method: 'GET', path: `${base}?${q}`, expect });
    out.push({ what: `${k.kind}: get item with resourceVersion=abc`, method: 'GET', path: `${itemPath(k, TARGET)}?resourceVersion=abc` });
    out.push({ what: `${k.kind}: create with dryRun=Some`, method: 'POST', path: `${base}?dryRun=Some`, body: JSON.stringify(objectOf(k)), expect: 400 });
    out.push({ what: `${k.kind}: create with dryRun=All&dryRun=Some`, method: 'POST', path: `${base}?dryRun=All&dryRun=Some`, body: JSON.stringify(objectOf(k)), expect: 400 });
    out.push({ what: `${k.kind}: create with fieldValidation=Loose`, method: 'POST', path: `${base}?fieldValidation=Loose`, body: JSON.stringify(objectOf(k)), expect: 400 });
    out.push({ what: `${k.kind}: create with fieldManager of 200 characters`, method: 'POST', path: `${base}?dryRun=All&fieldManager=${'m'.repeat(200)}`, body: JSON.stringify(objectOf(k)), expect: 422 });
    out.push({ what: `${k.kind}: create with a control character in fieldManager`, method: 'POST', path: `${base}?dryRun=All&fieldManager=a%01b`, body: JSON.stringify(objectOf(k)), expect: 422 });
    out.push({ what: `${k.kind}: strict create with an unknown field`, method: 'POST', path: `${base}?fieldValidation=Strict`, body: JSON.stringify({ ...objectOf(k), hostileUnknown: 1 }), expect: 400 });
    out.push({ what: `${k.kind}: strict create with a duplicate field`, method: 'POST', path: `${base}?fieldValidation=Strict`, body: JSON.stringify(objectOf(k)).replace(/}$/, ',"kind":"' + k.kind + '"}'), expect: 400 });
    // Delete options against an object that does not exist: whatever is checked first, 4xx.
    for (const q of ['gracePeriodSeconds=-5', 'gracePeriodSeconds=abc', 'propagationPolicy=Sometimes', 'dryRun=Some', 'orphanDependents=perhaps']) {
      out.push({ what: `${k.kind}: delete missing object with ${q}`, method: 'DELETE', path: `${itemPath(k, freshName())}?${q}` });
    }
  }
  // Delete options against the real target: upstream refuses before deleting anything.
  const cm = KINDS.find((k) => k.kind === 'ConfigMap')!;
  const target = itemPath(cm, TARGET);
  const deletes: [string, string | undefined, number | undefined][] = [
    ['propagationPolicy=Sometimes', undefined, 422], ['dryRun=Some', undefined, 400], ['gracePeriodSeconds=abc', undefined, 400],
    ['propagationPolicy=Orphan&orphanDependents=true', undefined, 422], ['', '[1]', 400], ['', '"x"', 400], ['', '{"gracePeriodSeconds":"x"}', 400],
    ['', '{"kind":"Pod","apiVersion":"v1"}', undefined], ['', '{"propagationPolicy":"Sometimes"}', 422], ['', '{"preconditions":{"uid":"not-the-uid"}}', 409],
    ['', '{"preconditions":{"resourceVersion":"1"}}', 409], ['', '{"dryRun":["Some"]}', 400], ['', '{"gracePeriodSeconds":1e400}', 400], ['', '{broken', 400],
  ];
  for (const [q, body, expect] of deletes) {
    out.push({ what: `ConfigMap: delete target with ${q || body}`, method: 'DELETE', path: q ? `${target}?${q}` : target, body, expect });
  }
  // Deletecollection with a selector that does not parse must not delete anything.
  for (const s of ['a in (', '!', '=x']) {
    out.push({ what: `ConfigMap: deletecollection with labelSelector ${JSON.stringify(s)}`, method: 'DELETE', path: `${collectionPath(cm)}?labelSelector=${enc(s)}`, expect: 400 });
  }
  out.push({ what: 'ConfigMap: deletecollection with fieldSelector spec.bogus', method: 'DELETE', path: `${collectionPath(cm)}?fieldSelector=spec.bogus%3Dx`, expect: 400 });
  out.push({ what: 'ConfigMap: deletecollection with dryRun=Some', method: 'DELETE', path: `${collectionPath(cm)}?dryRun=Some`, expect: 400 });
  out.push({ what: 'ConfigMap: deletecollection with propagationPolicy=Sometimes', method: 'DELETE', path: `${collectionPath(cm)}?propagationPolicy=Sometimes`, expect: 422 });
  out.push({ what: 'Namespace: deletecollection (not a verb of namespaces)', method: 'DELETE', path: '/api/v1/namespaces', expect: 405 });
  return out;
}

function badNames(): Hostile[] {
  const out: Hostile[] = [];
  const everywhere = ['..', '.', 'a/b', 'a%b', ''];
  const dns = ['UPPER', 'a'.repeat(300), 'a b', '-start', 'end-', 'a_b', 'ünïcødé', '日本', 'a\u0000b', 'a\nb', '😀', 'a.-b'];
  for (const k of KINDS) {
    for (const name of [...everywhere, ...(k.dnsName ? dns : [])]) {
      out.push(post(k, `create named ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name)}`, JSON.stringify(objectOf(k, name))));
    }
    out.push(post(k, 'generateName with a slash', JSON.stringify({ ...objectOf(k), metadata: { generateName: 'a/b-', ...(k.namespaced ? { namespace: NS } : {}) } })));
    // Path-segment names (RBAC) take any prefix; upstream cuts it to 58 characters.
    if (k.dnsName) out.push(post(k, 'generateName of 300 characters', JSON.stringify({ ...objectOf(k), metadata: { generateName: `${'g'.repeat(300)}-`, ...(k.namespaced ? { namespace: NS } : {}) } })));
    if (k.namespaced) {
      out.push(post(k, 'namespace in body differs from the path', JSON.stringify(setPath(objectOf(k), 'metadata.namespace', 'default')), { expect: 400 }));
      out.push({ what: `${k.kind}: create in a namespace that does not exist`, method: 'POST', path: collectionPath(k, 'hostile-missing'), body: JSON.stringify(setPath(objectOf(k), 'metadata.namespace', 'hostile-missing')), expect: 404 });
      out.push({ what: `${k.kind}: create in namespace "UPPER"`, method: 'POST', path: collectionPath(k, 'UPPER'), body: JSON.stringify(setPath(objectOf(k), 'metadata.namespace', 'UPPER')) });
    }
    // Bad names in the path: nothing is found (or the name is refused).
    for (const seg of ['UPPER', 'a'.repeat(300), '%2e%2e', '%00', 'a%20b', '%C3%BC', '%ff%fe', '%E2%80%AE', '~', "'", '%22']) {
      out.push({ what: `${k.kind}: get ${seg.slice(0, 20)}`, method: 'GET', path: itemPath(k, seg) });
    }
    // Name in the body differs from the path.
    out.push({ what: `${k.kind}: update with a different name in the body`, method: 'PUT', path: itemPath(k, TARGET), body: JSON.stringify({ ...objectOf(k), metadata: { name: freshName(), resourceVersion: '1', ...(k.namespaced ? { namespace: NS } : {}) } }), expect: 400 });
  }
  return out;
}

function pathTricks(): Hostile[] {
  const paths = [
    '/api/v1/namespaces/../../etc', '/api/v1/namespaces/../../etc/passwd', '/api/v1/namespaces/%2e%2e/%2e%2e/etc', '/api/v1/namespaces/default/configmaps/..',
    '/api/v1/namespaces/default/configmaps/%2e%2e', '/api/v1/namespaces/default/configmaps/.', '/api/v1/namespaces//configmaps', '//api/v1/namespaces',
    '/api//v1/namespaces', '/api/v1/namespaces/default/configmaps//', '/api/v1/namespaces/default%2fconfigmaps', '/api/v1/namespaces/default/configmaps/a%2fb',
    '/api/v1/namespaces/default/configmaps/a%2Fb/c', '/api/v1/namespaces/%2F/configmaps', '/api%2fv1/namespaces', '/api/v1/namespaces/default/configmaps/%',
    '/api/v1/namespaces/default/configmaps/%zz', '/api/v1/namespaces/default/configmaps/%00', '/api/v1/namespaces/%00/configmaps/x',
    `/api/v1/namespaces/default/configmaps/${'a'.repeat(8000)}`, `/api/v1/namespaces/${'n'.repeat(4000)}/configmaps/x`,
    `/api/v1/${'x/'.repeat(2000)}`, `/apis/${'g'.repeat(3000)}/v1/things`, '/api/v1/namespaces/default/pods/x/log/../../../secrets',
    '/api/v1/namespaces/default/pods/x/bogus', '/api/v1/namespaces/default/configmaps/x/y/z/w', '/api/v1/namespaces/default/watch',
    '/api/v1/watch/namespaces/default/configmaps/x/status', '/api/v1/namespaces/kube-system/services/x/proxy/../../../secrets',
    '/api/v1/namespaces/default/configmaps/x/finalize', '/api/v1/namespaces/hostile-missing/status', '/api/v1/namespaces/hostile-missing/finalize',
    '/apis/apps/v1/namespaces/default/deployments/x/scale/extra', '/api/v1/namespaces/default/configmaps;x', '/api/v1/namespaces/default/configmaps/x;y=z',
    '/api/v1/namespaces/default/configmaps/x#frag', '/api/v1/namespaces/default/configmaps/%u0041', '/api/v1/namespaces/default/configmaps/%E0%80%AE',
    '/api/v1/namespaces/default/configmaps/%C3%A9', '/api/v1/namespaces/default/configmaps/x?%zz=1',
  ];
  const out: Hostile[] = [];
  for (const path of paths) {
    out.push({ what: 'path trick', method: 'GET', path });
    out.push({ what: 'path trick (DELETE)', method: 'DELETE', path });
    out.push({ what: 'path trick (PUT)', method: 'PUT', path, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }) });
  }
  // Longer than Node's default 16 KiB header limit (Go's is 1 MiB): still a Status, not a bare 431.
  for (const size of [20_000, 100_000]) {
    out.push({ what: `path of ${size} characters`, method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps/${'a'.repeat(size)}`, headers: { connection: 'close' } });
  }
  // The proxy-like sub-paths must not reach anything either (no pods, no nodes here).
  out.push({ what: 'node proxy of a missing node', method: 'GET', path: '/api/v1/nodes/hostile-missing/proxy/etc/passwd', expect: 404 });
  out.push({ what: 'pod log of a missing pod', method: 'GET', path: `/api/v1/namespaces/${NS}/pods/hostile-missing/log`, expect: 404 });
  out.push({ what: 'pod exec of a missing pod', method: 'POST', path: `/api/v1/namespaces/${NS}/pods/hostile-missing/exec?command=sh`, expect: 404 });
  return out;
}

function methodsAndPatches(): Hostile[] {
  const out: Hostile[] = [];
  const cm = KINDS.find((k) => k.kind === 'ConfigMap')!;
  const target = itemPath(cm, TARGET);
  for (const k of KINDS) {
    out.push({ what: `${k.kind}: PUT on the collection`, method: 'PUT', path: collectionPath(k), body: JSON.stringify(objectOf(k)), expect: 405 });
    out.push({ what: `${k.kind}: PATCH on the collection`, method: 'PATCH', path: collectionPath(k), headers: { 'content-type': 'application/merge-patch+json' }, body: '{}', expect: 405 });
    out.push({ what: `${k.kind}: POST on an item`, method: 'POST', path: itemPath(k, freshName()), body: JSON.stringify(objectOf(k)), expect: 405 });
    out.push({ what: `${k.kind}: OPTIONS`, method: 'OPTIONS', path: collectionPath(k) });
    out.push({ what: `${k.kind}: TRACE`, method: 'TRACE', path: collectionPath(k) });
    out.push({ what: `${k.kind}: PROPFIND`, method: 'PROPFIND', path: itemPath(k, TARGET) });
    for (const ct of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'image/png']) {
      out.push({ what: `${k.kind}: create as ${ct}`, method: 'POST', path: collectionPath(k), headers: { 'content-type': ct }, body: JSON.stringify(objectOf(k)), expect: 415 });
    }
    out.push({ what: `${k.kind}: create asking for image/png`, method: 'POST', path: collectionPath(k), headers: { accept: 'image/png' }, body: JSON.stringify(setPath(objectOf(k), 'metadata.name', 'UPPER')) });
    out.push({ what: `${k.kind}: get asking for text/html`, method: 'GET', path: collectionPath(k), headers: { accept: 'text/html' }, expect: 406 });
    out.push({ what: `${k.kind}: empty create body`, method: 'POST', path: collectionPath(k), body: '' });
    out.push({ what: `${k.kind}: empty create body, chunked`, method: 'POST', path: collectionPath(k), body: '', chunked: true });
    out.push({ what: `${k.kind}: "{}" create body`, method: 'POST', path: collectionPath(k), body: '{}' });
    out.push({ what: `${k.kind}: no body, no content type`, method: 'POST', path: collectionPath(k) });
  }
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
  for (const ct of ['text/plain', 'application/json', 'application/xml', 'application/yaml', 'application/json-patch', 'application/merge-patch', 'application/patch+json', '', 'application/apply-patch+json']) {
    out.push({ what: `PATCH as ${JSON.stringify(ct)}`, method: 'PATCH', path: target, headers: { 'content-type': ct }, body: '{"data":{"hostile":"yes"}}', expect: 415 });
  }
  for (const ct of patchTypes) {
    for (const [what, body] of [['empty body', ''], ['broken JSON', '{"data":'], ['null', 'null'], ['number', '5'], ['string', '"x"'], ['nested 10,000', nested(10_000)], ['trailing garbage', '{}x']] as const) {
      out.push({ what: `${ct}: ${what}`, method: 'PATCH', path: target, headers: { 'content-type': ct }, body });
    }
  }
  const jsonPatches: [string, unknown][] = [
    ['unknown op', [{ op: 'bogus', path: '/data/a' }]],
    ['op missing', [{ path: '/data/a', value: 'x' }]],
    ['path missing', [{ op: 'add', value: 'x' }]],
    ['path without leading slash', [{ op: 'add', path: 'data/x', value: 'y' }]],
    ['value missing for add', [{ op: 'add', path: '/data/b' }]],
    ['remove a missing key', [{ op: 'remove', path: '/data/hostile-missing' }]],
    ['replace a missing key', [{ op: 'replace', path: '/data/hostile-missing', value: 'x' }]],
    ['move from a missing path', [{ op: 'move', from: '/data/hostile-missing', path: '/data/x' }]],
    ['copy from a missing path', [{ op: 'copy', from: '/nope/nope', path: '/data/x' }]],
    ['test fails', [{ op: 'test', path: '/data/a', value: 'not-b' }, { op: 'add', path: '/data/hostile', value: 'yes' }]],
    ['test on a missing path', [{ op: 'test', path: '/data/hostile-missing', value: 'x' }]],
    ['add then test fails', [{ op: 'add', path: '/data/hostile', value: 'yes' }, { op: 'test', path: '/data/a', value: 'zzz' }]],
    ['index into an object', [{ op: 'add', path: '/data/a/0', value: 'x' }]],
    ['array index out of range', [{ op: 'add', path: '/metadata/finalizers/5', value: 'x' }]],
    ['array index "-1"', [{ op: 'add', path: '/metadata/finalizers/-1', value: 'x' }]],
    ['data replaced by a number', [{ op: 'replace', path: '/data', value: 5 }]],
    ['data value replaced by an object', [{ op: 'replace', path: '/data/a', value: { b: 1 } }]],
    ['metadata replaced by an array', [{ op: 'replace', path: '/metadata', value: [] }]],
    ['rename the object', [{ op: 'replace', path: '/metadata/name', value: 'hostile-renamed' }]],
    ['move the namespace', [{ op: 'replace', path: '/metadata/namespace', value: 'default' }]],
    ['change the uid', [{ op: 'replace', path: '/metadata/uid', value: 'hostile-uid' }]],
    ['stale resourceVersion', [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }, { op: 'add', path: '/data/hostile', value: 'yes' }]],
    ['bad resourceVersion', [{ op: 'replace', path: '/metadata/resourceVersion', value: 'abc' }, { op: 'add', path: '/data/hostile', value: 'yes' }]],
    ['change the kind', [{ op: 'replace', path: '/kind', value: 'Secret' }]],
    ['change the apiVersion', [{ op: 'replace', path: '/apiVersion', value: 'apps/v1' }]],
    ['bad label key', [{ op: 'add', path: '/metadata/labels', value: { 'bad key!': 'x' } }]],
    ['remove the whole document', [{ op: 'remove', path: '' }]],
    ['replace the whole document with null', [{ op: 'replace', path: '', value: null }]],
    ['op of wrong type', [{ op: 5, path: '/data/a' }]],
    ['path of wrong type', [{ op: 'add', path: ['data'], value: 'x' }]],
    ['patch is an object', { op: 'add', path: '/data/x', value: 'y' }],
    ['operation is a string', ['add /data/x']],
    ['escape sequence ~2', [{ op: 'add', path: '/data/a~2b', value: 'x' }]],
  ];
  for (const [what, patch] of jsonPatches) {
    out.push({ what: `json-patch: ${what}`, method: 'PATCH', path: target, headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify(patch) });
  }
  const mergePatches: [string, unknown][] = [
    ['array', []], ['name as a number', { metadata: { name: 5 } }], ['rename', { metadata: { name: 'hostile-renamed' } }], ['namespace change', { metadata: { namespace: 'default' } }],
    ['data as a list', { data: ['a'] }], ['data value as a number', { data: { a: 1 } }], ['labels as a list', { metadata: { labels: ['x'] } }],
    ['bad label', { metadata: { labels: { 'bad key!': 'v' } } }], ['stale resourceVersion', { metadata: { resourceVersion: '1' }, data: { hostile: 'yes' } }],
    ['bad resourceVersion', { metadata: { resourceVersion: 'abc' }, data: { hostile: 'yes' } }], ['kind change', { kind: 'Secret' }], ['apiVersion change', { apiVersion: 'v9' }],
    ['uid change', { metadata: { uid: 'hostile' } }], ['metadata as a string', { metadata: 'x' }], ['creationTimestamp garbage', { metadata: { creationTimestamp: 'yesterday' } }],
  ];
  for (const ct of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
    for (const [what, patch] of mergePatches) {
      out.push({ what: `${ct}: ${what}`, method: 'PATCH', path: target, headers: { 'content-type': ct }, body: JSON.stringify(patch) });
    }
  }
  out.push({ what: 'strategic merge patch: bad $patch directive', method: 'PATCH', path: target, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"$patch":"explode"}' });
  out.push({ what: 'strategic merge patch: bad $retainKeys', method: 'PATCH', path: target, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"data":{"$retainKeys":"a"}}' });
  out.push({ what: 'apply patch without fieldManager', method: 'PATCH', path: target, headers: { 'content-type': 'application/apply-patch+yaml' }, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${TARGET}\ndata:\n  hostile: "yes"\n`, expect: 422 });
  out.push({ what: 'apply patch with a broken body', method: 'PATCH', path: `${target}?fieldManager=hostile`, headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'a: [\n' });
  out.push({ what: 'apply patch renaming the object', method: 'PATCH', path: `${target}?fieldManager=hostile`, headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hostile-other\n' });
  out.push({ what: 'patch of a missing object', method: 'PATCH', path: itemPath(cm, freshName()), headers: { 'content-type': 'application/merge-patch+json' }, body: '{"data":{"a":"b"}}', expect: 404 });
  out.push({ what: 'patch with dryRun=Some', method: 'PATCH', path: `${target}?dryRun=Some`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"data":{"hostile":"yes"}}', expect: 400 });
  out.push({ what: 'patch with fieldValidation=Loose', method: 'PATCH', path: `${target}?fieldValidation=Loose`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"data":{"hostile":"yes"}}', expect: 400 });
  out.push({ what: 'strict patch with an unknown field', method: 'PATCH', path: `${target}?fieldValidation=Strict`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"hostileUnknown":1}', expect: 400 });
  // Updates of the target that upstream refuses.
  const puts: [string, unknown, number | undefined][] = [
    ['stale resourceVersion', { ...objectOf(cm, TARGET), metadata: { name: TARGET, namespace: NS, resourceVersion: '1' }, data: { hostile: 'yes' } }, 409],
    ['resourceVersion abc', { ...objectOf(cm, TARGET), metadata: { name: TARGET, namespace: NS, resourceVersion: 'abc' }, data: { hostile: 'yes' } }, undefined],
    ['wrong kind', { ...objectOf(cm, TARGET), kind: 'Secret' }, 400],
    ['data as a list', { ...objectOf(cm, TARGET), data: ['a'] }, 400],
    ['uid mismatch', { ...objectOf(cm, TARGET), metadata: { name: TARGET, namespace: NS, uid: 'hostile-uid' }, data: { hostile: 'yes' } }, 409],
    ['namespace in body differs', { ...objectOf(cm, TARGET), metadata: { name: TARGET, namespace: 'default' }, data: { hostile: 'yes' } }, 400],
  ];
  for (const [what, body, expect] of puts) out.push({ what: `update target: ${what}`, method: 'PUT', path: target, body: JSON.stringify(body), expect });
  out.push({ what: 'update target: empty body', method: 'PUT', path: target, body: '' });
  out.push({ what: 'update target: null body', method: 'PUT', path: target, body: 'null' });
  out.push({ what: 'update target: as text/plain', method: 'PUT', path: target, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(objectOf(cm, TARGET)), expect: 415 });
  out.push({ what: 'status of a configmap', method: 'PUT', path: `${target}/status`, body: JSON.stringify(objectOf(cm, TARGET)), expect: 404 });
  return out;
}

function yamlAndUnicode(): Hostile[] {
  const cm = KINDS.find((k) => k.kind === 'ConfigMap')!;
  const path = collectionPath(cm);
  const yaml = (what: string, body: string, expect?: number): Hostile => ({ what: `YAML: ${what}`, method: 'POST', path, headers: { 'content-type': 'application/yaml' }, body, expect });
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    laughs.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const billion = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n${laughs.join('\n')}\n`;
  const inData = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n  annotations:\n    x: &x "${'x'.repeat(64)}"\ndata:\n${laughs.map((l) => `  ${l}`).join('\n')}\n`;
  const quadratic = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n  annotations: {a: &s "${'q'.repeat(100_000)}"}\ndata:\n${Array.from({ length: 99 }, (_, i) => `  k${i}: *s`).join('\n')}\n`;
  const out: Hostile[] = [
    yaml('billion laughs at top level', billion),
    yaml('billion laughs in data', inData),
    yaml('quadratic blow-up: 99 aliases of 100 KB', quadratic),
    yaml('alias of an undefined anchor', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: *nope\n`),
    yaml('recursive alias', `apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: ${freshName()}\n  labels: *m\n`),
    yaml('unclosed flow sequence', 'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n'),
    yaml('tab indentation', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: ${freshName()}\n`),
    yaml('duplicate keys', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n  name: ${freshName()}\n`),
    yaml('python object tag', `apiVersion: v1\nkind: ConfigMap\nmetadata: !!python/object/apply:os.system ["true"]\n`),
    yaml('binary tag as name', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!binary aGVsbG8=\n`),
    yaml('scalar document', 'hello'),
    yaml('sequence document', '- a\n- b\n'),
    yaml('data as a sequence', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\ndata:\n  - a\n`),
    yaml('data value as a number', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\ndata:\n  a: 1\n`),
    yaml('name as a mapping', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {a: b}\n'),
    yaml('huge integer', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n  generation: ${'9'.repeat(500)}\n`),
    yaml('NUL byte', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\u0000b\n`),
    yaml('non-string key in data', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\ndata:\n  ? [a, b]\n  : c\n`),
    yaml('deeply nested flow sequences (10,000)', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${freshName()}\n  labels: ${nested(10_000)}\n`),
    yaml('kind of another resource', `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${freshName()}\n`),
    yaml('empty document', ''),
    yaml('only a comment', '# nothing here\n'),
    yaml('document end marker only', '...\n'),
    yaml('unknown directive', `%HOSTILE 1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: UPPER\n`),
  ];
  const uni: [string, Record<string, unknown>][] = [
    ['unicode label key', { metadata: { labels: { ключ: 'v' } } }],
    ['unicode label value', { metadata: { labels: { k: 'значение' } } }],
    ['NUL in a label value', { metadata: { labels: { k: 'a\u0000b' } } }],
    ['NUL in an annotation key', { metadata: { annotations: { 'a\u0000': 'v' } } }],
    ['right-to-left override in the name', { metadata: { name: 'abc\u202edef' } }],
    ['zero-width space in the name', { metadata: { name: 'abc\u200bdef' } }],
    ['fullwidth letters in the name', { metadata: { name: 'ａｂｃ' } }],
    ['NUL in a finalizer', { metadata: { finalizers: ['example.com/a\u0000b'] } }],
    ['emoji data key', { data: { '😀': 'x' } }],
    ['NUL in a data key', { data: { 'a\u0000b': 'x' } }],
    ['slash in a data key', { data: { 'a/b': 'x' } }],
    ['dot-dot data key', { data: { '..': 'x' } }],
    ['unicode namespace in the body', { metadata: { namespace: 'nämespace' } }],
  ];
  for (const [what, patch] of uni) {
    const obj = objectOf(cm);
    const meta = (patch as { metadata?: Record<string, unknown> }).metadata;
    const body = { ...obj, ...patch, metadata: { ...(obj.metadata as Record<string, unknown>), ...meta } };
    out.push({ what: `ConfigMap: ${what}`, method: 'POST', path, body: JSON.stringify(body) });
  }
  return out;
}

// ------------------------------------------------------------------------------- state

type Snapshot = Map<string, string>;

/** Every object of every listable resource, keyed `resource.group ns/name` → resourceVersion. */
async function snapshot(conn: Conn): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const listable = RESOURCES.filter((r) => r.verbs.includes('list') && !r.storage);
  const lists = await pool(listable, 8, async (r) => {
    const prefix = r.group ? `/apis/${r.group}/${r.versions[0]}` : `/api/${r.versions[0]}`;
    const a = await send(conn, { method: 'GET', path: `${prefix}/${r.resource}` });
    assert.equal(a.status, 200, `listing ${r.resource}.${r.group}: ${describeAnswer(a)}`);
    return { r, list: JSON.parse(a.body) as { items?: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }[] } };
  });
  for (const { r, list } of lists) {
    for (const item of list.items ?? []) {
      const m = item.metadata ?? {};
      out.set(`${r.resource}.${r.group} ${m.namespace ?? ''}/${m.name ?? ''}`, m.resourceVersion ?? '');
    }
  }
  return out;
}

function isDeliberate(key: string): boolean {
  return key.startsWith(`configmaps. ${NS}/${PROBE_PREFIX}`);
}

function diff(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [key, rv] of after) {
    if (isDeliberate(key)) continue;
    const was = before.get(key);
    if (was === undefined) out.push(`created: ${key} (rv ${rv})`);
    else if (was !== rv) out.push(`changed: ${key} (rv ${was} → ${rv})`);
  }
  for (const key of before.keys()) if (!after.has(key) && !isDeliberate(key)) out.push(`deleted: ${key}`);
  return out;
}

// ------------------------------------------------------------------------------- the suite

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

describe('API server under hostile input', { concurrency: false }, () => {
  let dataDir = '';
  let cp: ControlPlane | undefined;
  let conn: Conn;
  let initial: Snapshot;
  let probes = 0;
  const tally = new Map<string, number>();
  const wrong: string[] = [];
  let sent = 0;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-hostile-'));
    cp = new ControlPlane(
      completeServerConfig({ dataDir, httpsPort: 0, disableAgent: true, logLevel: 'silent' }),
      createLogger({ level: 'silent' }),
    );
    await cp.start();
    const kc = parseYaml(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8')) as Kubeconfig;
    const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
    conn = {
      base: new URL(kc.clusters[0]!.cluster.server),
      agent: new https.Agent({
        keepAlive: true,
        maxSockets: CONCURRENCY,
        ca: b64(kc.clusters[0]!.cluster['certificate-authority-data']),
        cert: b64(kc.users[0]!.user['client-certificate-data']),
        key: b64(kc.users[0]!.user['client-key-data']),
      }),
    };
    // Deliberate writes, all before the first snapshot: the namespace and the target object.
    const ns = await send(conn, { method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
    assert.equal(ns.status, 201, describeAnswer(ns));
    const cm = await send(conn, {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TARGET, namespace: NS, labels: { a: 'b' } }, data: { a: 'b' } }),
    });
    assert.equal(cm.status, 201, describeAnswer(cm));
    // The controllers give every namespace a `default` ServiceAccount and `kube-root-ca.crt`;
    // wait for both so they are part of the first snapshot, not "changes".
    for (const path of [`/api/v1/namespaces/${NS}/serviceaccounts/default`, `/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`]) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await send(conn, { method: 'GET', path });
        if (r.status === 200) break;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${path}: ${describeAnswer(r)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    initial = await snapshot(conn);
  });

  after(async () => {
    conn?.agent.destroy();
    try {
      await cp?.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  /** /readyz answers 200 and a valid create + get round-trips. */
  async function assertServing(): Promise<void> {
    const ready = await send(conn, { method: 'GET', path: '/readyz' });
    assert.equal(ready.status, 200, `/readyz: ${describeAnswer(ready)}`);
    probes += 1;
    const name = `${PROBE_PREFIX}${probes}`;
    const created = await send(conn, {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { probe: String(probes) } }),
    });
    assert.equal(created.status, 201, `probe create: ${describeAnswer(created)}`);
    const got = await send(conn, { method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps/${name}` });
    assert.equal(got.status, 200, `probe get: ${describeAnswer(got)}`);
    assert.equal((JSON.parse(got.body) as { data?: Record<string, string> }).data?.probe, String(probes));
  }

  async function runBatch(t: TestContext, requests: Hostile[]): Promise<void> {
    const answers = await pool(requests, CONCURRENCY, (r) => send(conn, r));
    const bad: string[] = [];
    for (const [i, r] of requests.entries()) {
      const a = answers[i]!;
      sent += 1;
      const key = a.error !== undefined ? 'no answer' : `${a.status} ${reasonOf(a)}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      const problem = problemWith(r, a);
      if (problem) bad.push(`${describeRequest(r)}\n    → ${describeAnswer(a)}\n    (${problem})`);
    }
    wrong.push(...bad);
    if (REPORT_FILE) appendFileSync(REPORT_FILE, bad.map((b) => `${b}\n`).join(''));
    t.diagnostic(`${requests.length} requests, ${bad.length} wrong answers`);
    await assertServing();
    const shown = bad.length > 40 ? [...bad.slice(0, 40), `… and ${bad.length - 40} more`] : bad;
    assert.equal(bad.length, 0, `${bad.length} of ${requests.length} answers are wrong:\n  ${shown.join('\n  ')}`);
  }

  test('the templates are valid objects (dry-run create succeeds)', async () => {
    const failures: string[] = [];
    await pool(KINDS, CONCURRENCY, async (k) => {
      const a = await send(conn, { method: 'POST', path: `${collectionPath(k)}?dryRun=All`, body: JSON.stringify(objectOf(k)) });
      if (a.status !== 201) failures.push(`${k.kind}: ${describeAnswer(a)}`);
    });
    assert.deepEqual(failures, []);
  });

  test('an encoded slash in the query is not a path trick', async () => {
    // Go's url.Values.Encode (kubectl, client-go) writes `/` in a label key as %2F.
    const a = await send(conn, { method: 'GET', path: `/api/v1/namespaces/${NS}/configmaps?labelSelector=app.kubernetes.io%2Fname%3Dhostile` });
    assert.equal(a.status, 200, describeAnswer(a));
  });

  test('broken JSON', (t) => runBatch(t, brokenJson()));
  test('wrong types for common fields across kinds', (t) => runBatch(t, wrongTypes()));
  test('unknown kinds, versions and paths; kind mismatches; wrong scope', (t) => runBatch(t, kindsAndVersions()));
  test('huge bodies', (t) => runBatch(t, hugeBodies()));
  test('bad selectors and query parameters', (t) => runBatch(t, selectorsAndParams()));
  test('bad names', (t) => runBatch(t, badNames()));
  test('path tricks', (t) => runBatch(t, pathTricks()));
  test('wrong methods, content types and patches', (t) => runBatch(t, methodsAndPatches()));
  test('YAML bombs, unicode and NUL bytes', (t) => runBatch(t, yamlAndUnicode()));

  test('the server still serves and nothing changed', async (t) => {
    await assertServing();
    const changes = diff(initial, await snapshot(conn));
    const byCount = [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
    t.diagnostic(`${sent} hostile requests; answers: ${byCount.join(', ')}`);
    t.diagnostic(`${wrong.length} wrong answers; ${changes.length} unexpected changes`);
    assert.ok(sent >= 1000, `only ${sent} hostile requests were sent`);
    assert.deepEqual(changes, [], 'only the deliberate probe writes may change storage');
  });
});
