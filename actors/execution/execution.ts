/**
 * The execution actor: the only worker with credentials and the only one that places orders.
 *
 * Thin by design: it opens the journal (src/store), builds the venues for the mode
 * (src/venues/trade) and hands every command, market-data message, timer tick and control-plane
 * command to the execution core (src/execution). Events go out on `events` with the topic
 * `exec.events.<strategyId>`, so each strategy receives only its own; `TradingStateChanged` is broadcast;
 * `BalanceChanged` goes with `exec.balances.<venue>` to the strategies wired to the venue.
 *
 * Control plane: `halt` (the kill switch: HALTED, cancel everything), `reduce`, `resume`, `cancelAll`.
 *
 * @example graph config
 * { "id": "execution", "module": "actors/execution/execution.ts", "credentials": true,
 *   "params": { "mode": "sim", "simUrl": "http://127.0.0.1:8900", "venues": [{ "id": "binanceusdm" }], "dataDir": "data" } }
 */
import { executionBalancesTopic, executionEventsTopic, type CommandMessage, type MarketDataMessage } from '../../src/protocol/index.js';
import { defineActor, type ActorContext } from '../../src/runtime/actor/actor.js';
import { openJournal } from '../../src/store/index.js';
import { ExecutionCore } from '../../src/execution/core.js';
import type { EventSink } from '../../src/execution/events.js';
import { parseExecutionParams, type ExecutionParams } from '../../src/execution/params.js';
import { createTradeVenues } from '../../src/venues/trade/venue-factory.js';

interface State {
  readonly core: ExecutionCore;
}

type Ctx = ActorContext<ExecutionParams>;

/** Paper time, order polls and multi-leg deadlines advance on this beat. */
const TICK_MS = 50;

function eventSink(ctx: Ctx): EventSink {
  // topicKey does string work: intern each strategy's topic once.
  const keys = new Map<string, number>();
  const venueKeys = new Map<string, number>();
  return {
    toStrategy(strategyId, message) {
      let key = keys.get(strategyId);
      if (key === undefined) keys.set(strategyId, (key = ctx.topicKey('events', executionEventsTopic(strategyId))));
      ctx.send('events', message, key);
    },
    broadcast: (message) => ctx.send('events', message, 0),
    toVenue(venue, message) {
      let key = venueKeys.get(venue);
      if (key === undefined) venueKeys.set(venue, (key = ctx.topicKey('events', executionBalancesTopic(venue))));
      ctx.send('events', message, key);
    },
  };
}

async function init(ctx: Ctx): Promise<State> {
  const params = ctx.params;
  const journal = openJournal({ dataDir: params.dataDir, fileName: params.journalFile, durability: params.durability });
  try {
    const core = await ExecutionCore.create({
      params,
      journal,
      createVenues: (book, nowMs) => createTradeVenues(params, book, nowMs),
      sink: eventSink(ctx),
      log: ctx.log,
      counters: { count: (name, by) => ctx.count(name, by), reportError: (reason, error) => ctx.reportError(reason, error) },
      track: (work, what) => ctx.track(work, what),
      nowMs: () => ctx.clock.wallMs(),
      delay: (delayMs) => new Promise<void>((resolve) => ctx.after(delayMs, resolve, 'delay')),
    });
    ctx.log.info({ mode: params.mode, venues: params.venues.map((v) => v.id), journal: journal.path, durability: journal.durability }, 'execution ready; reconciling');
    return { core };
  } catch (error) {
    journal.close();
    throw error;
  }
}

// The sender comes from the wiring, so a strategy cannot act under another strategy's id. The
// command is journaled as the ring delivered it (messageBytes() is always set inside onMessage).
const command = (state: State, message: CommandMessage, ctx: Ctx): void => state.core.onCommand(message, ctx.messageBytes()!, ctx.origin());
const marketData = (state: State, message: MarketDataMessage): void => state.core.onMarketData(message);
const reasonOf = (args: unknown): string => {
  const reason = (args as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && reason !== '' ? reason.slice(0, 200) : 'operator request';
};
const textArg = (args: unknown, name: string): string | undefined => {
  const value = (args as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

export default defineActor<State, ExecutionParams>({
  kind: 'execution',
  version: '1',
  reloadable: false,
  credentials: true,
  inputs: ['commands', 'md'],
  outputs: ['events'],
  params: parseExecutionParams,
  init,
  onStart(state, ctx) {
    state.core.start();
    ctx.setTimer('tick', TICK_MS);
  },
  onMessage: {
    SubmitOrder: command,
    SubmitMultiLeg: command,
    CancelOrder: command,
    CancelAll: command,
    SyncPositions: command,
    BookTop: marketData,
    BookLevels: marketData,
    MarkPrice: marketData,
    FundingRate: marketData,
    VenueStatus: marketData,
    /** Replay only: a market's rules, recorded with the market data. */
    MarketRules: (state, rules) => state.core.onRecordedRules(rules),
  },
  // The batch's commands and state changes were journaled in one group: commit it, then send.
  onBatchEnd(state) {
    state.core.endBatch();
  },
  onTimer(state) {
    state.core.onTick();
  },
  onCommand: {
    /** The kill switch: `{ reason }` → HALTED, every open order canceled. */
    halt: (state, args) => state.core.halt(reasonOf(args)),
    resume: (state, args) => state.core.setState('ACTIVE', reasonOf(args)),
    /** Only risk-reducing orders pass until `resume`. */
    reduce: (state, args) => state.core.setState('REDUCING', reasonOf(args)),
    /** Waits for every venue's markets: the configured symbols a venue does not list (the system's start checks it is none). */
    unlistedSymbols: (state) => state.core.unlistedSymbols(),
    /** `{ strategyId?, venue? }`: cancel matching open orders; the trading state is unchanged. */
    cancelAll: (state, args) => state.core.cancelAll({ strategyId: textArg(args, 'strategyId'), venue: textArg(args, 'venue') }),
  },
  onStop: (state) => state.core.close(),
  status: (state) => state.core.status(),
});
