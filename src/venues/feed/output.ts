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
import type { FeedSink, Verdict } from './sink.js';

export interface OutputChecks {
  /** Levels per side in `BookLevels` (0: none). */
  readonly levels: number;
  /** Whether book updates also publish `BookTop` (false when the top comes from a best bid/ask stream). */
  readonly topFromBook: boolean;
  readonly maxAbsFundingRate: number;
}

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

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly sink: FeedSink,
    private readonly checks: OutputChecks,
    private readonly rejections: Rejections,
  ) {
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
    const bid = book.bids[0];
    const ask = book.asks[0];
    if (bid === undefined || ask === undefined) return this.reject('empty_book', `empty book (${book.bids.length} bids, ${book.asks.length} asks)`);
    const verdict = this.checkTop(bid[0], bid[1], ask[0], ask[1]);
    if (verdict !== 'published') return verdict;
    const seq = book.nonce ?? 0;
    const exchangeTimeMs = book.timestamp ?? 0;
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
    const verdict = this.checkTop(bidPx, bidSz, askPx, askSz);
    if (verdict === 'published') this.publishTop(bidPx as number, bidSz as number, askPx as number, askSz as number, seq, exchangeTimeMs, ts);
    return verdict;
  }

  mark(markPx: number | undefined, indexPx: number | undefined, exchangeTimeMs: number, ts: number): Verdict {
    if (!(markPx !== undefined && markPx > 0)) return this.reject('non_positive_price', `mark price ${markPx}`);
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
    if (rate === undefined || !Number.isFinite(rate)) return this.reject('bad_funding', `funding rate ${rate}`);
    if (Math.abs(rate) > this.checks.maxAbsFundingRate) return this.reject('funding_above_cap', `funding rate ${rate} beyond ±${this.checks.maxAbsFundingRate}`);
    const interval = intervalHours > 0 ? intervalHours : this.intervalHours;
    if (!(interval > 0)) return this.reject('funding_interval_unknown', 'the venue has not told the funding interval yet');
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

  private checkTop(bidPx: number | undefined, bidSz: number | undefined, askPx: number | undefined, askSz: number | undefined): Verdict {
    if (!(bidPx !== undefined && bidPx > 0 && askPx !== undefined && askPx > 0)) return this.reject('non_positive_price', `bid ${bidPx} ask ${askPx}`);
    if (!(bidSz !== undefined && bidSz > 0 && askSz !== undefined && askSz > 0)) return this.reject('non_positive_size', `bid size ${bidSz} ask size ${askSz}`);
    // A venue's own book never crosses; a crossed local book means it missed an update.
    if (bidPx >= askPx) {
      this.reject('crossed_book', `crossed book: bid ${bidPx} >= ask ${askPx}`);
      return 'corrupt';
    }
    return 'published';
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

  private reject(reason: string, detail: string): 'rejected' {
    return this.rejections.reject(reason, this.symbol, detail);
  }
}
