/**
 * The last step before the ring: sanity checks and publishing for one (venue, symbol).
 *
 * Hot path. Each kind of message is one object allocated here once and mutated for every send
 * (the codec copies the bytes out), and each topic key is interned once, so publishing does no
 * string work and allocates nothing beyond what ccxt already did. Rejections are the exception
 * path: they build an error for the rate-limited report and count under their reason.
 */
import type { OrderBook } from 'ccxt';
import { blankMessage, topicOf, type MarketDataMessage, type MessageOf } from '../../protocol/index.js';
import { arbiterError } from '../../base/errors.js';
import { ReportLimiter } from '../../base/report-limiter.js';
import { PriceBand, type PriceBandOptions } from '../../trading/market/price-band.js';
import type { FeedSink, Verdict } from './sink.js';

export interface OutputChecks {
  /** Levels per side in `BookLevels` (0: none). */
  readonly levels: number;
  /** Whether book updates also publish `BookTop` (false when the top comes from a best bid/ask stream). */
  readonly topFromBook: boolean;
  readonly maxAbsFundingRate: number;
  /** Tops (their mid) and marks must stay within this band of the symbol's recent accepted prices. */
  readonly priceBand: PriceBandOptions;
  /** A venue timestamp further than this from the wall clock (either way) is implausible (0: none sent). */
  readonly maxTimestampSkewMs: number;
}

/** Told when a symbol starts being rejected (with the reason) and when good data flows again (undefined). */
export type RejectingListener = (symbol: string, reason: string | undefined) => void;

/** What a symbol's output publishes, each with its own rejecting state (a bit in `SymbolOutput.rejecting`). */
const TOP = 1;
const MARK = 2;
const FUNDING = 4;
/** Good data must flow this long after the last rejection before the symbol counts as up again (no flapping status). */
const RECOVER_NS = 1e9;
const WALL_RESYNC_NS = 1e9;

/** A reason that keeps recurring (a venue sending the same bad field every second) is reported this often. */
const REPORT_EVERY_MS = 30_000;

/**
 * Rejected updates by reason, shared by a venue's outputs. Every one is counted (here, for the
 * status, and as the actor counter `rejected.<reason>`); each reason is reported (logged) at
 * most once per 30 s, with how many were not reported since.
 */
export class Rejections {
  readonly byReason: Record<string, number> = Object.create(null);
  private readonly limiter = new ReportLimiter(REPORT_EVERY_MS);

  constructor(
    private readonly sink: FeedSink,
    private readonly venue: string,
  ) {}

  reject(reason: string, symbol: string, detail: string): 'rejected' {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    this.sink.count(`rejected.${reason}`);
    const held = this.limiter.admit(reason, Date.now());
    if (held !== undefined) {
      const where = symbol === '' ? this.venue : `${this.venue} ${symbol}`;
      const since = held === 0 ? '' : ` (${held} more since the last report)`;
      this.sink.reportError(`rejected.${reason}`, arbiterError('VENUE_DATA', `${where}: ${detail}${since}`));
    }
    return 'rejected';
  }
}

type Level = [number | undefined, number | undefined];

/** Whether one of the first `n` levels of a book side has a non-positive size. */
function badSize(side: readonly Level[], n: number): boolean {
  const end = Math.min(n, side.length);
  for (let i = 0; i < end; i++) if (!((side[i] as Level)[1]! > 0)) return true;
  return false;
}

