/**
 * OKX v5 public WebSocket (`/ws/v5/public`): `{"op":"subscribe","args":[{"channel","instId"}]}`,
 * acknowledged per argument with `{"event":"subscribe","arg":{…},"connId":…}`; keep-alive is
 * the text `ping`, answered with `pong`.
 *
 * - `books`: a snapshot, then updates with `seqId` (the book's update id) and `prevSeqId` (the
 *   previous update's; -1 on the snapshot) and the CRC32 `checksum` of the top 25 levels. A
 *   subscribe for a channel already subscribed starts over with a fresh snapshot, which is how
 *   a client that saw a gap (ccxt raises InvalidNonce, then subscribes again) resynchronises.
 * - `books5` (top 5, whole, on every change), `bbo-tbt` (top of book on every change).
 * - `tickers` (every 100 ms on change), `mark-price` (every 200 ms on change),
 *   `funding-rate` (every second; okx itself pushes every 30-90 s).
 */
import { randomBytes } from 'node:crypto';
import type { DepthUpdate } from '../market/book.js';
import type { InstrumentMarket } from '../market/venue-market.js';
import type { SimSocket } from '../streams.js';
import type { VenueContext, VenueTick, VenueWsEndpoint } from '../venue.js';
import { bookChecksum, fundingRateJson, levelsJson, markPriceJson, tickerJson } from './okx-format.js';
import { okxId, type OkxSymbols } from './okx-http.js';
import { SnapshotQueue } from './ws-snapshots.js';

const CHANNELS = new Set(['books', 'books5', 'bbo-tbt', 'tickers', 'funding-rate', 'mark-price']);
const TIMED: readonly { channel: string; intervalMs: number }[] = [
  { channel: 'tickers', intervalMs: 100 },
  { channel: 'mark-price', intervalMs: 200 },
  { channel: 'funding-rate', intervalMs: 1_000 },
];

interface Arg {
  readonly channel: string;
  readonly instId: string;
}

interface WsRequest {
  readonly id?: unknown;
  readonly op?: unknown;
  readonly args?: unknown;
}

const topicOf = (arg: Arg): string => `${arg.channel}:${arg.instId}`;

export class OkxStreams {
  private readonly snapshots: SnapshotQueue;
  private readonly topSent = new Map<string, string>();
  /** Last payload pushed per timed topic (pushed again only when it changed). */
  private readonly timedSent = new Map<string, string>();
  private readonly timedAt = new Map<string, number>();

  constructor(
    private readonly context: VenueContext,
    private readonly symbols: OkxSymbols,
  ) {
    this.snapshots = new SnapshotQueue(context.streams);
  }

  endpoints(host: string): VenueWsEndpoint[] {
    return [
      {
        host,
        path: '/ws/v5/public',
        open: (socket: SimSocket) => void (socket.state.connId = randomBytes(4).toString('hex')),
        message: (socket: SimSocket, text: string) => this.message(socket, text),
      },
    ];
  }

  private send(socket: SimSocket, body: Record<string, unknown>): void {
    socket.send(JSON.stringify({ ...body, connId: socket.state.connId }));
  }

  private message(socket: SimSocket, text: string): void {
    if (text === 'ping') return socket.send('pong');
    let request: WsRequest;
    try {
      request = JSON.parse(text) as WsRequest;
    } catch {
      return this.send(socket, { event: 'error', code: '60012', msg: `Illegal request: ${text}` });
    }
    const op = request.op;
    const args = Array.isArray(request.args) ? (request.args as Arg[]) : [];
    if ((op !== 'subscribe' && op !== 'unsubscribe') || args.length === 0) return this.send(socket, { event: 'error', code: '60012', msg: `Illegal request: ${text}` });
    const id = request.id === undefined ? {} : { id: String(request.id) };
    for (const arg of args) {
      const market = this.marketOf(arg);
      if (!market) {
        const msg = `Wrong URL or channel:${String(arg?.channel)},instId:${String(arg?.instId)} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`;
        return this.send(socket, { ...id, event: 'error', code: '60018', msg });
      }
      const topic = topicOf(arg);
      this.context.streams.unsubscribe(socket, topic);
      this.snapshots.remove(socket, topic);
      this.send(socket, { ...id, event: op, arg: { channel: arg.channel, instId: arg.instId } });
      if (op === 'subscribe') this.snapshots.add(socket, topic, () => this.firstPush(arg, market));
    }
  }

  private marketOf(arg: Arg | undefined): InstrumentMarket | undefined {
    if (!arg || typeof arg.channel !== 'string' || !CHANNELS.has(arg.channel)) return undefined;
    const spec = this.symbols.get(arg.instId);
    if (!spec || (arg.channel === 'funding-rate' && spec.kind !== 'perp')) return undefined;
    return this.context.market.get(spec.symbol);
  }

