/**
 * Shared setup for feed tests: the simulator, the feed actors on real worker threads (through
 * the supervisor, as the app runs them) with a recorder reading their `md` output, and typed
 * reads of both actors' status.
 */
import pino from 'pino';
import { marketDataTopic, type FeedStatus, type MarketDataKind, type MessageOf } from '../../src/protocol/index.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import type { RecordedStatus, RecorderStatus } from '../fixtures/actors/md-recorder.js';
import { eventually } from '../helpers/workers.js';

export const FEED_MODULE = 'actors/feed/ccxt-feed.ts';
const RECORDER_MODULE = 'test/fixtures/actors/md-recorder.ts';

/** A quiet simulator with a 20 ms tick. */
export function startFeedSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ tickMs: 20, logger: pino({ enabled: false }), ...options });
}

/** One feed per venue and a recorder behind a conflating channel, as compile wires them. */
export function startFeeds(sim: Simulator, venues: Record<string, readonly string[]>, params: Record<string, unknown> = {}): Promise<Supervisor> {
  const ids = Object.keys(venues);
  return Supervisor.start(
    parseGraphConfig({
      actors: [
        ...ids.map((venue) => ({ id: `feed-${venue}`, module: FEED_MODULE, params: { ...params, venue, symbols: venues[venue], mode: 'sim', simBaseUrl: sim.url } })),
        { id: 'recorder', module: RECORDER_MODULE },
      ],
      channels: ids.map((venue) => ({ from: `feed-${venue}.md`, to: ['recorder.md'], policy: 'conflate' as const })),
    }),
    { env: { ...process.env, ARBITER_LOG_LEVEL: 'silent' } },
  );
}

export async function feedStatus(supervisor: Supervisor, venue: string): Promise<FeedStatus> {
  return (await supervisor.actorStatus(`feed-${venue}`)).actor?.custom as FeedStatus;
}

/** Waits until a feed's status satisfies `done`. */
export function feedStatusWhen(supervisor: Supervisor, venue: string, done: (status: FeedStatus) => boolean, what: string): Promise<FeedStatus> {
  return eventually(async () => {
    const status = await feedStatus(supervisor, venue);
    return status && done(status) ? status : undefined;
  }, what);
}

export async function recorded(supervisor: Supervisor): Promise<RecorderStatus> {
  return (await supervisor.actorStatus('recorder')).actor?.custom as unknown as RecorderStatus;
}

/** The latest message the recorder holds for a topic. */
export async function latest<T extends 'BookTop' | 'FundingRate' | 'MarkPrice' | 'VenueStatus'>(
  supervisor: Supervisor,
  kind: MarketDataKind,
  venue: string,
  symbol: string,
): Promise<MessageOf<T> | undefined> {
  return (await recorded(supervisor)).last[marketDataTopic(kind, venue, symbol)] as MessageOf<T> | undefined;
}

/** Waits for a VenueStatus matching `match` that arrived at or after `sinceMs`. */
export function statusSince(supervisor: Supervisor, sinceMs: number, match: Partial<RecordedStatus>, what: string, timeoutMs = 15_000): Promise<RecordedStatus> {
  return eventually(
    async () =>
      (await recorded(supervisor)).statuses.find(
        (s) => s.atMs >= sinceMs && Object.entries(match).every(([key, value]) => s[key as keyof RecordedStatus] === value),
      ),
    what,
    timeoutMs,
  );
}

/** Rounds like the venue's wire format (8 decimals), so numbers from two sources compare exactly. */
export const wire = (value: number): number => Number(value.toFixed(8));

export { eventually };
