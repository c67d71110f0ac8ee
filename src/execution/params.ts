/**
 * The execution actor's params, validated with zod at load. A bad value fails start-up with a
 * CONFIG_INVALID error naming the field and the value; risk limits and fee overrides are checked
 * by the trading layer's own validators (`riskConfig`, `feeSchedule`), which name `risk.<field>`
 * and `fees.<venue>.<kind>.<rate>` the same way.
 *
 * Credentials are deliberately absent: they never come from params or the config file (see
 * credentials.ts). Params only say where they come from.
 *
 * @example
 * parseExecutionParams({ mode: 'sim', simUrl: 'http://127.0.0.1:8900', venues: [{ id: 'binanceusdm' }], dataDir: 'data' })
 */
import { z } from 'zod';
import { configError } from '../base/config-errors.js';
import { arbiterError } from '../base/errors.js';
import { feeSchedule, type FeeOverrides, type FeeSchedule } from '../trading/market/fees.js';
import type { MultiLegOptions } from '../trading/orders/multi-leg.js';
import { JOURNAL_DURABILITIES, type JournalDurability } from './journal-port.js';
import { riskConfig, type RiskConfig, type RiskConfigInput } from '../trading/risk/config.js';

const EXECUTION_MODES = ['sim', 'paper', 'live', 'replay'] as const;

/** The journal's file name in the data dir unless `journalFile` names another. */
export const DEFAULT_JOURNAL_FILE = 'execution.sqlite';

/** What a paper/replay venue's simulated account holds unless `paper.startingBalances` says otherwise. */
export const SIMULATED_STARTING_BALANCES: Readonly<Record<string, number>> = Object.freeze({ USDT: 100_000, BTC: 1, ETH: 10, SOL: 100 });

const loopbackUrl = z.string().regex(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\/?$/, 'expected http://127.0.0.1:<port> (the simulator only ever runs on loopback)');

const venueSchema = z
  .object({
    /** The ccxt exchange id, also the venue name in every message. */
    id: z.string().regex(/^[a-z0-9]+$/, 'expected a ccxt exchange id (lowercase letters and digits)'),
    /** Market types traded on this venue (what loadMarkets fetches); default from the id. */
    marketTypes: z.array(z.enum(['spot', 'perp'])).min(1).optional(),
    /** sim mode: this venue's simulator, when not the top-level `simUrl`; paper mode: the simulator standing in for the public venue (its markets' rules). */
    simUrl: loopbackUrl.optional(),
    /** The credential set's name (`ARBITER_<ACCOUNT>_API_KEY` …); default: the id (binance for binanceusdm). */
    account: z.string().regex(/^[A-Za-z0-9_]+$/, 'expected letters, digits or _').optional(),
    /** Symbols to reconcile (open orders, positions) besides those the journal mentions. */
    symbols: z.array(z.string().regex(/^[^/:\s]+\/[^/:\s]+(:[^\s]+)?$/, 'expected a unified symbol BASE/QUOTE[:SETTLE]')).default([]),
  })
  .strict();

