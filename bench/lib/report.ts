// Percentiles, result tables and the machine description shared by the benchmarks.

import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Histogram } from 'node:perf_hooks';

/** Nearest-rank percentile of an ascending array (p in 0..100). */
/**
 * p99 and max event-loop delay in ms from a monitorEventLoopDelay histogram of `resolutionMs`. The
 * histogram records the whole interval between its timer's runs, so an idle loop reads as the
 * resolution itself: the delay is the excess over it.
 */
export function loopDelayMs(h: Histogram, resolutionMs: number): { p99: number; max: number } {
  return { p99: Math.max(0, h.percentile(99) / 1e6 - resolutionMs), max: Math.max(0, h.max / 1e6 - resolutionMs) };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortNumbers(xs: number[]): number[] {
  return xs.sort((a, b) => a - b);
}

export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export interface Row {
  measure: string;
  value: string;
  /** e.g. "≥ 3000/s"; empty for informational rows. */
  target?: string;
  /** true = met, false = missed, undefined = no target. */
  met?: boolean;
}

/** A target row: compares value with the limit in the stated direction. */
export function targetRow(measure: string, value: number, unit: string, cmp: '>=' | '<=', limit: number, digits = 1): Row {
  const met = cmp === '>=' ? value >= limit : value <= limit;
  return { measure, value: `${value.toFixed(digits)}${unit}`, target: `${cmp === '>=' ? '≥' : '≤'} ${limit}${unit}`, met };
}

export function infoRow(measure: string, value: number | string, unit = '', digits = 1): Row {
  return { measure, value: typeof value === 'number' ? `${value.toFixed(digits)}${unit}` : value };
}

/** Prints a table to stdout and, when K8TS_BENCH_RESULTS names a file, appends it there as JSON. */
export function printTable(title: string, rows: Row[], notes: string[] = []): void {
  const header = ['measure', 'result', 'target', ''];
  const body = rows.map((r) => [r.measure, r.value, r.target ?? '', r.met === undefined ? '' : r.met ? 'met' : 'MISSED']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |\n`;
  let out = `\n## ${title}\n\n${line(header)}|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`;
  for (const b of body) out += line(b);
  for (const n of notes) out += `\n${n}`;
  process.stdout.write(`${out}\n`);
  const file = process.env.K8TS_BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ title, rows, notes })}\n`);
}

export function machine(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const memGiB = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.availableParallelism()} cores (${cpu}), ${memGiB} GiB RAM, Linux ${os.release()}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)} at the end`;
}

/** Milliseconds with two decimals. */
export function ms(x: number): string {
  return `${x.toFixed(2)} ms`;
}
