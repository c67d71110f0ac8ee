/**
 * Single-producer / single-consumer ring of variable-size records on a SharedArrayBuffer.
 *
 *   byte offset
 *        0 ┌──────────────────────────────────────────────────────────────┐
 *          │ MAGIC │ VERSION │ CAPACITY │ reserved…                        │ written once
 *      128 ├──────────────────────────────────────────────────────────────┤
 *          │ WRITE cursor │ FULL events │ RECORDS written │ reserved…      │ producer only
 *      256 ├──────────────────────────────────────────────────────────────┤
 *          │ READ cursor  │ reserved…                                     │ consumer only
 *      384 ├──────────────────────────────────────────────────────────────┤
 *          │ (pad)                                                        │
 *      512 ├──────────────────────────────────────────────────────────────┤
 *          │ data: CAPACITY bytes (a power of two)                        │
 *          │   record      = │ len:i32 │ key:i32 │ payload (len B) │ pad to 4 │
 *          │   wrap marker = │ -1:i32 │  → the next record starts at offset 0 │
 *          └──────────────────────────────────────────────────────────────┘
 *
 * Cursors are byte positions that only grow, stored as 32-bit integers and compared with
 * wrap-around arithmetic (`(write - read) >>> 0` is the used byte count), so they never need
 * resetting; the data offset of a position is `position & (CAPACITY - 1)`. The two cursors sit
 * 128 bytes apart, not 64: Intel's adjacent-line prefetcher pulls 64-byte lines in pairs, so
 * cursors one line apart still ping-pong between cores.
 *
 * Memory ordering: the producer writes a record with plain stores, then publishes it with
 * `Atomics.store(WRITE)`; the consumer reads WRITE with `Atomics.load` before touching the
 * record. Atomics are sequentially consistent, so the record's bytes happen-before the
 * consumer's reads. The consumer returns space with `Atomics.store(READ)` after each record
 * (not per batch): if the consumer dies mid-batch, at most the record it was handling is
 * delivered again to its successor. The producer keeps a cached copy of READ and reloads it
 * only when the ring looks full, so the consumer's line is rarely pulled across cores.
 *
 * A record never straddles the end of the buffer: when it does not fit in the tail, the
 * producer writes a wrap marker and continues at offset 0, and the skipped tail counts as
 * used space until the consumer passes it.
 */
import { arbiterError } from '../../base/errors.js';

const MAGIC = 0x41524231; // "ARB1"
const VERSION = 1;

/** Int32 indexes of the header fields. */
const H_MAGIC = 0;
const H_VERSION = 1;
const H_CAPACITY = 2;
const H_WRITE = 128 >> 2;
const H_FULL_EVENTS = H_WRITE + 1;
/** Records written (wraps at 2^32), for monitoring: a plain store on the producer's own line. */
const H_RECORDS = H_WRITE + 2;
const H_READ = 256 >> 2;

const RING_HEADER_BYTES = 512;
const RECORD_HEADER_BYTES = 8;
const WRAP_MARKER = -1;

export const MIN_RING_CAPACITY = 1024;
export const MAX_RING_CAPACITY = 1 << 30;

/** Bytes a record of `payloadBytes` occupies in the data region. */
export function recordBytes(payloadBytes: number): number {
  return (RECORD_HEADER_BYTES + payloadBytes + 3) & ~3;
}

/** Creates a ring with `capacity` data bytes (a power of two between 1 KiB and 1 GiB). */
export function createRing(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < MIN_RING_CAPACITY || capacity > MAX_RING_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw arbiterError('RING_LAYOUT', `ring capacity must be a power of two in [${MIN_RING_CAPACITY}, ${MAX_RING_CAPACITY}], got ${capacity}`);
  }
  const buffer = new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
  const header = new Int32Array(buffer, 0, RING_HEADER_BYTES >> 2);
  header[H_MAGIC] = MAGIC;
  header[H_VERSION] = VERSION;
  header[H_CAPACITY] = capacity;
  return buffer;
}

