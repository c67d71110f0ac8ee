/**
 * Wires a pure strategy engine (src/trading/strategy) into the actor contract, the same way for
 * every strategy:
 *
 * - `md` messages update the market view in place (the hot path: no allocation beyond the
 *   book's own); a book or funding update then goes to the engine's tick path when it has one
 *   (onBookUpdate / onFundingUpdate), which may decide at once on that message;
 * - `events` go through the shared ledger (intents, positions, back-off, trading state; the event
 *   that answers an intent's last leg closes it), then to the engine for anything it keeps itself
 *   (spot inventory); `BalanceChanged` goes to the engine (engines that keep no balances ignore it);
 * - a timer every `evaluationIntervalMs` runs the engine's evaluation and sends what it decided:
 *   commands on `intents` first (latency), then the opportunities. It is the fallback (intents
 *   execution never answered, reporting); trades are meant to be decided on the tick path.
 *
 * Every order command is stamped with the path that decided it (`tick` or `timer`) and, on the
 * monotonic clock, when the handler began and when the decision was ready, so execution can
 * split tick-to-wire into stages.
 *
 * Timers are set in onStart, which runs after init and after a restore alike. So does the
 * position sync: the strategy asks execution for its journaled book (`SyncPositions`) and trades
 * nothing until `PositionsSynced` came (status: "waiting for execution's position sync"), so a
 * restart or a reload starts from what is held rather than from nothing or from a stale snapshot.
 */
import { message, type MarketDataMessage, type MessageOf, type OrderEventMessage } from '../../../src/protocol/index.js';
import { defineActor, type ActorContext, type ActorDefinition } from '../../../src/runtime/actor/actor.js';
import type { BookUpdate, FundingUpdate, StrategyLogic } from '../../../src/trading/strategy/logic.js';
import { stampDecision, type StrategyOutput } from '../../../src/trading/strategy/outputs.js';
import { applyOrderEvent, awaitSync } from '../../../src/trading/strategy/intent-book.js';
import { applyMarketData } from '../../../src/trading/strategy/market-view.js';
import type { CommonParams } from '../../../src/trading/strategy/params.js';
import type { BaseState, StrategyClock } from '../../../src/trading/strategy/state.js';

/** The evaluation timer's name (tests fire it by hand). */
export const EVALUATE_TIMER = 'evaluate';

function clockOf(ctx: ActorContext<unknown>): StrategyClock {
  const clock = ctx.clock;
  return { wallMs: () => clock.wallMs(), bookMs: () => clock.monoNs() / 1e6 };
}

export function strategyActor<S extends BaseState, P extends CommonParams>(engine: StrategyLogic<S, P>): ActorDefinition<S, P> {
  const send = (out: StrategyOutput, ctx: ActorContext<P>): void => {
    for (const command of out.commands) ctx.send('intents', command);
    for (const opportunity of out.opportunities) ctx.send('opportunities', opportunity);
  };
  const onMarketData = (state: S, message: MarketDataMessage): void => applyMarketData(state.market, message);
  // Book and funding updates may trigger an immediate decision: the tick-to-order path.
  type TickPath<M> = (state: S, message: M, params: P, nowMs: number) => StrategyOutput | null;
  const tickHandler = <M extends BookUpdate | FundingUpdate>(react: TickPath<M> | undefined) =>
    react
      ? (state: S, message: M, ctx: ActorContext<P>): void => {
          const inNs = ctx.clock.monoNs();
          applyMarketData(state.market, message);
          const out = react(state, message, ctx.params, ctx.clock.wallMs());
          if (out === null) return;
          stampDecision(out, 'tick', inNs, ctx.clock.monoNs());
          send(out, ctx);
        }
      : onMarketData;
  const onBook = tickHandler(engine.onBookUpdate?.bind(engine));
  const onFunding = tickHandler(engine.onFundingUpdate?.bind(engine));
  const onEvent = (state: S, message: OrderEventMessage, ctx: ActorContext<P>): void => {
    applyOrderEvent(state.ledger, message, ctx.clock.wallMs(), ctx.params.backoffMs, ctx.clock.monoNs());
    engine.onOrderEvent?.(state, message, ctx.params);
  };
  const onSync = (state: S, message: MessageOf<'PositionsSynced'>, ctx: ActorContext<P>): void => {
    onEvent(state, message, ctx);
    ctx.log.info({ positions: message.positions.length, intentsInFlight: message.intents.length }, 'position sync from execution: trading may start');
  };
  const onBalances = (state: S, message: MessageOf<'BalanceChanged'>, ctx: ActorContext<P>): void => engine.onBalanceChanged?.(state, message, ctx.params);
  return defineActor<S, P>({
    kind: 'strategy',
    version: engine.version,
    inputs: ['md', 'events'],
    outputs: ['intents', 'opportunities'],
    params: (raw) => engine.parseParams(raw),
    init: (ctx) => engine.init(ctx.actorId, ctx.params, clockOf(ctx)),
    onStart: (state, ctx) => {
      awaitSync(state.ledger);
      ctx.send('intents', message('SyncPositions', { ts: ctx.clock.monoNs(), strategyId: ctx.actorId }));
      ctx.setTimer(EVALUATE_TIMER, ctx.params.evaluationIntervalMs);
    },
    onMessage: {
      BookTop: onBook,
      BookLevels: onBook,
      FundingRate: onFunding,
      MarkPrice: onMarketData,
      VenueStatus: onMarketData,
      OrderAccepted: onEvent,
      OrderDenied: onEvent,
      OrderRejected: onEvent,
      PartiallyFilled: onEvent,
      Filled: onEvent,
      Canceled: onEvent,
      PositionChanged: onEvent,
      FundingSettled: onEvent,
      PositionsSynced: onSync,
      LegImbalanceUpdated: onEvent,
      TradingStateChanged: onEvent,
      BalanceChanged: onBalances,
      MarketRules: (state: S, message: MessageOf<'MarketRules'>) => state.rules.apply(message),
    },
    onTimer(state, name, ctx) {
      if (name !== EVALUATE_TIMER) return;
      const inNs = ctx.clock.monoNs();
      const out = engine.evaluate(state, ctx.params, ctx.clock.wallMs());
      stampDecision(out, 'timer', inNs, ctx.clock.monoNs());
      send(out, ctx);
    },
    snapshot: (state) => engine.snapshot(state),
    ...(engine.downgrades ? { downgrades: engine.downgrades } : {}),
    restore: (snapshot, fromVersion, ctx) => engine.restore(snapshot, fromVersion, ctx.actorId, ctx.params, clockOf(ctx)),
    status: (state) => engine.status(state),
  });
}
