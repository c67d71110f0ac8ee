/**
 * Binance market-data WebSocket endpoints: raw streams (`/ws`, `/ws/<stream>`) and combined
 * streams (`/stream?streams=a/b`, wrapped as `{"stream":…,"data":…}`), the SUBSCRIBE /
 * UNSUBSCRIBE / LIST_SUBSCRIPTIONS methods, and what is published every tick.
 *
 * Futures hosts also accept ccxt's category paths (`/public/ws/<n>`, `/market/ws/<n>`); the
 * simulator serves every stream on every path rather than enforce the category split.
 * Depth diffs go out every tick (the stream's `@100ms` suffix only names the cadence),
 * bookTicker on every change of the best levels, tickers every second, mark price every
 * second (`@1s`) or three.
 */
import type { BadDataFault, BadDataField } from '../faults.js';
import type { InstrumentMarket } from '../market/venue-market.js';
import type { SimSocket } from '../streams.js';
import type { VenueContext, VenueTick, VenueWsEndpoint } from '../venue.js';
import { binanceId, type BinanceFlavor, type BinanceSymbols } from './binance-format.js';
import { bookTickerEvent, depthEvent, markPriceEvent, miniTickerEvent, tickerEvent } from './binance-stream-events.js';

const DEPTH_SUFFIXES = ['depth', 'depth@100ms', 'depth@250ms', 'depth@500ms', 'depth@0ms', 'depth@1000ms'];
const SYMBOL_CHANNELS = new Set([...DEPTH_SUFFIXES, 'bookTicker', 'ticker', 'miniTicker', 'markPrice', 'markPrice@1s', 'trade', 'aggTrade']);
const ALL_MARKET = new Set(['!bookTicker', '!ticker@arr', '!miniTicker@arr', '!markPrice@arr', '!markPrice@arr@1s']);

interface WsRequest {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

export class BinanceStreams {
  private lastTop = new Map<string, string>();
  private lastTickerMs = 0;
  private lastMark1sMs = 0;
  private lastMark3sMs = 0;

  constructor(
    private readonly flavor: BinanceFlavor,
    private readonly context: VenueContext,
    private readonly symbols: BinanceSymbols,
  ) {}

  /** Is `name` a stream this venue serves? */
  private valid(name: string): boolean {
    if (ALL_MARKET.has(name)) return this.flavor === 'usdm' || name.includes('icker@arr');
    const at = name.indexOf('@');
    if (at < 0) return false;
    const channel = name.slice(at + 1);
    if (channel.startsWith('markPrice') && this.flavor === 'spot') return false;
    return this.symbols.get(name.slice(0, at)) !== undefined && SYMBOL_CHANNELS.has(channel);
  }

  endpoints(host: string, paths: readonly string[]): VenueWsEndpoint[] {
    return paths.map((path) => ({
      host,
      path,
      open: (socket: SimSocket, query: string) => this.open(socket, path, query),
      message: (socket: SimSocket, text: string) => this.message(socket, text),
    }));
  }

  private open(socket: SimSocket, endpointPath: string, query: string): void {
    const combined = endpointPath.endsWith('/stream');
    if (combined) socket.frame = (topic, payload) => `{"stream":"${topic}","data":${payload}}`;
    const fromUrl = combined
      ? (new URLSearchParams(query).get('streams') ?? '').split('/')
      : socket.path.slice(endpointPath.length + 1).split('/');
    for (const name of fromUrl) if (name.includes('@') && this.valid(name)) this.context.streams.subscribe(socket, name);
  }

  private reply(socket: SimSocket, body: unknown): void {
    socket.send(JSON.stringify(body));
  }

  private message(socket: SimSocket, text: string): void {
    let request: WsRequest;
    try {
      request = JSON.parse(text) as WsRequest;
    } catch {
      return this.reply(socket, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
    }
    const id = request.id ?? null;
    const params = Array.isArray(request.params) ? request.params.filter((p): p is string => typeof p === 'string') : [];
    switch (request.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const invalid = params.find((name) => !this.valid(name));
        if (invalid !== undefined) return this.reply(socket, { error: { code: 2, msg: `Invalid request: invalid stream ${invalid}` }, id });
        for (const name of params) {
          if (request.method === 'SUBSCRIBE') this.context.streams.subscribe(socket, name);
          else this.context.streams.unsubscribe(socket, name);
        }
        return this.reply(socket, { result: null, id });
      }
      case 'LIST_SUBSCRIPTIONS':
        return this.reply(socket, { result: [...socket.topics], id });
      case 'SET_PROPERTY':
        return this.reply(socket, { result: null, id });
      case 'GET_PROPERTY':
        return this.reply(socket, { result: false, id });
      default:
        return this.reply(socket, { error: { code: 2, msg: 'Invalid request: unknown method' }, id });
    }
  }