  /** What a new subscriber receives first: the `books` snapshot, or the channel's current push. */
  private firstPush(arg: Arg, market: InstrumentMarket): string {
    if (arg.channel === 'books') return this.booksFrame(market, 'snapshot', undefined);
    if (arg.channel === 'books5' || arg.channel === 'bbo-tbt') return this.topFrame(arg.channel, market);
    return this.frame(arg, this.timedPayload(arg.channel, market));
  }

  private frame(arg: Arg, data: unknown): string {
    return JSON.stringify({ arg: { channel: arg.channel, instId: arg.instId }, data: [data] });
  }

  private booksFrame(market: InstrumentMarket, action: 'snapshot' | 'update', update: DepthUpdate | undefined): string {
    const { spec, book } = market;
    const full = book.snapshot(400);
    const checksum = bookChecksum(levelsJson(spec, full.bids.slice(0, 25)), levelsJson(spec, full.asks.slice(0, 25)));
    const levels = update ?? full;
    const data = {
      asks: levelsJson(spec, levels.asks),
      bids: levelsJson(spec, levels.bids),
      ts: String(this.context.clock.nowMs()),
      checksum,
      prevSeqId: update ? update.previousUpdateId : -1,
      seqId: update ? update.lastUpdateId : full.lastUpdateId,
    };
    return JSON.stringify({ arg: { channel: 'books', instId: okxId(spec) }, action, data: [data] });
  }

  /** `books5` (the top 5, whole) or `bbo-tbt` (the top level). */
  private topFrame(channel: 'books5' | 'bbo-tbt', market: InstrumentMarket): string {
    const { spec, book } = market;
    const top = book.snapshot(channel === 'books5' ? 5 : 1);
    const data = { asks: levelsJson(spec, top.asks), bids: levelsJson(spec, top.bids), ...(channel === 'books5' ? { instId: okxId(spec) } : {}), ts: String(this.context.clock.nowMs()), seqId: top.lastUpdateId };
    return this.frame({ channel, instId: okxId(spec) }, data);
  }

  private timedPayload(channel: string, market: InstrumentMarket): Record<string, string> {
    const now = this.context.clock.nowMs();
    if (channel === 'tickers') return tickerJson(market, now);
    if (channel === 'mark-price') return markPriceJson(this.context.market, market, now);
    return fundingRateJson(this.context.market, market, now);
  }

  onTick(tick: VenueTick): void {
    for (const [symbol, update] of tick.depth) {
      const market = this.context.market.get(symbol);
      if (!market) continue;
      const instId = okxId(market.spec);
      this.context.streams.publishLazy(this.context.spec.id, `books:${instId}`, () => this.booksFrame(market, 'update', update));
      this.context.streams.publishLazy(this.context.spec.id, `books5:${instId}`, () => this.topFrame('books5', market));
    }
    for (const market of this.context.market.instruments.values()) {
      this.publishTop(market);
      for (const { channel, intervalMs } of TIMED) this.publishTimed(channel, intervalMs, market, tick.nowMs);
    }
    // Last: new subscribers get the state this tick's diffs just brought everyone else to.
    this.snapshots.flush();
  }

  private publishTop(market: InstrumentMarket): void {
    const bid = market.book.bestBid();
    const ask = market.book.bestAsk();
    const top = `${bid?.[0]}:${bid?.[1]}:${ask?.[0]}:${ask?.[1]}`;
    if (this.topSent.get(market.spec.symbol) === top) return;
    this.topSent.set(market.spec.symbol, top);
    this.context.streams.publishLazy(this.context.spec.id, `bbo-tbt:${okxId(market.spec)}`, () => this.topFrame('bbo-tbt', market));
  }

  private publishTimed(channel: string, intervalMs: number, market: InstrumentMarket, nowMs: number): void {
    const arg = { channel, instId: okxId(market.spec) };
    const topic = topicOf(arg);
    if (!this.context.streams.hasSubscribers(this.context.spec.id, topic) || nowMs - (this.timedAt.get(topic) ?? 0) < intervalMs) return;
    this.timedAt.set(topic, nowMs);
    const { ts: _ts, ...content } = this.timedPayload(channel, market);
    const fingerprint = JSON.stringify(content);
    if (this.timedSent.get(topic) === fingerprint) return;
    this.timedSent.set(topic, fingerprint);
    this.context.streams.publish(this.context.spec.id, topic, this.frame(arg, { ...content, ts: String(nowMs) }));
  }
}
