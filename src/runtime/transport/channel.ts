/**
 * Channels: the transport-neutral view of the data plane.
 *
 * A channel carries encoded records from one writer actor's output port to one reader actor's
 * input port. Its transport is a shared-memory ring (the default) or a MessagePort (so the
 * same actors can be benchmarked over postMessage). Its policy is declared per channel:
 *
 * - `lossless`: nothing is ever dropped. When the ring is full the writer keeps the records in
 *   an ordered local backlog and drains it first as space frees (never blocking its event
 *   loop, so a writer keeps serving its other work while a reader is slow or restarting).
 * - `conflate`: for market data. Records carry a key (their topic); a slow reader sees the
 *   latest record per key instead of a backlog: the writer replaces a pending record with the
 *   same key, and the reader skips records superseded within what is already available.
 */
import type { MessagePort } from 'node:worker_threads';
import { Doorbell } from './doorbell.js';
import { RingReader, RingWriter, type RecordVisitor } from './ring.js';

export const CHANNEL_POLICIES = ['lossless', 'conflate'] as const;
export type ChannelPolicy = (typeof CHANNEL_POLICIES)[number];
export const TRANSPORTS = ['ring', 'port'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Writer side of one channel. */
export interface RecordSink {
  /** Appends a record; false when there is no room now (the caller keeps it). */
  tryWrite(payload: Uint8Array, key: number): boolean;
}

/** Reader side of one channel. */
export interface RecordSource {
  /** True when records arrive through the event loop (a port): the reader must not block it. */
  readonly eventDriven: boolean;
  hasData(): boolean;
  poll(visit: RecordVisitor, max: number): number;
  pollConflated(visit: RecordVisitor, max: number): number;
  /** Bytes (ring) or records (port) waiting. */
  backlog(): number;
  /** Records skipped by reader-side conflation. */
  conflated(): number;
  /** Keep consumed records until `release()` (rings; a port cannot deliver a record twice). */
  holdReleases?(hold: boolean): void;
  release?(): void;
}

/** A ring writer that rings the reader's doorbell after each record. */
export class RingSink implements RecordSink {
  private readonly writer: RingWriter;
  private readonly doorbell: Doorbell;

  constructor(ring: SharedArrayBuffer, readerDoorbell: SharedArrayBuffer) {
    this.writer = new RingWriter(ring);
    this.doorbell = new Doorbell(readerDoorbell);
  }

  tryWrite(payload: Uint8Array, key: number): boolean {
    if (!this.writer.tryWrite(payload, key)) return false;
    this.doorbell.ring();
    return true;
  }
}

export class RingSource implements RecordSource {
  readonly eventDriven = false;
  private readonly reader: RingReader;

  constructor(ring: SharedArrayBuffer) {
    this.reader = new RingReader(ring);
  }

  hasData(): boolean {
    return this.reader.hasData();
  }

  poll(visit: RecordVisitor, max: number): number {
    return this.reader.poll(visit, max);
  }

  pollConflated(visit: RecordVisitor, max: number): number {
    return this.reader.pollConflated(visit, max);
  }

  backlog(): number {
    return this.reader.usedBytes();
  }

  conflated(): number {
    return this.reader.conflated;
  }

  holdReleases(hold: boolean): void {
    this.reader.holdReleases = hold;
  }

  release(): void {
    this.reader.release();
  }
}

/**
 * postMessage transport, for comparison benchmarks. Each record is copied into its own
 * message; the port is unbounded, so `tryWrite` always succeeds.
 */
export class PortSink implements RecordSink {
  constructor(private readonly port: MessagePort) {}

  tryWrite(payload: Uint8Array, key: number): boolean {
    this.port.postMessage({ key, bytes: payload.slice() });
    return true;
  }
}

export class PortSource implements RecordSource {
  readonly eventDriven = true;
  private readonly queue: { key: number; bytes: Uint8Array }[] = [];
  private head = 0;

  constructor(port: MessagePort, ownDoorbell: SharedArrayBuffer) {
    const doorbell = new Doorbell(ownDoorbell);
    port.on('message', (record: { key: number; bytes: Uint8Array }) => {
      this.queue.push(record);
      doorbell.wake();
    });
  }

  hasData(): boolean {
    return this.head < this.queue.length;
  }

  poll(visit: RecordVisitor, max: number): number {
    let count = 0;
    while (this.head < this.queue.length && count < max) {
      const record = this.queue[this.head++]!;
      visit(record.bytes, 0, record.bytes.length, record.key);
      count++;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return count;
  }

  /** Ports deliver every record: conflation is a ring feature. */
  pollConflated(visit: RecordVisitor, max: number): number {
    return this.poll(visit, max);
  }

  backlog(): number {
    return this.queue.length - this.head;
  }

  conflated(): number {
    return 0;
  }
}

/**
 * Topic patterns for routing: dot-separated segments, `*` matches one segment, `#` (last)
 * matches the rest. `md.book.*.BTC/USDT` matches `md.book.binance.BTC/USDT`.
 */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '#') return true;
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    const segment = p[i]!;
    if (segment === '#') return true;
    if (i >= t.length) return false;
    if (segment !== '*' && segment !== t[i]) return false;
  }
  return p.length === t.length;
}
