// Helpers for the kubectl write-path e2e tests: reading objects back as JSON, comparing them
// without the fields the server or the controllers change on their own, editing manifest text
// exactly where intended, and temporary manifest directories.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectl, kubectlOk } from '../harness.js';
import type { KubectlResult, Server } from '../harness.js';

export const WRITES_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A JSON object as kubectl prints it. */
export type Obj = Record<string, any>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Obj;
  subresource?: string;
}

/** `kubectl get ARGS -o json` (with managedFields when asked), parsed. */
export async function getJson(server: Server, args: string[], opts: { managedFields?: boolean } = {}): Promise<Obj> {
  const extra = opts.managedFields ? ['--show-managed-fields'] : [];
  return JSON.parse(await kubectlOk(server, ['get', ...args, '-o', 'json', ...extra])) as Obj;
}

/** Annotations that controllers (not the user's write) set on the objects these tests use. */
const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision'];

/**
 * The object without what changes on every write or by controllers: resourceVersion,
 * generation, managedFields, status, kubectl's last-applied annotation and controller
 * annotations. An empty annotations map left behind is dropped too.
 */
export function userView(obj: Obj): Obj {
  const copy = structuredClone(obj);
  const meta = (copy['metadata'] ?? {}) as Obj;
  delete meta['resourceVersion'];
  delete meta['generation'];
  delete meta['managedFields'];
  const ann = meta['annotations'] as Record<string, string> | undefined;
  if (ann) {
    delete ann[LAST_APPLIED];
    for (const a of CONTROLLER_ANNOTATIONS) delete ann[a];
    if (Object.keys(ann).length === 0) delete meta['annotations'];
  }
  delete copy['status'];
  return copy;
}

/** Asserts that `after` equals `before` with `change` applied to it (both through userView). */
export function assertOnlyChange(before: Obj, after: Obj, change: (expected: Obj) => void, message?: string): void {
  const expected = userView(before);
  change(expected);
  assert.deepEqual(userView(after), userView(expected), message);
}

/** Replaces the single occurrence of `from` in `text`; fails the test if it occurs 0 or 2+ times. */
export function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  assert.ok(first >= 0, `manifest edit: ${JSON.stringify(from)} not found`);
  assert.equal(text.indexOf(from, first + 1), -1, `manifest edit: ${JSON.stringify(from)} occurs more than once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

// Removed after the test file: `after` registered here, at import time, belongs to the file's
// root (registered inside a hook it would run as soon as that hook ends).
const tempDirs = new Set<string>();
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
});

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'k8ts-e2e-writes-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Writes `files` (name → text) into `dir` and returns the dir. */
export function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The managedFields entry of `manager` with `operation`; fails the test when absent. */
export function managedEntry(obj: Obj, manager: string, operation: 'Apply' | 'Update'): ManagedFieldsEntry {
  const entries = (obj['metadata']?.['managedFields'] ?? []) as ManagedFieldsEntry[];
  const entry = entries.find((e) => e.manager === manager && e.operation === operation);
  assert.ok(entry, `no managedFields entry ${manager}/${operation} in ${JSON.stringify(entries.map((e) => `${e.manager}/${e.operation}`))}`);
  return entry;
}

/** Whether a FieldsV1 set contains the path, given as FieldsV1 keys (`['f:spec', 'f:replicas']`). */
export function ownsPath(entry: ManagedFieldsEntry | undefined, path: string[]): boolean {
  let node: Obj | undefined = entry?.fieldsV1;
  for (const key of path) {
    if (node === undefined || !(key in node)) return false;
    node = node[key] as Obj;
  }
  return true;
}

/** Lines of kubectl's stdout, without the trailing newline. */
export function lines(result: KubectlResult | string): string[] {
  const text = typeof result === 'string' ? result : result.stdout;
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/** Runs kubectl and asserts its exit code, stdout lines and (when given) stderr; returns the result. */
export async function expectKubectl(
  server: Server,
  args: string[],
  expected: { code?: number; stdout?: string[]; stderr?: string | RegExp },
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<KubectlResult> {
  const result = await kubectl(server, args, options);
  const shown = `kubectl ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  if (expected.stdout !== undefined) assert.deepEqual(lines(result), expected.stdout, shown);
  if (expected.stderr !== undefined) {
    if (typeof expected.stderr === 'string') assert.equal(result.stderr, expected.stderr, shown);
    else assert.match(result.stderr, expected.stderr, shown);
  }
  assert.equal(result.code, expected.code ?? 0, shown);
  return result;
}
