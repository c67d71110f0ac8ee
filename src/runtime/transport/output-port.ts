/**
 * An actor's named output: encodes each message once and copies the bytes to every
 * destination channel whose topic patterns match (fan-out without re-encoding).
 *
 * Routing is resolved once per topic: `topicKey(topic)` interns the topic to a small integer
 * and records which destinations want it, so `send` does no string work. Key 0 means "no
 * topic": the message goes to every destination and is never conflated.
 */
import type { Message } from '../../protocol/index.js';
import { topicMatches, type ChannelPolicy, type RecordSink } from './channel.js';
import type { Codec } from './codec.js';
import { arbiterError } from '../../base/errors.js';

/** Records a destination could not take yet, kept in the writer until it can. */
class Backlog {
  private readonly fifo: { bytes: Uint8Array; key: number }[] = [];
  private fifoHead = 0;
  /** conflate: latest pending record per key, in first-pending order. */
  private readonly latest = new Map<number, Uint8Array>();
  highWater = 0;
  replaced = 0;

  constructor(private readonly conflate: boolean) {}

  get size(): number {
    return this.fifo.length - this.fifoHead + this.latest.size;
  }

  /** Delivers `bytes` through `sink`, or keeps a copy (returns true). Order per key is preserved. */
  offer(sink: RecordSink, bytes: Uint8Array, key: number): boolean {
    // Older records first: a writer without inputs (a feed) has no loop that would drain them.
    if (this.size > 0) this.drain(sink);
    if (this.conflate && key !== 0) {
      if (this.latest.has(key)) {
        this.latest.set(key, bytes.slice());
        this.replaced++;
        return true;
      }
      if (this.fifo.length === this.fifoHead && sink.tryWrite(bytes, key)) return false;
      this.latest.set(key, bytes.slice());
    } else {
      if (this.size === 0 && sink.tryWrite(bytes, key)) return false;
      this.fifo.push({ bytes: bytes.slice(), key });
    }
    if (this.size > this.highWater) this.highWater = this.size;
    return true;
  }

  /** Keeps a record without trying to deliver it (output held, or handed over from a predecessor). */
  keep(bytes: Uint8Array, key: number): void {
    if (this.conflate && key !== 0) {
      if (this.latest.has(key)) this.replaced++;
      this.latest.set(key, bytes.slice());
    } else {
      this.fifo.push({ bytes: bytes.slice(), key });
    }
    if (this.size > this.highWater) this.highWater = this.size;
  }

  /** Moves kept records into the sink while it has room. Returns true when empty. */
  drain(sink: RecordSink): boolean {
    while (this.fifoHead < this.fifo.length) {
      const record = this.fifo[this.fifoHead]!;
      if (!sink.tryWrite(record.bytes, record.key)) return false;
      this.fifoHead++;
    }
    this.fifo.length = 0;
    this.fifoHead = 0;
    for (const [key, bytes] of this.latest) {
      if (!sink.tryWrite(bytes, key)) return false;
      this.latest.delete(key);
    }
    return true;
  }

  /** Pending records, oldest first (handed to a successor worker on hot reload). */
  take(): { bytes: Uint8Array; key: number }[] {
    const records = this.fifo.slice(this.fifoHead);
    for (const [key, bytes] of this.latest) records.push({ bytes, key });
    this.fifo.length = 0;
    this.fifoHead = 0;
    this.latest.clear();
    return records;
  }

}

export interface Destination {
  /** The reading actor and port, for status and errors. */
  readonly target: string;
  readonly sink: RecordSink;
  /** Topic patterns this destination wants (see `topicMatches`); empty means everything. */
  readonly patterns: readonly string[];
}

/** Records pending in an output port, per destination index. */
export type PendingRecords = { destination: number; bytes: Uint8Array; key: number }[];

export class OutputPort {
  private readonly backlogs: Backlog[];
  private readonly everyone: number[];
  private readonly routes: number[][] = [[]];
  private readonly keys = new Map<string, number>();
  /** Set when a record was kept back; cleared when a flush empties every backlog. */
  private kept = false;
  /** While held, every record is kept and nothing reaches a channel (see `hold`). */
  private held = false;
  messagesOut = 0;

