/**
 * Benchmark rows and where they go: one JSON file per suite (`bench/results/<suite>.json`) and
 * `latest.json`, which merges the suites of every run (a suite run again replaces its rows).
 * Every row carries the machine facts (cores, Node version, git commit) so a number read
 * months later still says where it came from.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { summarize } from './histogram.js';
import type { Ratio } from './ratios.js';
import type { BenchRow, Measurement, RunEnvironment } from './rows.js';

export function runEnvironment(cwd = process.cwd()): RunEnvironment {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    // No git (a tarball install): the row says so instead of failing the run.
  }
  return { commit, node: process.version, cores: availableParallelism() };
}

export function toRow(suite: string, m: Measurement, env: RunEnvironment): BenchRow {
  return {
    suite,
    variant: m.variant,
    transport: m.transport,
    messages: m.messages,
    msgsPerSec: m.elapsedNs > 0 ? Math.round((m.messages * 1e9) / m.elapsedNs) : 0,
    ...(m.percentiles ?? summarize(m.histogram)),
    threads: m.threads,
    cores: env.cores,
    node: env.node,
    commit: env.commit,
    waitStrategy: m.waitStrategy ?? null,
    note: m.note ?? null,
  };
}

export interface SuiteFile {
  suite: string;
  finishedAt: string;
  /** 1-minute load average before and after the suite: other work on the host shows up here. */
  loadAverage: { before: number; after: number };
  rows: BenchRow[];
}

/** The host's 1-minute load average (runnable threads, ours included). */
export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export interface LatestFile {
  updatedAt: string;
  suites: Record<string, SuiteFile>;
  rows: BenchRow[];
  ratios: Ratio[];
}

export async function writeSuiteFile(dir: string, file: SuiteFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${file.suite}.json`);
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** Reads latest.json if there is one, so suites not run now keep their last rows. */
export async function readLatest(dir: string): Promise<LatestFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as LatestFile;
  } catch {
    return undefined;
  }
}

export async function writeLatest(dir: string, latest: LatestFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  await writeFile(path, `${JSON.stringify(latest, null, 2)}\n`);
  return path;
}
