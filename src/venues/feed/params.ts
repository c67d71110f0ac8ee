/**
 * The feed actor's params, validated with zod at load: what compile passes (`venue`, `symbols`,
 * `mode`, `simBaseUrl`) plus `venues.<venue>.feed` from the config. A bad value fails start-up
 * with CONFIG_INVALID naming the field and the value. The schema is strict, so credentials put
 * in a feed's config by mistake are refused rather than carried into the feed worker.
 *
 * @example
 * parseFeedParams({ venue: 'binanceusdm', symbols: ['BTC/USDT:USDT'], mode: 'sim', simBaseUrl: 'http://127.0.0.1:8900' }, FEED_ADAPTERS)
 */
import { z } from 'zod';
import { configError } from '../../base/config-errors.js';
import { arbiterError } from '../../base/errors.js';
import { STREAM_NAMES, type FeedAdapter } from './types.js';

export const FEED_MODES = ['sim', 'paper', 'live', 'replay'] as const;

const loopbackUrl = z.string().regex(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\/?$/, 'expected http://127.0.0.1:<port> (the simulator only ever runs on loopback)');
const symbol = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'expected a ccxt unified symbol like BTC/USDT or BTC/USDT:USDT');
const ms = (min: number, max: number) => z.int().min(min).max(max);

const schema = z
  .object({
    /** The ccxt exchange id; also the venue name in every message. */
    venue: z.string().regex(/^[a-z0-9]+$/, 'expected a ccxt exchange id (lowercase letters and digits)'),
    symbols: z.array(symbol).min(1, 'expected at least one symbol'),
    mode: z.enum(FEED_MODES).default('sim'),
    /** The simulator to read (sim mode; paper mode when the simulator stands in for the public venues). */
    simBaseUrl: loopbackUrl.optional(),
    /** Levels per side in `BookLevels` (0: publish only `BookTop`). */
    levels: z.int().min(0).max(50).default(5),
    /** Depth of the local book ccxt maintains (the REST snapshot's limit); default per venue. */
    bookDepth: z.int().min(1).max(5000).optional(),
    /** Where `BookTop` comes from: the diff book (with the venue's sequence), or the venue's best bid/ask stream. */
    topSource: z.enum(['book', 'bidsAsks']).default('book'),
    /** Per stream: no update for this long is `stale` (defaults per venue and stream). */
    staleAfterMs: z.partialRecord(z.enum(STREAM_NAMES), ms(50, 3_600_000)).default({}),
    /** How often the staleness watchdog looks. */
    watchdogMs: ms(10, 60_000).default(250),
    /** Reconnect backoff: base · 2^attempt, capped, with jitter. */
    reconnectBaseMs: ms(1, 60_000).default(250),
    reconnectMaxMs: ms(1, 600_000).default(30_000),
    /** Funding rates whose absolute value per interval exceeds this are dropped as implausible. */
    maxAbsFundingRate: z.number().positive().max(1).default(0.05),
    /**
     * Tops (their mid) and marks further than this (in %) from the symbol's last accepted price
     * are dropped as implausible; the band widens by `priceBandWidenPctPerSec` per second since
     * that price, so a genuine fast move gets through once it is plausible for the time it took,
     * up to `priceBandMaxPct` (beyond it the data stays rejected and the venue degraded).
     */
    priceBandPct: z.number().positive().max(100).default(5),
    priceBandWidenPctPerSec: z.number().nonnegative().max(100).default(1),
    priceBandMaxPct: z.number().positive().max(1_000).default(50),
    /** A venue timestamp further than this from the wall clock (seconds sent as ms, far future or past) is dropped. */
    maxTimestampSkewMs: ms(1_000, 86_400_000).default(60_000),
    /** `stream`: funding from the venue's stream where it has one; `poll`: always the REST endpoint. */
    fundingSource: z.enum(['stream', 'poll']).default('stream'),
    fundingPollMs: ms(100, 3_600_000).default(30_000),
    /** Funding intervals are re-read from the venue this often (they change). */
    fundingIntervalRefreshMs: ms(1_000, 86_400_000).default(3_600_000),
    requestTimeoutMs: ms(100, 120_000).default(10_000),
  })
  .strict();

export type FeedParams = z.output<typeof schema>;

/** Validates and defaults raw params. Throws CONFIG_INVALID naming the field. */
export function parseFeedParams(raw: unknown, adapters: Readonly<Record<string, FeedAdapter>>): FeedParams {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw configError('feed params', result.error, raw);
  const params = result.data;
  const fail = (field: string, problem: string, value: unknown): never => {
    throw arbiterError('CONFIG_INVALID', `feed params: ${field}: ${problem}, got ${JSON.stringify(value)}`);
  };
  const adapter = Object.prototype.hasOwnProperty.call(adapters, params.venue) ? adapters[params.venue] : undefined;
  if (adapter === undefined) fail('venue', `expected one of ${Object.keys(adapters).join('|')}`, params.venue);
  if (params.topSource === 'bidsAsks' && !adapter?.bidsAsks) fail('topSource', `${params.venue} has no best bid/ask stream`, params.topSource);
  if (params.mode === 'sim' && params.simBaseUrl === undefined) fail('simBaseUrl', 'sim mode needs the simulator URL', undefined);
  if (params.mode === 'live' && params.simBaseUrl !== undefined) fail('simBaseUrl', 'live mode reads the real venues, never a simulator', params.simBaseUrl);
  // In replay the recording stands in for the feeds (src/app/replay.ts): a feed actor there is a wiring mistake.
  if (params.mode === 'replay') fail('mode', 'replay plays a recording in place of the feeds (arbiter run --replay <file>); a feed actor never runs in replay', params.mode);
  if (new Set(params.symbols).size !== params.symbols.length) fail('symbols', 'expected each symbol once', params.symbols);
  if (params.priceBandMaxPct < params.priceBandPct) fail('priceBandMaxPct', `expected ≥ priceBandPct (${params.priceBandPct})`, params.priceBandMaxPct);
  if (params.reconnectMaxMs < params.reconnectBaseMs) fail('reconnectMaxMs', `expected ≥ reconnectBaseMs (${params.reconnectBaseMs})`, params.reconnectMaxMs);
  return params;
}