const paramsSchema = z
  .object({
    mode: z.enum(EXECUTION_MODES).default('sim'),
    /** live mode refuses to start without it. */
    confirmLive: z.boolean().default(false),
    venues: z.array(venueSchema).min(1, 'expected at least one venue'),
    simUrl: loopbackUrl.optional(),
    dataDir: z.string().min(1).default('data'),
    journalFile: z.string().regex(/^[\w.-]+$/, 'expected a file name').default(DEFAULT_JOURNAL_FILE),
    /** What a journal commit survives (journal-port.ts JournalDurability); default: see `journalDurability`. */
    durability: z.enum(JOURNAL_DURABILITIES).optional(),
    risk: z.record(z.string(), z.unknown()).default({}),
    /** Overrides of the fee table, the fallback for a venue that reports no rates (paper, replay, or a failed fee request). */
    fees: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))).default({}),
    paper: z
      .object({
        latencyMs: z.number().nonnegative().max(60_000).default(50),
        beyondDepthPenaltyBps: z.number().nonnegative().max(10_000).default(25),
        /**
         * paper/replay: the simulated account each venue starts with (venue → asset → amount),
         * moved by the fill model's fills, fees and funding; a venue not listed starts with
         * SIMULATED_STARTING_BALANCES.
         */
        startingBalances: z.record(z.string(), z.record(z.string(), z.number().nonnegative())).default({}),
      })
      .strict()
      .default({ latencyMs: 50, beyondDepthPenaltyBps: 25, startingBalances: {} }),
    /** Account balances: fetched at start, after each fill and every `refreshMs`. */
    balances: z
      .object({
        refreshMs: z.int().positive().max(3_600_000).default(30_000),
        /**
         * The leverage pre-trade risk assumes for a perp order's initial margin (notional /
         * leverage). Below the venues' defaults (binance 20, bybit and okx 10) on purpose: it
         * refuses early rather than late.
         */
        assumedLeverage: z.number().positive().max(125).default(5),
      })
      .strict()
      .default({ refreshMs: 30_000, assumedLeverage: 5 }),
    /**
     * Credentials from a JSON file `{ "<account>": { "apiKey", "secret", "password"? } }` kept
     * outside the config; without it they come from the environment (credentials.ts).
     */
    secretsFile: z.string().min(1, 'expected a file path').optional(),
    /** How often working orders are polled on venues without a private stream. */
    pollIntervalMs: z.int().positive().max(60_000).default(500),
    /** How long "not found" may still mean "in flight" (beyond the venue's receive window). */
    unknownGraceMs: z.int().nonnegative().max(600_000).default(15_000),
    requestTimeoutMs: z.int().positive().max(120_000).default(10_000),
    /** A quote older than this is no reference price (collars, exposure). */
    quoteMaxAgeMs: z.int().positive().default(5_000),
    /**
     * Every top and mark is checked before it reaches risk and PnL (trading/market/price-guard.ts):
     * within `bandPct` % of the market's last accepted price, widening by `widenPctPerSec` % per
     * second since it up to `maxPct` %, or within `bandPct` % of the other venues' prices for the
     * same symbol. The feeds check the same band; this one also holds against a recording or a feed
     * configured looser.
     */
    priceBand: z
      .object({
        bandPct: z.number().positive().max(100).default(5),
        widenPctPerSec: z.number().nonnegative().max(100).default(1),
        maxPct: z.number().positive().max(1_000).default(50),
      })
      .strict()
      .refine((band) => band.maxPct >= band.bandPct, { message: 'maxPct must be ≥ bandPct', path: ['maxPct'] })
      .default({ bandPct: 5, widenPctPerSec: 1, maxPct: 50 }),
    /** How far back reconciliation reads the venue's trades. */
    reconcileLookbackMs: z.int().positive().default(86_400_000),
    /** Reconciliation after the start-up pass: open orders, recent fills and positions, every this often. */
    reconcileIntervalMs: z.int().min(100).max(3_600_000).default(30_000),
    /** A position mismatch worth more than this moves the strategies holding that position to REDUCING. */
    mismatchToleranceUsd: z.number().nonnegative().default(100),
    fundingPollMs: z.int().positive().default(60_000),
    /** How often the account's maker/taker rates are read again from each venue (they change with the volume tier). */
    feeRefreshMs: z.int().min(1_000).default(3_600_000),
    /** How often every market's rules are broadcast again, for strategies restarted after a crash. */
    marketRulesRepublishMs: z.int().min(1_000).default(60_000),
    /**
     * A multi-leg command's legs are all built and signed before any is written, so they leave
     * back to back (send-timing.ts). `false` sends each as soon as it is ready (for measuring).
     */
    legsTogether: z.boolean().default(true),
    /** Idle keep-alive connections opened to each ccxt venue at start, so the first orders need no TCP connect. */
    warmConnections: z.int().nonnegative().max(16).default(2),
    multiLeg: z
      .object({ maxRetries: z.int().nonnegative().max(100), maxUnwindAttempts: z.int().positive().max(100), cancelGraceMs: z.int().positive().max(600_000) })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