  private fault(symbol: string, field: BadDataField): BadDataFault | undefined {
    return this.context.faults.takeBadData(this.context.spec.id, symbol, field);
  }

  private publish(topic: string, payload: () => string): void {
    this.context.streams.publishLazy(this.context.spec.id, topic, payload);
  }

  onTick(tick: VenueTick): void {
    for (const [symbol, update] of tick.depth) {
      const market = this.context.market.get(symbol);
      if (!market) continue;
      const prefix = binanceId(market.spec).toLowerCase();
      const fault = this.fault(symbol, 'book-size') ?? this.fault(symbol, 'timestamp-seconds');
      let encoded: string | undefined;
      for (const suffix of DEPTH_SUFFIXES) this.publish(`${prefix}@${suffix}`, () => (encoded ??= depthEvent(this.flavor, market, update, fault)));
    }
    this.publishBookTickers(tick.nowMs);
    if (tick.nowMs - this.lastTickerMs >= 1000) {
      this.lastTickerMs = tick.nowMs;
      this.publishPerSymbol('ticker', '!ticker@arr', (market) => tickerEvent(this.flavor, market, tick.nowMs));
      this.publishPerSymbol('miniTicker', '!miniTicker@arr', (market) => miniTickerEvent(this.flavor, market, tick.nowMs));
    }
    if (this.flavor === 'usdm') this.publishMarkPrices(tick.nowMs);
  }

  private publishBookTickers(nowMs: number): void {
    for (const market of this.context.market.instruments.values()) {
      const bid = market.book.bestBid();
      const ask = market.book.bestAsk();
      const top = `${bid?.[0]}:${bid?.[1]}:${ask?.[0]}:${ask?.[1]}`;
      if (this.lastTop.get(market.spec.symbol) === top) continue;
      this.lastTop.set(market.spec.symbol, top);
      const topic = `${binanceId(market.spec).toLowerCase()}@bookTicker`;
      let encoded: string | undefined;
      const payload = (): string => (encoded ??= bookTickerEvent(this.flavor, market, nowMs) ?? '{}');
      this.publish(topic, payload);
      if (this.flavor === 'usdm') this.publish('!bookTicker', payload);
    }
  }

  private publishMarkPrices(nowMs: number): void {
    const event = (market: InstrumentMarket): Record<string, unknown> => {
      const symbol = market.spec.symbol;
      return markPriceEvent(this.context.market, market, nowMs, this.fault(symbol, 'mark') ?? this.fault(symbol, 'timestamp-seconds'));
    };
    if (nowMs - this.lastMark1sMs >= 1000) {
      this.lastMark1sMs = nowMs;
      this.publishPerSymbol('markPrice@1s', '!markPrice@arr@1s', event);
    }
    if (nowMs - this.lastMark3sMs >= 3000) {
      this.lastMark3sMs = nowMs;
      this.publishPerSymbol('markPrice', '!markPrice@arr', event);
    }
  }

  /** One event per symbol to `<id>@<channel>` subscribers, and all of them as an array to `allTopic`. */
  private publishPerSymbol(channel: string, allTopic: string, event: (market: InstrumentMarket) => Record<string, unknown>): void {
    const all: Record<string, unknown>[] = [];
    const wantAll = this.context.streams.hasSubscribers(this.context.spec.id, allTopic);
    for (const market of this.context.market.instruments.values()) {
      const topic = `${binanceId(market.spec).toLowerCase()}@${channel}`;
      const wanted = this.context.streams.hasSubscribers(this.context.spec.id, topic);
      if (!wanted && !wantAll) continue;
      const body = event(market);
      if (wanted) this.context.streams.publish(this.context.spec.id, topic, JSON.stringify(body));
      if (wantAll) all.push(body);
    }
    if (wantAll && all.length > 0) this.context.streams.publish(this.context.spec.id, allTopic, JSON.stringify(all));
  }
}
