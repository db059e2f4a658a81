// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time
// and the most total (inclusive) time, with their source locations.
//
//   K8TS_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- creates
//   node --import tsx bench/cpuprofile.ts /tmp/prof/CPU.….cpuprofile [top=25] [--from SECONDS] [--to SECONDS]
//
// --from skips the samples of the profile's first SECONDS (e.g. a benchmark's set-up) and --to
// those after SECONDS, so the summary covers one phase of a benchmark only.

import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Entry {
  name: string;
  self: number;
  total: number;
}

/** Self and inclusive milliseconds per function (recursion counted once per sample). */
export function summarise(profile: Profile): { entries: Entry[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (f: CallFrame): string => {
    const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|src\/|dist\/)/, '$1');
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // Each sample's duration is the delta to the next sample.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    totalMs += dt;
    let id: number | undefined = profile.samples[i]!;
    const leaf = label(byId.get(id)!.callFrame);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    while (id !== undefined) {
      const l = label(byId.get(id)!.callFrame);
      if (!seen.has(l)) {
        seen.add(l);
        total.set(l, (total.get(l) ?? 0) + dt);
      }
      id = parent.get(id);
    }
  }
  const entries = [...total.keys()].map((name) => ({ name, self: self.get(name) ?? 0, total: total.get(name)! }));
  return { entries, totalMs };
}

/** The samples that start from `fromMs` until (not including) `toMs`, in ms from the profile's first sample. */
export function window(profile: Profile, fromMs: number, toMs = Infinity): Profile {
  // Sample i starts at timeDeltas[1] + … + timeDeltas[i] µs and lasts timeDeltas[i + 1].
  const first = (limitMs: number): number => {
    let t = 0;
    let i = 0;
    while (i < profile.samples.length && t < limitMs) t += (profile.timeDeltas[++i] ?? 0) / 1000;
    return i;
  };
  const start = first(fromMs);
  const end = toMs === Infinity ? profile.samples.length : first(toMs);
  return { ...profile, samples: profile.samples.slice(start, end), timeDeltas: [0, ...profile.timeDeltas.slice(start + 1, end + 1)] };
}

/** The profile without the samples taken in its first `fromMs` milliseconds. */
export function from(profile: Profile, fromMs: number): Profile {
  return window(profile, fromMs);
}

export interface Task {
  /** Start, ms from the beginning of the profile. */
  at: number;
  ms: number;
  /** Self time by the nearest project (dist/ or node_modules/) frame, largest first. */
  top: [string, number][];
}

/**
 * Event-loop tasks: maximal runs of consecutive non-idle samples. A long task is time during
 * which the server answered nothing else (a stall every queued request waits behind).
 */
export function tasks(profile: Profile): Task[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number): string => {
    // The deepest frame in the project's code or a dependency; else the leaf.
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (/\/(dist|src|node_modules)\//.test(f.url)) {
        return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/|src\/|dist\/)/, '$1')}:${f.lineNumber + 1}`;
      }
    }
    const f = byId.get(id)!.callFrame;
    return f.functionName || f.url || '(unknown)';
  };
  const out: Task[] = [];
  let t = 0;
  let cur: { at: number; ms: number; by: Map<string, number> } | undefined;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const id = profile.samples[i]!;
    const idle = byId.get(id)!.callFrame.functionName === '(idle)';
    if (idle) {
      if (cur) out.push({ at: cur.at, ms: cur.ms, top: [...cur.by].sort((a, b) => b[1] - a[1]).slice(0, 3) });
      cur = undefined;
    } else {
      cur ??= { at: t, ms: 0, by: new Map() };
      cur.ms += dt;
      const o = owner(id);
      cur.by.set(o, (cur.by.get(o) ?? 0) + dt);
    }
    t += dt;
  }
  if (cur) out.push({ at: cur.at, ms: cur.ms, top: [...cur.by].sort((a, b) => b[1] - a[1]).slice(0, 3) });
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const fromAt = args.indexOf('--from');
  const fromSeconds = fromAt >= 0 ? Number(args.splice(fromAt, 2)[1]) : 0;
  const toAt = args.indexOf('--to');
  const toSeconds = toAt >= 0 ? Number(args.splice(toAt, 2)[1]) : Infinity;
  const [file, topArg] = args;
  if (!file || !Number.isFinite(fromSeconds) || Number.isNaN(toSeconds) || toSeconds <= fromSeconds) {
    process.stderr.write('usage: node --import tsx bench/cpuprofile.ts FILE.cpuprofile [top] [--from SECONDS] [--to SECONDS]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const profile = window(JSON.parse(readFileSync(file, 'utf8')) as Profile, fromSeconds * 1000, toSeconds * 1000);
  const { entries, totalMs } = summarise(profile);
  const pct = (x: number): string => `${((x / totalMs) * 100).toFixed(1)}%`.padStart(6);
  let out = `profile: ${(totalMs / 1000).toFixed(1)} s sampled\n\nself time\n`;
  for (const e of [...entries].sort((a, b) => b.self - a.self).slice(0, top)) out += `${pct(e.self)} ${e.self.toFixed(0).padStart(7)} ms  ${e.name}\n`;
  out += `\ntotal time (inclusive), skipping the idle/program/root entries\n`;
  for (const e of [...entries].filter((e) => !/^\((root|idle|program|garbage collector)\)/.test(e.name)).sort((a, b) => b.total - a.total).slice(0, top)) {
    out += `${pct(e.total)} ${e.total.toFixed(0).padStart(7)} ms  ${e.name}\n`;
  }
  const all = tasks(profile).sort((a, b) => b.ms - a.ms);
  const over = (limit: number): number => all.filter((x) => x.ms > limit).length;
  out += `\nevent-loop tasks (runs of non-idle samples): ${all.length}; longer than 5 ms: ${over(5)}, 10 ms: ${over(10)}, 50 ms: ${over(50)}\n`;
  for (const x of all.slice(0, Math.min(top, 15))) {
    out += `${x.ms.toFixed(1).padStart(7)} ms at ${(x.at / 1000).toFixed(2)} s: ${x.top.map(([n, v]) => `${n} (${v.toFixed(1)})`).join('; ')}\n`;
  }
  process.stdout.write(out);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) main();
