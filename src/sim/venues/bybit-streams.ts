/**
 * Bybit v5 public WebSocket (`/v5/public/spot`, `/v5/public/linear`): `{"op":"subscribe",
 * "req_id":…,"args":[topics]}`, acknowledged with `{"success":true,"ret_msg":"","conn_id":…,
 * "req_id":…,"op":"subscribe"}`; a topic already subscribed on the socket is refused, as bybit
 * does.
 *
 * - `orderbook.{1|50|200|500|1000}.{SYMBOL}`: a snapshot, then deltas `{"s","b","a","u","seq"}`.
 *   `u` counts messages per book (the core's event sequence, so a swallowed event leaves a gap
 *   of exactly one) and `seq` is the cross sequence (the book's update id). Depth 1 is pushed
 *   as a snapshot on every change of the top, which is how bybit serves level 1. Every book
 *   here has fewer levels than 50, so all deeper topics carry the same data.
 * - `tickers.{SYMBOL}`: spot pushes snapshots; linear pushes a snapshot, then deltas of the
 *   fields that changed (mark, index, `fundingRate`, `nextFundingTime`, best bid/ask…).
 * - keep-alive: `{"op":"ping"}` is answered on linear with `{"success":true,"ret_msg":"pong",
 *   "op":"ping",…}` and on spot with `{"op":"pong","args":[ms],…}` (both shapes are bybit's).
 */
import { randomUUID } from 'node:crypto';
import type { DepthUpdate } from '../market/book.js';
import type { InstrumentMarket } from '../market/venue-market.js';
import type { SimSocket } from '../streams.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueTick, VenueWsEndpoint } from '../venue.js';
import { levelsJson, tickerJson } from './bybit-format.js';
import { bybitId, categoryOf, type BybitCategory, type BybitSymbols } from './bybit-http.js';
import { SnapshotQueue } from './ws-snapshots.js';

const DEPTHS: Record<BybitCategory, readonly number[]> = { spot: [1, 50, 200, 1000], linear: [1, 50, 200, 500] };
const TICKER_INTERVAL_MS = 100;
/** Fields a spot WebSocket ticker carries (the REST ticker adds best bid/ask). */
const SPOT_WS_TICKER = ['symbol', 'lastPrice', 'highPrice24h', 'lowPrice24h', 'prevPrice24h', 'volume24h', 'turnover24h', 'price24hPcnt', 'usdIndexPrice'];

interface WsRequest {
  readonly op?: unknown;
  readonly req_id?: unknown;
  readonly args?: unknown;
}

/** Spot and linear share topic names (`orderbook.50.BTCUSDT`): the hub keys them by category too. */
const hubTopic = (category: BybitCategory, topic: string): string => `${category}|${topic}`;

type Topic = { readonly kind: 'orderbook'; readonly depth: number; readonly spec: InstrumentSpec } | { readonly kind: 'tickers'; readonly spec: InstrumentSpec };

