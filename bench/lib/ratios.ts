/**
 * The ratios we publish: every ring row against the postMessage row of the same suite and
 * variant, measured in the same run. Throughput is ring ÷ postMessage; latency is
 * postMessage ÷ ring, so every factor reads "× better with the ring". Goals from issue 3
 * are checked here and reported, never asserted: they are measurements, not tests.
 */
import type { BenchRow } from './rows.js';
import { formatNumber, formatTable } from './table.js';

export interface Ratio {
  suite: string;
  variant: string;
  waitStrategy: string | null;
  ringMsgsPerSec: number;
  portMsgsPerSec: number;
  throughputX: number;
  ringP50Us: number;
  portP50Us: number;
  p50X: number;
  p99X: number;
  ringThreads: number;
  goal: string | null;
  met: boolean | null;
}

interface Goal {
  suite: string;
  variant: RegExp;
  waits?: readonly string[];
  text: string;
  check(ratio: Ratio): boolean;
}

const GOALS: readonly Goal[] = [
  { suite: 'hop', variant: /^throughput$/, text: 'msgs/s ≥ 3× and ≥ 1.5M', check: (r) => r.throughputX >= 3 && r.ringMsgsPerSec >= 1.5e6 },
  { suite: 'hop', variant: /^round-trip$/, waits: ['busy-spin', 'spin-then-park'], text: 'p50 ≥ 8× better', check: (r) => r.p50X >= 8 },
  { suite: 'pipeline', variant: /^paced \d+k\/s$/, text: 'p50 ≤ 10 µs and ≥ 3× better', check: (r) => r.ringP50Us <= 10 && r.p50X >= 3 },
  { suite: 'pipeline', variant: /^saturated$/, text: 'msgs/s ≥ 3×', check: (r) => r.throughputX >= 3 },
];

/** Four significant digits: a ratio far below 1 must not round to 0. */
const round = (value: number): number => Number(value.toPrecision(4));

function goalFor(row: BenchRow): Goal | undefined {
  return GOALS.find((g) => g.suite === row.suite && g.variant.test(row.variant) && (!g.waits || g.waits.includes(row.waitStrategy ?? '')));
}

export function computeRatios(rows: readonly BenchRow[]): Ratio[] {
  const ratios: Ratio[] = [];
  for (const ring of rows.filter((row) => row.transport === 'ring')) {
    const port = rows.find((row) => row.suite === ring.suite && row.variant === ring.variant && row.transport === 'postMessage');
    if (!port) continue;
    const ratio: Ratio = {
      suite: ring.suite,
      variant: ring.variant,
      waitStrategy: ring.waitStrategy,
      ringMsgsPerSec: ring.msgsPerSec,
      portMsgsPerSec: port.msgsPerSec,
      throughputX: round(ring.msgsPerSec / port.msgsPerSec),
      ringP50Us: ring.p50Us,
      portP50Us: port.p50Us,
      p50X: round(port.p50Us / ring.p50Us),
      p99X: round(port.p99Us / ring.p99Us),
      ringThreads: ring.threads,
      goal: null,
      met: null,
    };
    const goal = goalFor(ring);
    if (goal) {
      ratio.goal = goal.text;
      ratio.met = goal.check(ratio);
    }
    ratios.push(ratio);
  }
  return ratios;
}

const times = (x: number): string => `${x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`;

export function formatRatios(ratios: readonly Ratio[]): string {
  if (ratios.length === 0) return '(no suite with both a ring and a postMessage row was run)';
  const headers = ['suite · variant', 'ring wait', 'msgs/s ×', 'p50 ×', 'p99 ×', 'ring msgs/s', 'port msgs/s', 'ring p50 µs', 'port p50 µs', 'threads', 'goal'];
  return formatTable(
    headers,
    ratios.map((r) => [
      `${r.suite} · ${r.variant}`,
      r.waitStrategy ?? '-',
      times(r.throughputX),
      times(r.p50X),
      times(r.p99X),
      formatNumber(r.ringMsgsPerSec),
      formatNumber(r.portMsgsPerSec),
      formatNumber(r.ringP50Us),
      formatNumber(r.portP50Us),
      String(r.ringThreads),
      r.goal ? `${r.met ? 'met' : 'MISSED'}: ${r.goal}` : '',
    ]),
  );
}
