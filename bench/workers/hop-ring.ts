/**
 * The hop suite's ring side, built from the runtime's own parts: RingSink (write + doorbell),
 * RingSource, and the Waiter that implements each wait strategy. The receive loop is the
 * actor host's loop reduced to one input: poll a batch, else wait per the strategy.
 */
import type { MessageOf } from '../../src/protocol/index.js';
import { RingSink, RingSource } from '../../src/runtime/transport/channel.js';
import type { Codec } from '../../src/runtime/transport/codec.js';
import { Doorbell } from '../../src/runtime/transport/doorbell.js';
import type { RecordVisitor } from '../../src/runtime/transport/ring.js';
import { SpinSlots, Waiter } from '../../src/runtime/transport/wait-strategy.js';
import { END_SEQ, LatencyMeter, STREAM_SAMPLE_EVERY, TickStream, type HopResult, type HopWorkerData } from './hop-protocol.js';

type Tick = MessageOf<'BookTop'>;

/** A waiter as an actor host in a worker has one: its thread is its own, so parking may block (unless `wait.ownsIo`). */
function waiterFor(data: HopWorkerData, bell: SharedArrayBuffer, source: RingSource): Waiter {
  const waiter = new Waiter(data.wait, new Doorbell(bell), new SpinSlots(data.spinSlots), () => source.hasData());
  waiter.blockingAllowed = true;
  return waiter;
}

/** One turn of the loop: a batch if there is one (then maybe yield), else wait per strategy. */
function step(source: RingSource, visit: RecordVisitor, waiter: Waiter, max: number): Promise<unknown> | undefined {
  return source.poll(visit, max) > 0 ? waiter.maybeYield() : waiter.idle();
}

const backOff = new Int32Array(new SharedArrayBuffer(4));

/**
 * A full ring is the receiver's backpressure: sleep briefly, then retry. Spinning on it cost
 * the receiver its core whenever the host was busy enough for both threads to share one
 * (throughput fell to ~0.3-0.5 M/s and stayed there); a 256 KiB ring holds ~1 ms of ticks,
 * so a ~50 µs nap never starves the receiver.
 */
function writeAll(sink: RingSink, bytes: Uint8Array): void {
  while (!sink.tryWrite(bytes, 0)) Atomics.wait(backOff, 0, 0, 0.02);
}

export function ringSend(data: HopWorkerData, codec: Codec): undefined {
  const sink = new RingSink(data.rings.forward, data.rings.receiverBell);
  const stream = new TickStream(codec, data.hop);
  while (!stream.ended) writeAll(sink, stream.next());
  return undefined;
}

export async function ringReceive(data: HopWorkerData, codec: Codec): Promise<HopResult> {
  const source = new RingSource(data.rings.forward);
  const waiter = waiterFor(data, data.rings.receiverBell, source);
  const meter = new LatencyMeter(STREAM_SAMPLE_EVERY);
  let open = true;
  const visit: RecordVisitor = (bytes, start, end) => {
    const tick = codec.decode(bytes, start, end) as Tick;
    if (!meter.observe(tick.ts, tick.venueSeq)) open = false;
  };
  while (open) {
    const wait = step(source, visit, waiter, 256);
    if (wait) await wait;
  }
  return meter.result();
}

/** Round trip: send one tick, wait for its echo on the back ring, record now − ts. */
export async function ringPing(data: HopWorkerData, codec: Codec): Promise<HopResult> {
  const sink = new RingSink(data.rings.forward, data.rings.receiverBell);
  const source = new RingSource(data.rings.back);
  const waiter = waiterFor(data, data.rings.senderBell, source);
  const stream = new TickStream(codec, data.hop);
  const meter = new LatencyMeter();
  let sent = 0;
  let replies = 0;
  const visit: RecordVisitor = (bytes, start, end) => {
    const tick = codec.decode(bytes, start, end) as Tick;
    meter.observe(tick.ts, tick.venueSeq);
    replies++;
  };
  while (!stream.ended) {
    writeAll(sink, stream.next());
    sent++;
    while (replies < sent) {
      const wait = step(source, visit, waiter, 1);
      if (wait) await wait;
    }
  }
  return meter.result();
}

/** Echoes every tick (decode, re-encode, write back) until the end marker. */
export async function ringPong(data: HopWorkerData, codec: Codec): Promise<undefined> {
  const source = new RingSource(data.rings.forward);
  const sink = new RingSink(data.rings.back, data.rings.senderBell);
  const waiter = waiterFor(data, data.rings.receiverBell, source);
  let open = true;
  const visit: RecordVisitor = (bytes, start, end) => {
    const tick = codec.decode(bytes, start, end) as Tick;
    writeAll(sink, codec.encode(tick));
    if (tick.venueSeq === END_SEQ) open = false;
  };
  while (open) {
    const wait = step(source, visit, waiter, 256);
    if (wait) await wait;
  }
  return undefined;
}