export class BybitStreams {
  private readonly snapshots: SnapshotQueue;
  private readonly topSent = new Map<string, string>();
  private readonly topSequence = new Map<string, number>();
  private readonly tickerSent = new Map<string, Record<string, string>>();
  private lastTickerMs = 0;

  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BybitSymbols,
  ) {
    this.snapshots = new SnapshotQueue(context.streams);
  }

  endpoints(host: string): VenueWsEndpoint[] {
    return (['spot', 'linear'] as const).map((category) => ({
      host,
      path: `/v5/public/${category}`,
      open: (socket: SimSocket) => {
        socket.state.category = category;
        socket.state.connId = randomUUID();
      },
      message: (socket: SimSocket, text: string) => this.message(socket, text),
    }));
  }

  private parseTopic(category: BybitCategory, topic: string): Topic | undefined {
    const parts = topic.split('.');
    if (parts[0] === 'orderbook' && parts.length === 3) {
      const depth = Number(parts[1]);
      const spec = this.symbols.get(`${category}:${parts[2]}`);
      return spec && DEPTHS[category].includes(depth) ? { kind: 'orderbook', depth, spec } : undefined;
    }
    const spec = parts[0] === 'tickers' && parts.length === 2 ? this.symbols.get(`${category}:${parts[1]}`) : undefined;
    return spec ? { kind: 'tickers', spec } : undefined;
  }

  private reply(socket: SimSocket, request: WsRequest, op: string, success: boolean, message: string): void {
    const reqId = request.req_id === undefined ? {} : { req_id: String(request.req_id) };
    socket.send(JSON.stringify({ success, ret_msg: message, conn_id: socket.state.connId, ...reqId, op }));
  }

  private message(socket: SimSocket, text: string): void {
    let request: WsRequest;
    try {
      request = JSON.parse(text) as WsRequest;
    } catch {
      return socket.send(JSON.stringify({ success: false, ret_msg: 'error:invalid op', conn_id: socket.state.connId, request: { op: '', args: null } }));
    }
    const topics = Array.isArray(request.args) ? request.args.filter((arg): arg is string => typeof arg === 'string') : [];
    switch (request.op) {
      case 'ping':
        return this.pong(socket, request);
      case 'subscribe':
        return this.subscribe(socket, request, topics);
      case 'unsubscribe':
        for (const topic of topics) {
          const key = hubTopic(socket.state.category as BybitCategory, topic);
          this.context.streams.unsubscribe(socket, key);
          this.snapshots.remove(socket, key);
        }
        return this.reply(socket, request, 'unsubscribe', true, '');
      default:
        return this.reply(socket, request, String(request.op ?? ''), false, 'error:invalid op');
    }
  }

  private pong(socket: SimSocket, request: WsRequest): void {
    if (socket.state.category === 'linear') return this.reply(socket, request, 'ping', true, 'pong');
    const reqId = request.req_id === undefined ? {} : { req_id: String(request.req_id) };
    socket.send(JSON.stringify({ ...reqId, op: 'pong', args: [String(this.context.clock.nowMs())], conn_id: socket.state.connId }));
  }

  private subscribe(socket: SimSocket, request: WsRequest, topics: readonly string[]): void {
    const category = socket.state.category as BybitCategory;
    const parsed = topics.map((topic) => ({ topic, parsed: this.parseTopic(category, topic) }));
    const unknown = parsed.find((entry) => !entry.parsed);
    if (unknown || topics.length === 0) return this.reply(socket, request, 'subscribe', false, `error:handler not found,topic:${unknown?.topic ?? ''}`);
    const taken = topics.find((topic) => socket.topics.has(hubTopic(category, topic)) || this.snapshots.isPending(socket, hubTopic(category, topic)));
    if (taken !== undefined) return this.reply(socket, request, 'subscribe', false, `error:already subscribed,topic:${taken}`);
    this.reply(socket, request, 'subscribe', true, '');
    for (const { topic, parsed: target } of parsed) {
      const market = this.context.market.get((target as Topic).spec.symbol) as InstrumentMarket;
      const snapshot = target?.kind === 'orderbook' ? () => this.bookFrame(topic, market, target.depth) : () => this.tickerSnapshot(topic, market);
      this.snapshots.add(socket, hubTopic(category, topic), snapshot);
    }
  }

  /** A book snapshot: the published state, `u` the sequence the next delta continues from. */
  private bookFrame(topic: string, market: InstrumentMarket, depth: number): string {
    const { spec, book } = market;
    const snapshot = book.snapshot(depth);
    const u = depth === 1 ? (this.topSequence.get(spec.symbol) ?? 1) : book.eventSequence;
    const now = this.context.clock.nowMs();
    const data = { s: bybitId(spec), b: levelsJson(spec, snapshot.bids), a: levelsJson(spec, snapshot.asks), u, seq: snapshot.lastUpdateId };
    return JSON.stringify({ topic, type: 'snapshot', ts: now, data, cts: now });
  }

  private deltaFrame(topic: string, spec: InstrumentSpec, update: DepthUpdate): string {
    const data = { s: bybitId(spec), b: levelsJson(spec, update.bids), a: levelsJson(spec, update.asks), u: update.sequence, seq: update.lastUpdateId };
    return JSON.stringify({ topic, type: 'delta', ts: update.timeMs, data, cts: update.timeMs });
  }

  private publish(spec: InstrumentSpec, topic: string, payload: () => string): void {
    this.context.streams.publishLazy(this.context.spec.id, hubTopic(categoryOf(spec), topic), payload);
  }

  onTick(tick: VenueTick): void {
    for (const [symbol, update] of tick.depth) {
      const market = this.context.market.get(symbol);
      if (!market) continue;
      const id = bybitId(market.spec);
      for (const depth of DEPTHS[categoryOf(market.spec)]) {
        if (depth > 1) this.publish(market.spec, `orderbook.${depth}.${id}`, () => this.deltaFrame(`orderbook.${depth}.${id}`, market.spec, update));
      }
    }
    for (const market of this.context.market.instruments.values()) this.publishTop(market);
    if (tick.nowMs - this.lastTickerMs >= TICKER_INTERVAL_MS) {
      this.lastTickerMs = tick.nowMs;
      for (const market of this.context.market.instruments.values()) this.publishTicker(market);
    }
    // Last: new subscribers get the state this tick's diffs just brought everyone else to.
    this.snapshots.flush();
  }

  private publishTop(market: InstrumentMarket): void {
    const bid = market.book.bestBid();
    const ask = market.book.bestAsk();
    const top = `${bid?.[0]}:${bid?.[1]}:${ask?.[0]}:${ask?.[1]}`;
    const { symbol } = market.spec;
    if (this.topSent.get(symbol) === top) return;
    this.topSent.set(symbol, top);
    this.topSequence.set(symbol, (this.topSequence.get(symbol) ?? 0) + 1);
    const topic = `orderbook.1.${bybitId(market.spec)}`;
    this.publish(market.spec, topic, () => this.bookFrame(topic, market, 1));
  }

  private currentTicker(market: InstrumentMarket): Record<string, string> {
    const full = tickerJson(this.context.market, market);
    if (market.spec.kind !== 'spot') return full;
    return Object.fromEntries(SPOT_WS_TICKER.map((key) => [key, full[key] as string]));
  }

  private tickerFrame(topic: string, type: 'snapshot' | 'delta', data: Record<string, string>, market: InstrumentMarket): string {
    return JSON.stringify({ topic, type, data, cs: market.book.updateId, ts: this.context.clock.nowMs() });
  }

  /** Linear pushes only what changed since the last push; spot always pushes the whole ticker. */
  private publishTicker(market: InstrumentMarket): void {
    const topic = `tickers.${bybitId(market.spec)}`;
    const key = hubTopic(categoryOf(market.spec), topic);
    if (!this.context.streams.hasSubscribers(this.context.spec.id, key)) return;
    const current = this.currentTicker(market);
    const previous = this.tickerSent.get(key);
    this.tickerSent.set(key, current);
    if (market.spec.kind === 'spot' || !previous) return this.context.streams.publish(this.context.spec.id, key, this.tickerFrame(topic, 'snapshot', current, market));
    const changed = Object.entries(current).filter(([field, value]) => field !== 'symbol' && previous[field] !== value);
    if (changed.length === 0) return;
    const delta = { symbol: current.symbol as string, ...Object.fromEntries(changed) };
    this.context.streams.publish(this.context.spec.id, key, this.tickerFrame(topic, 'delta', delta, market));
  }

  /** What a new ticker subscriber starts from: exactly what the others were last sent. */
  private tickerSnapshot(topic: string, market: InstrumentMarket): string {
    const key = hubTopic(categoryOf(market.spec), topic);
    let sent = this.tickerSent.get(key);
    if (!sent || market.spec.kind === 'spot') {
      sent = this.currentTicker(market);
      this.tickerSent.set(key, sent);
    }
    return this.tickerFrame(topic, 'snapshot', sent, market);
  }
}
