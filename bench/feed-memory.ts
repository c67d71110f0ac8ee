/**
 * What each feed worker costs in memory. Starts the simulator in-process, then one feed worker
 * at a time (each under its own supervisor, all kept running), and records the growth of the
 * process RSS once the feed is up and publishing, next to the worker's own V8 heap. A minimal
 * actor worker (no ccxt) is measured first, so the feed's own share can be read apart from what
 * any worker costs (thread, runtime, tsx loader).
 *
 * Process RSS is shared by all threads, so workers are started one by one and measured after
 * they settle; the numbers are approximate (±5 MB). Writes bench/results/feed-memory.json.
 *
 *   npx tsx bench/feed-memory.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { parseGraphConfig, type GraphConfigInput } from '../src/runtime/graph/graph-config.js';
import { Supervisor } from '../src/runtime/supervision/supervisor.js';
import { startSimulator } from '../src/sim/simulator.js';
import type { FeedStatus } from '../src/protocol/index.js';

const VENUES: Record<string, string[]> = {
  binance: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
  binanceusdm: ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'],
  bybit: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT'],
  okx: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT'],
};
const SETTLE_MS = 3_000;

const rssMb = (): number => Math.round(process.memoryUsage.rss() / 2 ** 20);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const env = { ...process.env, ARBITER_LOG_LEVEL: 'silent' };

async function measure(graph: GraphConfigInput, ready: (supervisor: Supervisor) => Promise<boolean>): Promise<{ supervisor: Supervisor; rssDeltaMb: number }> {
  const before = rssMb();
  const supervisor = await Supervisor.start(parseGraphConfig(graph), { env });
  for (let i = 0; i < 300 && !(await ready(supervisor)); i++) await sleep(100);
  await sleep(SETTLE_MS);
  return { supervisor, rssDeltaMb: rssMb() - before };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ tickMs: 50, logger: pino({ enabled: false }) });
  const running: Supervisor[] = [];
  const rows: Record<string, unknown>[] = [];
  try {
    const baseline = await measure({ actors: [{ id: 'minimal', module: 'test/fixtures/actors/probe-producer.ts', params: { count: 0 } }] }, async () => true);
    running.push(baseline.supervisor);
    rows.push({ worker: 'minimal actor (no ccxt)', rssDeltaMb: baseline.rssDeltaMb });
    for (const [venue, symbols] of Object.entries(VENUES)) {
      const id = `feed-${venue}`;
      const graph = { actors: [{ id, module: 'actors/feed/ccxt-feed.ts', params: { venue, symbols, mode: 'sim', simBaseUrl: sim.url } }] };
      const status = async (supervisor: Supervisor): Promise<FeedStatus | undefined> => (await supervisor.actorStatus(id)).actor?.custom as FeedStatus | undefined;
      const { supervisor, rssDeltaMb } = await measure(graph, async (s) => (await status(s))?.state === 'up');
      running.push(supervisor);
      const feed = await status(supervisor);
      rows.push({ worker: id, rssDeltaMb, heapMb: feed?.heapMb, state: feed?.state, messages: feed?.messages });
    }
  } finally {
    for (const supervisor of running) await supervisor.stop();
    await sim.stop();
  }
  console.table(rows);
  const out = resolve('bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'feed-memory.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
}

await main();