export class SymbolOutput {
  private readonly top = blankMessage('BookTop');
  private readonly depth = blankMessage('BookLevels');
  private readonly fundingRate = blankMessage('FundingRate');
  private readonly markPrice = blankMessage('MarkPrice');
  private readonly keys: Readonly<Record<'top' | 'depth' | 'funding' | 'mark', number>>;
  /** The venue's funding interval for this perp, for frames that do not carry one (NaN: not known yet). */
  intervalHours = Number.NaN;
  /** Base units per venue size unit (okx quotes swaps in contracts of 0.01 BTC). */
  private contractSize = 1;
  published = 0;
  lastPublishNs = 0;
  lastBid = Number.NaN;
  lastAsk = Number.NaN;
  lastFunding: number | null = null;
  private readonly topBand: PriceBand;
  private readonly markBand: PriceBand;
  /** Bits of the kinds being rejected (0: all good). */
  private rejecting = 0;
  private lastRejectNs = 0;
  /** The ingress time of the update being checked. */
  private nowNs = 0;
  /** Wall clock = ingress ms + this, re-read once a second (Date.now() per message is measurable). */
  private wallOffsetMs = 0;
  private wallSyncNs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly sink: FeedSink,
    private readonly checks: OutputChecks,
    private readonly rejections: Rejections,
    private readonly onRejecting: RejectingListener = () => undefined,
  ) {
    this.topBand = new PriceBand(checks.priceBand);
    this.markBand = new PriceBand(checks.priceBand);
    const all: MarketDataMessage[] = [this.top, this.depth, this.fundingRate, this.markPrice];
    for (const message of all) {
      message.venue = venue;
      message.symbol = symbol;
    }
    const key = (message: MarketDataMessage): number => sink.topicKey(topicOf(message));
    this.keys = { top: key(this.top), depth: key(this.depth), funding: key(this.fundingRate), mark: key(this.markPrice) };
  }

  /**
   * Sizes are published in base units. The product is rounded to 8 decimals (no double holds 0.01
   * exactly, and 96.33 contracts of 0.01 BTC should read 0.9633 BTC, not 0.9632999999999999).
   */
  setContractSize(contractSize: number): void {
    this.contractSize = contractSize;
  }

  private size(venueSize: number): number {
    return this.contractSize === 1 ? venueSize : Math.round(venueSize * this.contractSize * 1e8) / 1e8;
  }

  /** A ccxt order book: checked, then `BookLevels` (if configured) and `BookTop`. */
  book(book: OrderBook, ts: number): Verdict {
    this.nowNs = ts;
    const bid = book.bids[0];
    const ask = book.asks[0];
    if (bid === undefined || ask === undefined) return this.reject(TOP, 'empty_book', `empty book (${book.bids.length} bids, ${book.asks.length} asks)`);
    // A non-positive size in the local book is a level the venue never had (ccxt keeps what it was
    // sent): the book is broken until rebuilt, so it asks for a fresh snapshot, as a crossed one does.
    const checked = Math.max(1, this.checks.levels);
    if (badSize(book.bids, checked) || badSize(book.asks, checked)) {
      this.reject(TOP, 'non_positive_size', `non-positive size in the best ${checked} levels`);
      return 'corrupt';
    }
    const exchangeTimeMs = book.timestamp ?? 0;
    const verdict = this.checkTop(bid[0], bid[1], ask[0], ask[1], exchangeTimeMs, ts);
    if (verdict !== 'published') return verdict;
    const seq = book.nonce ?? 0;
    if (this.checks.levels > 0) {
      const depth = this.depth;
      this.fillLevels(depth.bids, book.bids);
      this.fillLevels(depth.asks, book.asks);
      depth.ts = ts;
      depth.venueSeq = seq;
      depth.exchangeTimeMs = exchangeTimeMs;
      this.send(depth, this.keys.depth, ts);
    }
    if (this.checks.topFromBook) this.publishTop(bid[0] as number, bid[1] as number, ask[0] as number, ask[1] as number, seq, exchangeTimeMs, ts);
    return 'published';
  }

  /** A best bid/ask (ticker-shaped) update. */
  bidAsk(bidPx: number | undefined, bidSz: number | undefined, askPx: number | undefined, askSz: number | undefined, seq: number, exchangeTimeMs: number, ts: number): Verdict {
    this.nowNs = ts;
    const verdict = this.checkTop(bidPx, bidSz, askPx, askSz, exchangeTimeMs, ts);
    if (verdict === 'published') this.publishTop(bidPx as number, bidSz as number, askPx as number, askSz as number, seq, exchangeTimeMs, ts);
    return verdict;
  }

  mark(markPx: number | undefined, indexPx: number | undefined, exchangeTimeMs: number, ts: number): Verdict {
    this.nowNs = ts;
    if (!(markPx !== undefined && markPx > 0)) return this.reject(MARK, 'non_positive_price', `mark price ${markPx}`);
    if (!this.timely(exchangeTimeMs)) return this.reject(MARK, 'implausible_timestamp', `mark timestamp ${exchangeTimeMs} is more than ${this.checks.maxTimestampSkewMs} ms from the wall clock`);
    if (!this.markBand.admit(markPx, ts / 1e6)) return this.reject(MARK, 'price_out_of_band', `mark price ${markPx} outside the band around ${this.markBand.reference}`);
    this.accepted(MARK);
    const mark = this.markPrice;
    mark.ts = ts;
    mark.markPx = markPx;
    mark.indexPx = indexPx !== undefined && indexPx > 0 ? indexPx : null;
    mark.exchangeTimeMs = exchangeTimeMs;
    this.send(mark, this.keys.mark, ts);
    return 'published';
  }

  /** A funding rate per interval; `intervalHours` NaN means "use the venue's interval for this symbol". */
  funding(rate: number | undefined, nextFundingTimeMs: number, intervalHours: number, exchangeTimeMs: number, ts: number): Verdict {
    this.nowNs = ts;
    if (rate === undefined || !Number.isFinite(rate)) return this.reject(FUNDING, 'bad_funding', `funding rate ${rate}`);
    if (Math.abs(rate) > this.checks.maxAbsFundingRate) return this.reject(FUNDING, 'funding_above_cap', `funding rate ${rate} beyond ±${this.checks.maxAbsFundingRate}`);
    if (!this.timely(exchangeTimeMs)) return this.reject(FUNDING, 'implausible_timestamp', `funding timestamp ${exchangeTimeMs} is more than ${this.checks.maxTimestampSkewMs} ms from the wall clock`);
    const interval = intervalHours > 0 ? intervalHours : this.intervalHours;
    if (!(interval > 0)) return this.reject(FUNDING, 'funding_interval_unknown', 'the venue has not told the funding interval yet');
    this.accepted(FUNDING);
    const funding = this.fundingRate;
    funding.ts = ts;
    funding.rate = rate;
    funding.intervalHours = interval;
    funding.nextFundingTimeMs = nextFundingTimeMs;
    funding.settled = false;
    funding.exchangeTimeMs = exchangeTimeMs;
    this.lastFunding = rate;
    this.send(funding, this.keys.funding, ts);
    return 'published';
  }

  private checkTop(bidPx: number | undefined, bidSz: number | undefined, askPx: number | undefined, askSz: number | undefined, exchangeTimeMs: number, ts: number): Verdict {
    if (!(bidPx !== undefined && bidPx > 0 && askPx !== undefined && askPx > 0)) return this.reject(TOP, 'non_positive_price', `bid ${bidPx} ask ${askPx}`);
    if (!(bidSz !== undefined && bidSz > 0 && askSz !== undefined && askSz > 0)) return this.reject(TOP, 'non_positive_size', `bid size ${bidSz} ask size ${askSz}`);
    // A venue's own book never crosses; a crossed local book means it missed an update.
    if (bidPx >= askPx) {
      this.reject(TOP, 'crossed_book', `crossed book: bid ${bidPx} >= ask ${askPx}`);
      return 'corrupt';
    }
    if (!this.timely(exchangeTimeMs)) return this.reject(TOP, 'implausible_timestamp', `book timestamp ${exchangeTimeMs} is more than ${this.checks.maxTimestampSkewMs} ms from the wall clock`);
    const mid = (bidPx + askPx) / 2;
    if (!this.topBand.admit(mid, ts / 1e6)) return this.reject(TOP, 'price_out_of_band', `mid ${mid} outside the band around ${this.topBand.reference}`);
    this.accepted(TOP);
    return 'published';
  }

  /** A venue timestamp near the wall clock, or none (0). Seconds read as milliseconds land in January 1970. */
  private timely(exchangeTimeMs: number): boolean {
    if (exchangeTimeMs === 0) return true;
    const ts = this.nowNs;
    if (ts - this.wallSyncNs >= WALL_RESYNC_NS || ts < this.wallSyncNs) {
      this.wallOffsetMs = Date.now() - ts / 1e6;
      this.wallSyncNs = ts;
    }
    return Math.abs(exchangeTimeMs - (ts / 1e6 + this.wallOffsetMs)) <= this.checks.maxTimestampSkewMs;
  }

  /** Good data of `kind`: once it has flowed for `RECOVER_NS` since the last rejection, the kind is no longer rejecting. */
  private accepted(kind: number): void {
    if ((this.rejecting & kind) === 0 || this.nowNs - this.lastRejectNs < RECOVER_NS) return;
    this.rejecting &= ~kind;
    if (this.rejecting === 0) this.onRejecting(this.symbol, undefined);
  }

  private publishTop(bidPx: number, bidSz: number, askPx: number, askSz: number, seq: number, exchangeTimeMs: number, ts: number): void {
    const top = this.top;
    top.ts = ts;
    top.bidPx = bidPx;
    top.bidSz = this.size(bidSz);
    top.askPx = askPx;
    top.askSz = this.size(askSz);
    top.venueSeq = seq;
    top.exchangeTimeMs = exchangeTimeMs;
    this.lastBid = bidPx;
    this.lastAsk = askPx;
    this.send(top, this.keys.top, ts);
  }

  private send(message: MessageOf<'BookTop' | 'BookLevels' | 'FundingRate' | 'MarkPrice'>, key: number, ts: number): void {
    this.sink.send(message, key);
    this.published++;
    this.lastPublishNs = ts;
  }

  /** Copies the best levels of a ccxt book side into `target` as [px0, sz0, px1, sz1, …], reusing it. */
  private fillLevels(target: number[], side: readonly Level[]): void {
    const n = Math.min(this.checks.levels, side.length);
    target.length = 2 * n;
    for (let i = 0; i < n; i++) {
      const level = side[i] as Level;
      target[2 * i] = level[0] as number;
      target[2 * i + 1] = this.size(level[1] as number);
    }
  }

  private reject(kind: number, reason: string, detail: string): 'rejected' {
    const was = this.rejecting;
    this.rejecting |= kind;
    this.lastRejectNs = this.nowNs;
    if (was === 0) this.onRejecting(this.symbol, `${reason}: ${detail}`);
    return this.rejections.reject(reason, this.symbol, detail);
  }
}
