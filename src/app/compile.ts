/**
 * Compiles the trading config into the runtime's actor graph:
 *
 *   feed-<venue> ──md (conflate)──► every strategy subscribed to it, and execution
 *   <strategy>   ──intents (lossless)──► execution.commands
 *   execution    ──events (lossless, routed by exec.events.<strategy>, and exec.balances.<venue>
 *                  for each venue the strategy subscribes to)──► <strategy>.events
 *   <strategy>   ──opportunities (lossless)──► recorder
 *
 * Only the execution actor is configured with credentials; the supervisor strips secrets from
 * every other worker's environment.
 *
 * How each actor is supervised is set here too, since only the application knows what its actors
 * are for: feeds stop first so what they sent drains into strategies and services, which stop
 * next, and execution stops last (start-up runs the other way round); strategies are
 * hot-reloadable; and the system cannot run without execution, so its failing past the restart
 * limit stops everything.
 */
import { resolve } from 'node:path';
import { executionBalancesTopic, executionEventsTopic, marketDataPattern, marketDataTopic } from '../protocol/index.js';
import type { GraphConfigInput } from '../runtime/graph/graph-config.js';
import { usesSimulator, type AppConfig, type StrategyConfig } from './config.js';

export const FEED_MODULE = 'actors/feed/ccxt-feed.ts';
export const RECORDER_MODULE = 'actors/service/opportunity-recorder.ts';
const MD_RECORDER_MODULE = 'actors/service/md-recorder.ts';
export const EXECUTION_ID = 'execution';
export const RECORDER_ID = 'recorder';
const MD_RECORDER_ID = 'md-recorder';

export const feedId = (venue: string): string => `feed-${venue}`;

/**
 * Supervision and wait settings per role (see the header). Feeds and execution own venue
 * sockets, so they never block their thread waiting on a ring (`ownsIo`); strategies and
 * services are pure compute on ring input.
 */
const FEED = { stopStage: 0, ownsIo: true } as const;
const STRATEGY = { stopStage: 1, reloadable: true } as const;
const SERVICE = { stopStage: 1 } as const;
const EXECUTION = { stopStage: 2, fatalOnEscalation: true, ownsIo: true } as const;

/** What compile needs besides the config: where the simulator listens, the resolved data dir. */
export interface CompileContext {
  simBaseUrl?: string;
  dataDir: string;
  /** The operator passed --i-understand-live-trading (execution refuses live without it). */
  liveConfirmed?: boolean;
}

/** Topic patterns selecting what `strategy` wants from `venue`; undefined means everything. */
function strategyTopics(strategy: StrategyConfig, venue: string): string[] | undefined | null {
  const { venues, symbols } = strategy.subscribe ?? {};
  if (venues && !venues.includes(venue)) return null;
  if (!symbols) return undefined;
  return [marketDataTopic('status', venue, ''), ...symbols.map((symbol) => marketDataPattern(venue, symbol))];
}

export function compileGraph(config: AppConfig, context: CompileContext): GraphConfigInput {
  const strategies = config.strategies.filter((s) => s.enabled);
  const venues = Object.entries(config.venues);
  // The simulator stands in for the public venues in sim mode and in paper mode with `paper.venues: "simulator"`.
  const simUrl = usesSimulator(config) ? context.simBaseUrl : undefined;
  const sim = simUrl === undefined ? {} : { simBaseUrl: simUrl };
  const actors: GraphConfigInput['actors'] = [
    ...venues.map(([venue, v]) => ({
      id: feedId(venue),
      module: FEED_MODULE,
      ...FEED,
      params: { ...v.feed, venue, symbols: v.symbols, mode: config.mode, ...sim },
    })),
    ...strategies.map((s) => ({ id: s.id, module: s.module, params: s.params, ...STRATEGY })),
    {
      id: EXECUTION_ID,
      module: config.execution.module,
      credentials: true,
      ...EXECUTION,
      params: {
        ...config.execution.params,
        mode: config.mode,
        ...(config.execution.journal.durability ? { durability: config.execution.journal.durability } : {}),
        dataDir: context.dataDir,
        venues: venues.map(([venue, v]) => ({ id: venue, symbols: v.symbols })),
        ...(simUrl === undefined ? {} : { simUrl }),
        ...(config.mode === 'live' ? { confirmLive: context.liveConfirmed === true } : {}),
      },
    },
    { id: RECORDER_ID, module: RECORDER_MODULE, ...SERVICE },
  ];
  if (config.record) {
    const source = { mode: config.mode, venues: Object.fromEntries(venues.map(([venue, v]) => [venue, v.symbols])), ...(usesSimulator(config) ? { simulator: config.simulator } : {}) };
    actors.push({ id: MD_RECORDER_ID, module: MD_RECORDER_MODULE, params: { file: resolve(config.record.file), source }, ...SERVICE });
  }
  const { marketDataRingBytes, commandRingBytes, eventRingBytes, transport } = config.runtime;
  const channels: NonNullable<GraphConfigInput['channels']> = [
    ...venues.map(([venue]) => ({
      from: `${feedId(venue)}.md`,
      to: [
        ...strategies.flatMap((s) => {
          const topics = strategyTopics(s, venue);
          if (topics === null) return [];
          return [topics === undefined ? `${s.id}.md` : { endpoint: `${s.id}.md`, topics }];
        }),
        `${EXECUTION_ID}.md`,
        ...(config.record ? [`${MD_RECORDER_ID}.md`] : []),
      ],
      policy: 'conflate' as const,
      capacityBytes: marketDataRingBytes,
    })),
    ...strategies.map((s) => ({ from: `${s.id}.intents`, to: [`${EXECUTION_ID}.commands`], policy: 'lossless' as const, capacityBytes: commandRingBytes })),
    ...strategies.map((s) => ({ from: `${s.id}.opportunities`, to: [`${RECORDER_ID}.opportunities`], policy: 'lossless' as const, capacityBytes: commandRingBytes })),
  ];
  // The recorder's own events topic is one no strategy's events use: it gets only the broadcasts (MarketRules among them).
  const eventReaders = [
    ...strategies.map((s) => ({
      endpoint: `${s.id}.events`,
      topics: [executionEventsTopic(s.id), ...venues.filter(([venue]) => strategyTopics(s, venue) !== null).map(([venue]) => executionBalancesTopic(venue))],
    })),
    ...(config.record ? [{ endpoint: `${MD_RECORDER_ID}.events`, topics: [executionEventsTopic(MD_RECORDER_ID)] }] : []),
  ];
  if (eventReaders.length > 0) channels.push({ from: `${EXECUTION_ID}.events`, to: eventReaders, policy: 'lossless', capacityBytes: eventRingBytes });
  for (const channel of channels) channel.transport = transport;
  return { actors, channels, ...(config.runtime.wait ? { defaults: { wait: { strategy: config.runtime.wait } } } : {}) };
}