  /** `onBacklog` is called when a record is kept back, so the owner can schedule a flush. */
  constructor(
    readonly name: string,
    readonly policy: ChannelPolicy,
    private readonly codec: Codec,
    private readonly destinations: readonly Destination[],
    private readonly onBacklog: () => void = () => {},
  ) {
    this.backlogs = destinations.map(() => new Backlog(policy === 'conflate'));
    this.everyone = destinations.map((_, index) => index);
    this.routes[0] = this.everyone;
  }

  /** Interns `topic`; pass the result to `send` as its key. Cache it: this does string work. */
  topicKey(topic: string): number {
    let key = this.keys.get(topic);
    if (key === undefined) {
      key = this.routes.length;
      if (key >= 1 << 16) throw arbiterError('WIRING', `output ${this.name}: more than 65535 distinct topics`);
      this.keys.set(topic, key);
      this.routes.push(
        this.everyone.filter((index) => {
          const { patterns } = this.destinations[index]!;
          return patterns.length === 0 || patterns.some((pattern) => topicMatches(pattern, topic));
        }),
      );
    }
    return key;
  }

  /** Encodes once and delivers to every matching destination, or keeps it per the policy. */
  send(message: Message, key = 0): void {
    const route = this.routes[key];
    if (route === undefined) throw arbiterError('WIRING', `output ${this.name}: unknown topic key ${key}`);
    if (route.length === 0) return;
    const bytes = this.codec.encode(message);
    let kept = false;
    for (let i = 0; i < route.length; i++) {
      const index = route[i]!;
      const backlog = this.backlogs[index]!;
      if (this.held) {
        backlog.keep(bytes, key);
        kept = true;
      } else if (backlog.offer(this.destinations[index]!.sink, bytes, key)) {
        kept = true;
      }
    }
    this.messagesOut++;
    if (kept) this.markKept();
  }

  hasPending(): boolean {
    return this.kept;
  }

  /**
   * Holds or releases delivery. A worker that is starting (possibly as a hot-reload successor)
   * holds its outputs until it is sure to run: if its start fails, nothing it was handed or
   * produced has reached a ring, so the predecessor can resume without duplicating a record.
   */
  hold(held: boolean): void {
    this.held = held;
  }

  private markKept(): void {
    if (!this.kept) {
      this.kept = true;
      this.onBacklog();
    }
  }

  /** Drains backlogs into their channels. Returns true when nothing is pending. */
  flush(): boolean {
    if (this.held) return this.pending() === 0;
    let empty = true;
    for (let i = 0; i < this.backlogs.length; i++) {
      const backlog = this.backlogs[i]!;
      if (backlog.size > 0 && !backlog.drain(this.destinations[i]!.sink)) empty = false;
    }
    this.kept = !empty;
    return empty;
  }

  pending(): number {
    let total = 0;
    for (const backlog of this.backlogs) total += backlog.size;
    return total;
  }

  /** Removes and returns everything pending (for hand-over to a successor worker). */
  takePending(): PendingRecords {
    this.kept = false;
    return this.backlogs.flatMap((backlog, destination) => backlog.take().map((record) => ({ destination, ...record })));
  }

  /** Queues records a predecessor could not deliver, ahead of anything new; the next flush sends them. */
  restorePending(records: PendingRecords): void {
    for (const { destination, bytes, key } of records) {
      const backlog = this.backlogs[destination];
      if (!backlog) throw arbiterError('WIRING', `output ${this.name}: pending record for unknown destination ${destination}`);
      backlog.keep(bytes, key);
      this.kept = true;
    }
  }

  stats(): { name: string; messagesOut: number; pending: number; pendingHighWater: number; conflatedAtWriter: number } {
    return {
      name: this.name,
      messagesOut: this.messagesOut,
      pending: this.pending(),
      pendingHighWater: Math.max(0, ...this.backlogs.map((b) => b.highWater)),
      conflatedAtWriter: this.backlogs.reduce((sum, b) => sum + b.replaced, 0),
    };
  }
}
