/**
 * One stream (say, binanceusdm `watchMarkPrice` for BTC/USDT:USDT) kept alive forever: the watch
 * loop, error handling, reconnect backoff, and the staleness check the engine's watchdog calls.
 *
 * ccxt's watch methods resolve with the latest state each time an update arrives and reject when
 * something breaks. How a rejection is handled depends on what broke:
 *   sequence/checksum  the book is rebuilt from a fresh snapshot: ccxt has dropped the book and its
 *                      subscription, so the next watch subscribes again (after the venue's own resync
 *                      step, if it needs one): retry at once (then back off)
 *   network            the socket is gone: `down`, then reconnect with backoff and jitter — unless
 *                      we closed it ourselves a moment ago (a resubscribe), which is not a loss
 *   unsubscribed       our own unWatch: watch again at once
 *   anything else      (a malformed frame makes the venue handler throw) counted, retried with backoff
 * Consecutive failures without an update in between escalate the backoff; an update resets it.
 */
import type { Exchange } from 'ccxt';
import type { FeedStreamStatus, StreamState } from '../../protocol/index.js';
import { monoNowNs } from '../../base/clock.js';
import { describeError } from '../../base/errors.js';
import type { CcxtErrorClasses } from '../ccxt-loader.js';
import { Sleeper, withTimeout } from '../../base/async.js';
import { backoffDelayMs } from '../../base/backoff.js';
import type { ConnectionWatch } from './connections.js';
import type { FeedHealth, StreamHealth } from './health.js';
import type { SymbolOutput } from './output.js';
import type { FeedSink } from './sink.js';
import type { StreamSpec } from './types.js';

export interface RunnerDeps {
  readonly exchange: Exchange;
  readonly errors: CcxtErrorClasses;
  readonly connections: ConnectionWatch;
  readonly health: FeedHealth;
  readonly sink: FeedSink;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
}

type StreamFault = 'sequence' | 'network' | 'ours' | 'other';

/** While a stream stays stale, resubscribes are spaced out up to this many stale intervals. */
const MAX_STALE_BACKOFF = 8;
/** How long a venue's resync step (an unsubscribe) may take before the stream watches again anyway. */
const RESYNC_TIMEOUT_MS = 2_000;
/** Consecutive unexplained failures after which the stream's sockets are reconnected. */
const ESCALATE_AFTER_FAILURES = 3;
/** A broken book (crossed, non-positive sizes) triggers at most one resubscribe per this long. */
const CORRUPT_RESUBSCRIBE_GAP_NS = 1e9;

export class StreamRunner implements StreamHealth {
  state: StreamState = 'connecting';
  reason = 'connecting';
  updates = 0;
  errors = 0;
  staleEvents = 0;
  resubscribes = 0;
  resyncs = 0;
  lastDataNs = 0;
  /** Last update, start, or resubscribe: staleness counts from here. */
  private quietSinceNs = 0;
  private lastResubscribeNs = 0;
  private staleBackoff = 1;
  private attempt = 0;
  private stopped = false;
  private backingOff = false;
  private readonly sleeper = new Sleeper();