/** Views shared by the writer and reader sides. */
abstract class RingView {
  protected readonly header: Int32Array;
  /** The data region as bytes; records are handed to readers as (data, start, end). */
  readonly data: Uint8Array;
  protected readonly words: Int32Array;
  readonly capacity: number;
  protected readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < RING_HEADER_BYTES + MIN_RING_CAPACITY) {
      throw arbiterError('RING_LAYOUT', 'not a ring: expected a SharedArrayBuffer created by createRing()');
    }
    this.header = new Int32Array(buffer, 0, RING_HEADER_BYTES >> 2);
    const capacity = this.header[H_CAPACITY] ?? 0;
    if (this.header[H_MAGIC] !== MAGIC || this.header[H_VERSION] !== VERSION || buffer.byteLength !== RING_HEADER_BYTES + capacity) {
      throw arbiterError('RING_LAYOUT', `not a ring of version ${VERSION} (magic/version/capacity mismatch)`);
    }
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.data = new Uint8Array(buffer, RING_HEADER_BYTES, capacity);
    this.words = new Int32Array(buffer, RING_HEADER_BYTES, capacity >> 2);
  }

  /** Bytes written but not yet consumed (includes wrap padding). */
  usedBytes(): number {
    return (Atomics.load(this.header, H_WRITE) - Atomics.load(this.header, H_READ)) >>> 0;
  }

  /** Times a writer found the ring full. */
  fullEvents(): number {
    return Atomics.load(this.header, H_FULL_EVENTS);
  }

  /** Records written since the ring was created (for monitoring; wraps at 2^32). */
  recordsWritten(): number {
    return Atomics.load(this.header, H_RECORDS) >>> 0;
  }
}

/** The producer side. Exactly one writer may be attached at a time. */
export class RingWriter extends RingView {
  private write: number;
  private cachedRead: number;
  /** The largest payload this ring accepts. */
  readonly maxPayloadBytes: number;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    // A restarted writer continues from the published cursor; a record its predecessor was
    // writing but had not published is simply overwritten.
    this.write = Atomics.load(this.header, H_WRITE);
    this.cachedRead = Atomics.load(this.header, H_READ);
    this.maxPayloadBytes = (this.capacity >> 1) - RECORD_HEADER_BYTES;
  }

  /**
   * Appends one record. Returns false, changing nothing, when the ring lacks space.
   * Throws RING_RECORD_TOO_LARGE for a payload that could never fit.
   */
  tryWrite(payload: Uint8Array, key: number): boolean {
    const length = payload.length;
    if (length > this.maxPayloadBytes) {
      throw arbiterError('RING_RECORD_TOO_LARGE', `record of ${length} bytes exceeds this ring's limit of ${this.maxPayloadBytes}`);
    }
    const need = (RECORD_HEADER_BYTES + length + 3) & ~3;
    let offset = this.write & this.mask;
    const tail = this.capacity - offset;
    const total = tail < need ? need + tail : need;
    if (this.capacity - ((this.write - this.cachedRead) >>> 0) < total) {
      this.cachedRead = Atomics.load(this.header, H_READ);
      if (this.capacity - ((this.write - this.cachedRead) >>> 0) < total) {
        Atomics.add(this.header, H_FULL_EVENTS, 1);
        return false;
      }
    }
    if (tail < need) {
      this.words[offset >> 2] = WRAP_MARKER;
      offset = 0;
    }
    const word = offset >> 2;
    this.words[word] = length;
    this.words[word + 1] = key;
    this.data.set(payload, offset + RECORD_HEADER_BYTES);
    this.write = (this.write + total) | 0;
    // The count is only read by monitors, so it needs no ordering of its own; it rides on
    // the cursor's cache line, which this store is about to dirty anyway.
    this.header[H_RECORDS] = (this.header[H_RECORDS]! + 1) | 0;
    Atomics.store(this.header, H_WRITE, this.write);
    return true;
  }

  /** Free bytes as seen now (a hint: the reader may free more at any moment). */
  freeBytes(): number {
    this.cachedRead = Atomics.load(this.header, H_READ);
    return this.capacity - ((this.write - this.cachedRead) >>> 0);
  }
}

/** Receives one record: bytes `data[start, end)` and the key the writer gave it. */
export type RecordVisitor = (data: Uint8Array, start: number, end: number, key: number) => void;

