/**
 * What the hop suite's two workers share: the case description, the tick stream a producer
 * sends, and the meter the measuring side keeps.
 *
 * Ticks are real `BookTop` messages encoded with our codec on every transport, so each side
 * pays the same encode/decode and only the transport differs. `venueSeq` tags the phase:
 * 0 during warm-up (not recorded), 1… while measuring, END_SEQ once to finish.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MessageOf } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import type { Codec } from '../../src/runtime/transport/codec.js';
import type { WaitOptions } from '../../src/runtime/transport/wait-strategy.js';
import { createLatencyHistogram, encodeHistogram, recordNs } from '../lib/histogram.js';
import { sampleTick } from '../lib/messages.js';

export const WARMUP_SEQ = 0;
export const END_SEQ = -1;
/** One-way streams record the latency of one tick in this many (see LatencyMeter). */
export const STREAM_SAMPLE_EVERY = 8;

export type HopTransport = 'ring' | 'port' | 'comlink' | 'piscina';
export type HopMode = 'throughput' | 'round-trip';
export type HopRole = 'sender' | 'receiver';

export interface HopCase {
  transport: HopTransport;
  mode: HopMode;
  warmupMs: number;
  durationMs: number;
  /** Records (ring) or messages/calls (the others) in flight at most, for throughput. */
  window: number;
}

export interface HopWorkerData {
  role: HopRole;
  hop: HopCase;
  wait: WaitOptions;
  spinSlots: SharedArrayBuffer;
  /** ring: [sender → receiver, receiver → sender] and each side's doorbell. */
  rings: { forward: SharedArrayBuffer; back: SharedArrayBuffer; senderBell: SharedArrayBuffer; receiverBell: SharedArrayBuffer };
  /** port/comlink: this side's end of the channel. */
  port?: MessagePort;
  /** port throughput: messages the receiver has taken, for the sender's flow-control window. */
  flow: SharedArrayBuffer;
}

export interface HopResult {
  messages: number;
  elapsedNs: number;
  histogram: string;
}

/** Produces encoded ticks stamped at the moment they are taken, tagged by phase. */
export class TickStream {
  private readonly tick: MessageOf<'BookTop'> = sampleTick();
  private readonly warmupEndNs: number;
  private readonly endNs: number;
  private seq = 0;
  ended = false;

  constructor(
    private readonly codec: Codec,
    hop: HopCase,
  ) {
    const now = monoNowNs();
    this.warmupEndNs = now + hop.warmupMs * 1e6;
    this.endNs = this.warmupEndNs + hop.durationMs * 1e6;
  }

  /** The next tick's bytes (valid until the next call), or the end marker once time is up. */
  next(): Uint8Array {
    const now = monoNowNs();
    const tick = this.tick;
    tick.ts = now;
    if (now >= this.endNs) {
      tick.venueSeq = END_SEQ;
      this.ended = true;
    } else {
      tick.venueSeq = now < this.warmupEndNs ? WARMUP_SEQ : ++this.seq;
    }
    tick.bidPx += tick.venueSeq & 1 ? 0.01 : -0.01;
    return this.codec.encode(tick);
  }
}

/**
 * Latency of measured messages (from their `ts` to now) and the span they took. A one-way
 * stream samples every `sampleEvery`-th message: reading the clock and recording costs
 * ~100 ns, a fifth of what a ring reader spends per tick, and would slow the reader it
 * measures. The span ends when the end marker arrives (sent right after the last tick).
 */
export class LatencyMeter {
  private readonly histogram = createLatencyHistogram();
  private messages = 0;
  private firstTs = 0;
  private lastNs = 0;

  constructor(private readonly sampleEvery = 1) {}

  /** Records a message stamped `ts`; returns false for the end marker. */
  observe(ts: number, seq: number): boolean {
    if (seq === WARMUP_SEQ) return true;
    if (seq === END_SEQ) {
      this.lastNs = monoNowNs();
      return false;
    }
    if (this.messages === 0) this.firstTs = ts;
    if (this.messages++ % this.sampleEvery === 0) recordNs(this.histogram, monoNowNs() - ts);
    return true;
  }

  result(): HopResult {
    return { messages: this.messages, elapsedNs: this.lastNs - this.firstTs, histogram: encodeHistogram(this.histogram) };
  }
}
