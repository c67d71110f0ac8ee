/**
 * Runs every benchmark suite with --quick through the CLI's own entry point and checks the
 * JSON it writes: every field present, counts and rates positive, percentiles ordered. It
 * never asserts a speed: benchmarks measure, tests check that they can measure.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/bench.js';
import type { LatestFile, SuiteFile } from '../../bench/lib/results.js';
import type { BenchRow } from '../../bench/lib/rows.js';

const SUITES = ['codec', 'hop', 'pipeline', 'fanout', 'reload', 'journal'];
let outDir: string;
let exitCode: number;
let printed = '';

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'arbiter-bench-'));
  const write = process.stdout.write.bind(process.stdout);
  // Keep the tables out of the test log, but keep them for the assertions below.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    exitCode = await run([...SUITES, '--quick', '--out', outDir]);
  } finally {
    process.stdout.write = write;
  }
}, 120_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function checkRow(row: BenchRow): void {
  const where = `${row.suite} · ${row.variant} · ${row.transport}`;
  expect(typeof row.variant, where).toBe('string');
  expect(row.transport, where).toMatch(/\S/);
  expect(row.messages, where).toBeGreaterThan(0);
  expect(row.msgsPerSec, where).toBeGreaterThan(0);
  expect(row.p50Us, where).toBeGreaterThan(0);
  expect(row.p50Us, where).toBeLessThanOrEqual(row.p90Us);
  expect(row.p90Us, where).toBeLessThanOrEqual(row.p99Us);
  expect(row.p99Us, where).toBeLessThanOrEqual(row.p999Us);
  expect(row.p999Us, where).toBeLessThanOrEqual(row.maxUs);
  expect(row.threads, where).toBeGreaterThan(0);
  expect(row.cores, where).toBeGreaterThan(0);
  expect(row.node, where).toMatch(/^v\d+\./);
  expect(row.commit, where).toMatch(/^([0-9a-f]{4,}|unknown)$/);
}

describe('arbiter bench --quick', () => {
  it('runs every suite and exits 0', () => {
    expect(exitCode).toBe(0);
    for (const suite of SUITES) expect(printed).toContain(`## ${suite}:`);
    expect(printed).toContain('## ring ÷ postMessage');
  });

  it.each(SUITES)('writes %s.json with every field and sane values', async (suite) => {
    const file = JSON.parse(await readFile(join(outDir, `${suite}.json`), 'utf8')) as SuiteFile;
    expect(file.suite).toBe(suite);
    expect(file.rows.length).toBeGreaterThan(0);
    for (const row of file.rows) {
      expect(row.suite).toBe(suite);
      checkRow(row);
    }
  });

  it('merges every suite into latest.json with the ring ÷ postMessage ratios', async () => {
    const latest = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as LatestFile;
    expect(Object.keys(latest.suites).sort()).toEqual([...SUITES].sort());
    expect(latest.rows.length).toBe(Object.values(latest.suites).reduce((sum, file) => sum + file.rows.length, 0));
    const ratioSuites = new Set(latest.ratios.map((ratio) => ratio.suite));
    expect([...ratioSuites].sort()).toEqual(['fanout', 'hop', 'pipeline']);
    for (const ratio of latest.ratios) {
      expect(ratio.throughputX).toBeGreaterThan(0);
      expect(ratio.p50X).toBeGreaterThan(0);
    }
  });
});

describe('arbiter bench e2e --quick', () => {
  let e2eOut: string;
  let e2eExit: number;
  let e2ePrinted = '';

  beforeAll(async () => {
    e2eOut = await mkdtemp(join(tmpdir(), 'arbiter-bench-e2e-'));
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      e2ePrinted += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      e2eExit = await run(['e2e', '--quick', '--out', e2eOut]);
    } finally {
      process.stdout.write = write;
    }
  }, 240_000);

  afterAll(async () => {
    await rm(e2eOut, { recursive: true, force: true });
  });

  it('runs the whole system over both transports and writes a row per stage it measured', async () => {
    expect(e2eExit).toBe(0);
    expect(e2ePrinted).toContain('## e2e:');
    const file = JSON.parse(await readFile(join(e2eOut, 'e2e.json'), 'utf8')) as SuiteFile;
    // A few orders per stage in a short run: their rate rounds to 0, so only the rest is checked.
    for (const row of file.rows) checkRow({ ...row, msgsPerSec: Math.max(1, row.msgsPerSec) });
    const variants = new Set(file.rows.map((row) => `${row.variant} · ${row.transport}`));
    // Orders were decided and reached the wire over the rings and over postMessage alike.
    for (const transport of ['ring', 'postMessage']) expect(variants).toContain(`tick path: tick_to_wire · ${transport}`);
    expect(file.rows[0]!.note).toMatch(/RSS arbiter \d+ MB, simulator \d+ MB/);
  });
});