  constructor(
    readonly spec: StreamSpec,
    readonly symbol: string,
    readonly output: SymbolOutput,
    readonly staleAfterMs: number,
    private readonly deps: RunnerDeps,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Runs until `stop()`; never rejects. */
  async run(): Promise<void> {
    this.quietSinceNs = monoNowNs();
    while (!this.stopped) {
      let result: unknown;
      try {
        result = await this.spec.next(this.deps.exchange, this.symbol);
      } catch (error) {
        if (!this.stopped) await this.failed(error);
        continue;
      }
      if (this.stopped) return;
      this.received(result);
      if (this.spec.pollMs !== undefined) await this.sleeper.sleep(this.spec.pollMs);
    }
  }

  stop(): void {
    this.stopped = true;
    this.sleeper.wake();
  }

  private received(result: unknown): void {
    const ts = monoNowNs();
    this.lastDataNs = this.quietSinceNs = ts;
    this.updates++;
    this.attempt = 0;
    // The snapshot a resubscribe brings proves the venue answers, not that the stream flows: only
    // updates a full interval later end the spacing of resubscribes (a quiet book stays quietly stale).
    if ((ts - this.lastResubscribeNs) / 1e6 >= this.staleAfterMs) this.staleBackoff = 1;
    // The market data's ingress time is its frame's arrival at the socket (polled REST streams: now).
    const ingressNs = this.spec.pollMs === undefined && this.deps.connections.frameArrivalNs > 0 ? this.deps.connections.frameArrivalNs : ts;
    const verdict = this.spec.handle(result, this.output, ingressNs);
    if (this.state !== 'up') this.setState('up', '');
    if (verdict === 'corrupt' && ts - this.lastResubscribeNs > CORRUPT_RESUBSCRIBE_GAP_NS) this.resubscribe('the local book is broken (crossed, or a non-positive size)');
  }

  private classify(error: unknown): StreamFault {
    const { errors, connections } = this.deps;
    if (error instanceof errors.InvalidNonce) return 'sequence'; // ChecksumError is an InvalidNonce
    const name = error instanceof Error ? error.name : '';
    if (name === 'UnsubscribeError' || name === 'ExchangeClosedByUser') return 'ours';
    if (error instanceof errors.NetworkError) return connections.closedByUsRecently(monoNowNs()) ? 'ours' : 'network';
    return 'other';
  }

  private async failed(error: unknown): Promise<void> {
    this.errors++;
    const fault = this.classify(error);
    if (fault === 'sequence') {
      this.resyncs++;
      this.deps.sink.reportError('sequence_gap', error);
      if (this.spec.resync) await withTimeout(this.spec.resync(this.deps.exchange, this.symbol), RESYNC_TIMEOUT_MS).catch(() => undefined);
    } else if (fault === 'network') {
      this.setState('down', `connection lost: ${describeError(error)}`);
    } else if (fault === 'other') {
      this.deps.sink.reportError(`stream_error.${this.spec.name}`, error);
      if (this.state === 'connecting') this.setState('down', describeError(error));
      // The same refusal again and again (a venue that still thinks we are subscribed): a fresh
      // connection clears the server's side. Once per run of failures, not on every retry.
      if (this.attempt === ESCALATE_AFTER_FAILURES) this.deps.connections.closeAll();
    }
    const immediate = (fault === 'sequence' || fault === 'ours') && this.attempt === 0;
    const delayMs = immediate ? 0 : backoffDelayMs(this.attempt, this.deps.reconnectBaseMs, this.deps.reconnectMaxMs);
    this.attempt++;
    if (delayMs === 0) return;
    this.backingOff = true;
    await this.sleeper.sleep(delayMs);
    this.backingOff = false;
    // The next attempt starts the staleness clock afresh; a long backoff is not silence.
    this.quietSinceNs = monoNowNs();
  }

  /** The watchdog: no update for `staleAfterMs` (spaced out while it stays stale) → stale, resubscribe. */
  checkStale(nowNs: number): void {
    if (this.stopped || this.backingOff) return;
    const quietMs = (nowNs - this.quietSinceNs) / 1e6;
    if (quietMs < this.staleAfterMs * this.staleBackoff) return;
    if (this.state === 'up') {
      this.staleEvents++;
      this.deps.sink.count('staleEvents');
      this.setState('stale', `no ${this.spec.name} update for ${Math.round(quietMs)} ms (expected within ${this.staleAfterMs} ms)`);
    }
    this.staleBackoff = Math.min(this.staleBackoff * 2, MAX_STALE_BACKOFF);
    this.resubscribe(`no update for ${Math.round(quietMs)} ms`);
  }

  private resubscribe(why: string): void {
    this.resubscribes++;
    this.lastResubscribeNs = this.quietSinceNs = monoNowNs();
    const { connections, sink } = this.deps;
    connections.resubscribe(this.spec, this.symbol, this.staleAfterMs).then(
      (what) => sink.log.info({ symbol: this.symbol, stream: this.spec.name, why, what }, 'feed stream resubscribed'),
      (error: unknown) => sink.reportError('resubscribe', error),
    );
  }

  private setState(state: StreamState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.deps.health.update();
  }

  status(nowNs: number): FeedStreamStatus {
    return {
      symbol: this.symbol,
      stream: this.spec.name,
      method: this.spec.method,
      state: this.state,
      reason: this.reason,
      updates: this.updates,
      errors: this.errors,
      resubscribes: this.resubscribes,
      resyncs: this.resyncs,
      ageMs: this.lastDataNs === 0 ? null : Math.round((nowNs - this.lastDataNs) / 1e6),
    };
  }
}