/** The consumer side. Exactly one reader may be attached at a time. */
export class RingReader extends RingView {
  private read: number;
  private conflation: { last: Int32Array; touched: Int32Array } | undefined;
  /** Records skipped because a later record with the same key was already available. */
  conflated = 0;
  /**
   * While set, consumed records go back to the writer (and count as consumed for a successor)
   * only at `release()`: a reader that commits a batch's effects at its end releases then, so a
   * crash mid-batch hands its successor the whole batch again, not just the record in hand.
   */
  holdReleases = false;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    // A restarted reader resumes exactly where its predecessor committed.
    this.read = Atomics.load(this.header, H_READ);
  }

  /** True when at least one record is waiting. Cheap: one atomic load. */
  hasData(): boolean {
    return Atomics.load(this.header, H_WRITE) !== this.read;
  }

  /**
   * Hands up to `max` records to `visit` in order and returns how many it handed over. Each
   * record's space is returned to the writer after `visit` returns (at `release()` while
   * `holdReleases` is set). If `visit` throws, that
   * record is not consumed and the error propagates (the caller decides to skip or retry).
   */
  poll(visit: RecordVisitor, max: number): number {
    const write = Atomics.load(this.header, H_WRITE);
    let count = 0;
    while (this.read !== write && count < max) {
      const offset = this.locate();
      const length = this.words[offset >> 2]!;
      const start = offset + RECORD_HEADER_BYTES;
      visit(this.data, start, start + length, this.words[(offset >> 2) + 1]!);
      this.advance(length);
      count++;
    }
    return count;
  }

  /**
   * Like `poll`, but among the records already available it hands over only the latest per
   * non-zero key (key 0 is never conflated). Skipped records are consumed and counted in
   * `conflated`. Keys must be below `maxKeys`.
   */
  pollConflated(visit: RecordVisitor, max: number, maxKeys = 1 << 16): number {
    const write = Atomics.load(this.header, H_WRITE);
    if (this.read === write) return 0;
    const state = (this.conflation ??= { last: new Int32Array(maxKeys).fill(-1), touched: new Int32Array(Math.max(max, 1)) });
    // Pass 1: the index of the last record per key within the window of `max` records.
    let position = this.read;
    let index = 0;
    let touchedCount = 0;
    while (position !== write && index < max) {
      const offset = this.offsetOf(position);
      const key = this.words[(offset >> 2) + 1]!;
      if (key !== 0) {
        if (key >= state.last.length) throw arbiterError('RING_CORRUPT', `record key ${key} exceeds the conflation key space ${state.last.length}`);
        if (state.last[key] === -1 && touchedCount < state.touched.length) state.touched[touchedCount++] = key;
        state.last[key] = index;
      }
      position = (position + this.spanAt(position, offset)) | 0;
      index++;
    }
    // Pass 2: deliver the survivors in order, consuming every record of the window.
    let delivered = 0;
    try {
      for (let i = 0; i < index; i++) {
        const offset = this.locate();
        const length = this.words[offset >> 2]!;
        const key = this.words[(offset >> 2) + 1]!;
        if (key === 0 || state.last[key] === i) {
          const start = offset + RECORD_HEADER_BYTES;
          visit(this.data, start, start + length, key);
          delivered++;
        } else {
          this.conflated++;
        }
        this.advance(length);
      }
    } finally {
      for (let t = 0; t < touchedCount; t++) state.last[state.touched[t]!] = -1;
    }
    return delivered;
  }

  /** Skips a wrap marker if the read position is on one and returns the record's data offset. */
  private locate(): number {
    let offset = this.read & this.mask;
    if (this.words[offset >> 2] === WRAP_MARKER) {
      this.read = (this.read + (this.capacity - offset)) | 0;
      offset = 0;
    }
    const length = this.words[offset >> 2]!;
    if (length < 0 || length > this.capacity - offset - RECORD_HEADER_BYTES) {
      throw arbiterError('RING_CORRUPT', `record at offset ${offset} claims ${length} bytes`);
    }
    return offset;
  }

  /** Data offset of the record at `position`, following a wrap marker (pass 1 does not move `read`). */
  private offsetOf(position: number): number {
    const offset = position & this.mask;
    return this.words[offset >> 2] === WRAP_MARKER ? 0 : offset;
  }

  /** Bytes from `position` to the next record, including any wrap padding. */
  private spanAt(position: number, offset: number): number {
    const start = position & this.mask;
    const padding = offset === start ? 0 : this.capacity - start;
    return padding + recordBytes(this.words[offset >> 2]!);
  }

  /** Hands every record consumed so far back to the writer (see `holdReleases`). */
  release(): void {
    Atomics.store(this.header, H_READ, this.read);
  }

  private advance(length: number): void {
    this.read = (this.read + recordBytes(length)) | 0;
    if (!this.holdReleases) Atomics.store(this.header, H_READ, this.read);
  }
}

/** Read-only view for monitoring (fill level, full events) by a thread that neither reads nor writes. */
export class RingProbe extends RingView {}