export type VenueParams = Omit<z.output<typeof venueSchema>, 'marketTypes' | 'account' | 'simUrl'> & { readonly marketTypes: readonly ('spot' | 'perp')[]; readonly account: string; readonly simUrl: string | null };

export interface ExecutionParams extends Omit<z.output<typeof paramsSchema>, 'venues' | 'risk' | 'fees' | 'multiLeg' | 'durability'> {
  readonly durability: JournalDurability;
  readonly venues: readonly VenueParams[];
  readonly risk: RiskConfig;
  readonly fees: FeeSchedule;
  readonly multiLeg: Partial<MultiLegOptions>;
}

/**
 * The journal durability a mode runs with unless configured. `live` trades real money: `full`
 * (an fsync per group commit), so even power loss cannot lose a journaled order. `sim`, `paper`
 * and `replay` hold no money at a venue and their journals are disposable: `normal`, which
 * survives a crash of the process and kill -9 (what the crash tests exercise), at no fsync cost.
 */
export function journalDurability(mode: (typeof EXECUTION_MODES)[number], configured: JournalDurability | undefined): JournalDurability {
  return configured ?? (mode === 'live' ? 'full' : 'normal');
}

/** Market types a ccxt id trades unless configured (binance is spot, binanceusdm linear perps). */
function defaultMarketTypes(id: string): ('spot' | 'perp')[] {
  if (id === 'binance') return ['spot'];
  if (id === 'binanceusdm' || id === 'binancecoinm') return ['perp'];
  return ['spot', 'perp'];
}

/** binance spot and its futures APIs are one account with one key pair. */
function defaultAccount(id: string): string {
  return id === 'binanceusdm' || id === 'binancecoinm' ? 'binance' : id;
}

/** Validates and defaults raw params. Throws CONFIG_INVALID (or LIVE_NOT_CONFIRMED) naming the field. */
export function parseExecutionParams(raw: unknown): ExecutionParams {
  const result = paramsSchema.safeParse(raw ?? {});
  if (!result.success) throw configError('execution params', result.error, raw);
  const p = result.data;
  const ids = new Set<string>();
  const venues = p.venues.map((venue, i): VenueParams => {
    if (ids.has(venue.id)) throw arbiterError('CONFIG_INVALID', `execution params: venues[${i}].id: duplicate venue, got ${JSON.stringify(venue.id)}`);
    ids.add(venue.id);
    const simUrl = venue.simUrl ?? p.simUrl ?? null;
    if (p.mode === 'sim' && simUrl === null) throw arbiterError('CONFIG_INVALID', `execution params: venues[${i}].simUrl: sim mode needs a simulator URL (here or top-level simUrl), got nothing`);
    return { ...venue, marketTypes: venue.marketTypes ?? defaultMarketTypes(venue.id), account: (venue.account ?? defaultAccount(venue.id)).toUpperCase(), simUrl };
  });
  if (p.mode === 'live' && !p.confirmLive) {
    throw arbiterError('LIVE_NOT_CONFIRMED', 'execution params: confirmLive: live mode trades real money on real venues and needs confirmLive: true, got false');
  }
  for (const venue of Object.keys(p.paper.startingBalances)) {
    if (!ids.has(venue)) throw arbiterError('CONFIG_INVALID', `execution params: paper.startingBalances.${venue}: not a configured venue (venues: ${[...ids].join(', ')}), got ${JSON.stringify(venue)}`);
  }
  const risk = riskConfig({ venues: venues.map((v) => v.id), ...(p.risk as RiskConfigInput) });
  return { ...p, venues, risk, fees: feeSchedule(p.fees as FeeOverrides), multiLeg: p.multiLeg, durability: journalDurability(p.mode, p.durability) };
}
