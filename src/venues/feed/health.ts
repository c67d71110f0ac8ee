/**
 * Feed health: per-stream states rolled up per symbol and per venue, published as
 * `VenueStatus` whenever a rolled-up state changes (never per message).
 *
 *   stream:  connecting → up ⇄ stale        (watchdog: no update within its interval)
 *                          ↘ down → up      (the connection failed; reconnecting)
 *   symbol:  the worst of its streams (up < stale < down; connecting counts as down); an up
 *            symbol whose data is being rejected is degraded, and up again once good data flows
 *   venue:   every symbol up → up; none up or degraded → down (or stale when nothing is down); else degraded
 *
 * Strategies treat `stale` and `down` as absent data (trading/book.ts), and a venue-wide status
 * covers every symbol, so a venue is only ever `stale`/`down` as a whole when nothing flows.
 */
import { blankMessage, marketDataTopic, type MessageOf, type StreamState, type VenueState } from '../../protocol/index.js';
import { monoNowNs } from '../../base/clock.js';
import type { FeedSink } from './sink.js';

/** What health needs from a stream. */
export interface StreamHealth {
  readonly name: string;
  readonly state: StreamState;
  readonly reason: string;
}

interface SymbolHealth {
  readonly streams: StreamHealth[];
  /** Set when the symbol cannot run at all (not listed on the venue). */
  unavailable: string | undefined;
  /** Set while the symbol's data is being rejected (the first reason). */
  rejecting: string | undefined;
  state: VenueState | undefined;
  reason: string;
  readonly message: MessageOf<'VenueStatus'>;
  readonly key: number;
}

const RANK: Readonly<Record<StreamState, number>> = { up: 0, stale: 1, connecting: 2, down: 2 };

export class FeedHealth {
  state: VenueState | undefined;
  reason = '';
  private readonly venueMessage = blankMessage('VenueStatus');
  private readonly venueKey: number;
  private readonly symbols = new Map<string, SymbolHealth>();
  /** Before the streams exist (loading markets), the venue's state is set directly. */
  private preStart: { state: VenueState; reason: string } | undefined = { state: 'down', reason: 'starting' };

  constructor(
    private readonly venue: string,
    private readonly sink: FeedSink,
  ) {
    this.venueMessage.venue = venue;
    this.venueKey = sink.topicKey(marketDataTopic('status', venue, ''));
  }

  addSymbol(symbol: string): void {
    const message = blankMessage('VenueStatus');
    message.venue = this.venue;
    message.symbol = symbol;
    const key = this.sink.topicKey(marketDataTopic('status', this.venue, symbol));
    const entry: SymbolHealth = { streams: [], unavailable: undefined, rejecting: undefined, state: undefined, reason: '', message, key };
    this.symbols.set(symbol, entry);
  }

  addStream(symbol: string, stream: StreamHealth): void {
    this.symbols.get(symbol)?.streams.push(stream);
  }

  markUnavailable(symbol: string, reason: string): void {
    const entry = this.symbols.get(symbol);
    if (entry) entry.unavailable = reason;
  }

  /** The symbol's data is being rejected (`reason`), or flows good again (undefined). Called on changes only. */
  setRejecting(symbol: string, reason: string | undefined): void {
    const entry = this.symbols.get(symbol);
    if (!entry) return;
    entry.rejecting = reason;
    this.update();
  }

  /** The venue's state while no stream runs yet (markets loading, or failing to load). */
  setPreStart(state: VenueState, reason: string): void {
    this.preStart = { state, reason };
    this.update();
  }

  /** Streams run from here on: the venue's state is rolled up from them. */
  started(): void {
    this.preStart = undefined;
    this.update();
  }

  symbolState(symbol: string): { state: VenueState; reason: string } {
    const entry = this.symbols.get(symbol);
    return { state: entry?.state ?? 'down', reason: entry?.reason ?? 'unknown symbol' };
  }

  /** Recomputes every rolled-up state and publishes the ones that changed. Called on stream state changes. */
  update(): void {
    let up = 0;
    let degraded = 0;
    let down = 0;
    let firstProblem: string | undefined;
    for (const [symbol, entry] of this.symbols) {
      const [state, reason] =
        entry.unavailable !== undefined ? (['down', entry.unavailable] as const) : this.preStart ? (['down', this.preStart.reason] as const) : rollUp(entry.streams, entry.rejecting);
      if (state !== entry.state) this.publish(entry.message, entry.key, state, reason);
      entry.state = state;
      entry.reason = reason;
      if (state === 'up') up++;
      else {
        if (state === 'degraded') degraded++;
        if (state === 'down') down++;
        firstProblem ??= `${symbol} ${state} (${reason})`;
      }
    }
    const total = this.symbols.size;
    const [state, reason] = this.preStart
      ? [this.preStart.state, this.preStart.reason]
      : up === total
        ? (['up', ''] as const)
        : ([up + degraded > 0 ? 'degraded' : down > 0 ? 'down' : 'stale', `${total - up} of ${total} symbols not up: ${firstProblem}`] as const);
    if (state !== this.state) {
      this.publish(this.venueMessage, this.venueKey, state, reason);
      this.sink.log[state === 'up' ? 'info' : 'warn']({ venue: this.venue, state, reason }, `feed ${this.venue} is ${state}`);
    }
    this.state = state;
    this.reason = reason;
  }

  private publish(message: MessageOf<'VenueStatus'>, key: number, state: VenueState, reason: string): void {
    message.ts = monoNowNs();
    message.state = state;
    message.reason = reason;
    this.sink.send(message, key);
  }
}

function rollUp(streams: readonly StreamHealth[], rejecting: string | undefined): readonly [VenueState, string] {
  let worst: StreamHealth | undefined;
  for (const stream of streams) if (worst === undefined || RANK[stream.state] > RANK[worst.state]) worst = stream;
  if (worst === undefined) return ['down', 'no streams'];
  if (worst.state === 'up') return rejecting === undefined ? ['up', ''] : ['degraded', `rejecting data: ${rejecting}`];
  return [worst.state === 'connecting' ? 'down' : worst.state, `${worst.name}: ${worst.reason}`];
}
