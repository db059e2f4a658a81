#!/usr/bin/env node
// Runs the test suite with Node's own test runner.
//
//   node scripts/run-tests.mjs [unit|integration|e2e|all] [FILTER...] [--node-test-flag...]
//
// unit = src/**/*.test.ts and bench/**/*.test.ts (the benchmarks' own helpers), integration = test/integration/**/*.test.ts, e2e = test/e2e/**/*.test.ts
// (run one file at a time: they start servers). FILTERs keep only files whose path contains one
// of them; arguments starting with "--" go to `node --test` unchanged (e.g. --test-name-pattern=x).
// Node 20's --test takes no globs, so the files are found here.
//
// Each phase is one `node --test` run with the spec reporter on stdout and a TAP copy in a temp
// file, from which the counts are read. The counts of all phases are added up and printed last
// in the spec reporter's summary format (`ℹ tests N`, `ℹ pass N`, …), then one line
// `N passed, N failed[, N skipped]`; the exit code is non-zero when anything failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const PHASES = {
  unit: { dirs: ['src', 'bench'], concurrency: parallelism(), timeoutMs: 60_000 },
  integration: { dirs: ['test/integration'], concurrency: parallelism(), timeoutMs: 120_000 },
  e2e: { dirs: ['test/e2e'], concurrency: 1, timeoutMs: 300_000 },
};
const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'];

function parallelism() {
  const fromEnv = Number(process.env.K8TS_TEST_CONCURRENCY);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, availableParallelism());
}

function usage(message) {
  console.error(`${message}\nusage: node scripts/run-tests.mjs [unit|integration|e2e|all] [FILTER...] [--node-test-flag...]`);
  process.exit(2);
}

/** Every *.test.ts under dir (relative to the repository root), sorted; none when dir is absent. */
function findTests(dir) {
  let entries;
  try {
    entries = readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath ?? e.path, e.name)))
    .filter((file) => !file.split(sep).includes('node_modules'))
    .sort();
}

/** Runs one phase; resolves with its exit code and the counts from the TAP copy. */
async function runPhase(name, files, extraArgs) {
  const phase = PHASES[name];
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-tests-'));
  const tapFile = join(tmp, 'report.tap');
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${phase.concurrency}`,
    `--test-timeout=${phase.timeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...extraArgs,
    ...files,
  ];
  console.log(`\n▶ ${name}: ${files.length} file(s), concurrency ${phase.concurrency}\n`);
  try {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    return { code, counts: readCounts(tapFile) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The final `# key N` lines of a TAP report; undefined when the report is missing or cut short. */
function readCounts(tapFile) {
  let text;
  try {
    text = readFileSync(tapFile, 'utf8');
  } catch {
    return undefined;
  }
  const counts = {};
  for (const match of text.matchAll(/^# (\w+) ([\d.]+)$/gm)) {
    if (SUMMARY_KEYS.includes(match[1])) counts[match[1]] = Number(match[2]);
  }
  return 'tests' in counts ? counts : undefined;
}

async function main() {
  const args = process.argv.slice(2);
  let which = 'all';
  if (args[0] && !args[0].startsWith('--') && (args[0] === 'all' || args[0] in PHASES)) which = args.shift();
  const nodeArgs = args.filter((a) => a.startsWith('--'));
  const filters = args.filter((a) => !a.startsWith('--'));
  const phases = which === 'all' ? Object.keys(PHASES) : [which];

  const totals = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, 0]));
  let failed = false;
  let ran = 0;
  for (const name of phases) {
    let files = PHASES[name].dirs.flatMap(findTests);
    if (filters.length > 0) files = files.filter((f) => filters.some((filter) => f.includes(filter)));
    if (files.length === 0) {
      console.log(`\n▶ ${name}: no test files`);
      continue;
    }
    const { code, counts } = await runPhase(name, files, nodeArgs);
    ran++;
    if (code !== 0) failed = true;
    if (!counts) {
      console.log(`\n✖ ${name}: the test runner exited with code ${code} without a summary`);
      failed = true;
      continue;
    }
    for (const key of SUMMARY_KEYS) totals[key] += counts[key] ?? 0;
  }

  if (ran === 0 && filters.length > 0) usage(`no test files match ${filters.join(', ')}`);
  if (ran > 0) {
    // Repeated here because the spec reporter prints failure details after its own summary,
    // and several phases each print one: the totals always end the output.
    console.log(`\nsummary (${phases.join(', ')}):`);
    for (const key of SUMMARY_KEYS) {
      console.log(`ℹ ${key} ${key === 'duration_ms' ? totals[key].toFixed(3) : totals[key]}`);
    }
  }
  const bad = totals.fail + totals.cancelled;
  if (bad > 0) failed = true;
  const skipped = totals.skipped + totals.todo;
  console.log(`${totals.pass} passed, ${bad} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
