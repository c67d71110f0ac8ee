/**
 * An actor's named input: one or more channels (one per writer), polled round-robin, each
 * record decoded and handed to the dispatcher. A record that fails to decode is counted,
 * reported and consumed, so one bad record never stalls the loop behind it.
 */
import type { Message } from '../../protocol/index.js';
import type { RecordSource } from './channel.js';
import type { Codec } from './codec.js';
import type { RecordVisitor } from './ring.js';

export interface InputStats {
  name: string;
  messagesIn: number;
  decodeErrors: number;
  backlog: number;
  conflated: number;
}

export class InputPort {
  private next = 0;
  /** The source being polled: its origin is the sender of the message being dispatched. */
  private polling = 0;
  private current: Message | undefined;
  /** Where the record being dispatched lies in the ring (valid only while it is dispatched). */
  private currentData: Uint8Array | undefined;
  private currentStart = 0;
  private currentEnd = 0;
  messagesIn = 0;
  decodeErrors = 0;
  private readonly visit: RecordVisitor;

  constructor(
    readonly name: string,
    private readonly sources: readonly RecordSource[],
    private readonly codec: Codec,
    private readonly conflate: boolean,
    dispatch: (message: Message, port: InputPort) => void,
    onDecodeError: (error: unknown, port: InputPort) => void,
    /** The writing actor of each source, in source order (empty when unknown). */
    private readonly origins: readonly string[] = [],
  ) {
    // One visitor for the port's lifetime: no closure is allocated per poll or per record.
    this.visit = (data, start, end) => {
      let message: Message;
      try {
        message = this.codec.decode(data, start, end);
      } catch (error) {
        this.decodeErrors++;
        onDecodeError(error, this);
        return;
      }
      this.messagesIn++;
      this.current = message;
      this.currentData = data;
      this.currentStart = start;
      this.currentEnd = end;
      dispatch(message, this);
    };
  }

  hasData(): boolean {
    for (let i = 0; i < this.sources.length; i++) if (this.sources[i]!.hasData()) return true;
    return false;
  }

  /** Whether any channel of this port delivers through the event loop (see RecordSource). */
  get eventDriven(): boolean {
    return this.sources.some((source) => source.eventDriven);
  }

  /** Delivers up to `max` records, taking turns across the port's channels. */
  poll(max: number): number {
    const count = this.sources.length;
    let delivered = 0;
    for (let tried = 0; tried < count && delivered < max; tried++) {
      const source = this.sources[this.next]!;
      this.polling = this.next;
      this.next = this.next + 1 === count ? 0 : this.next + 1;
      delivered += this.conflate ? source.pollConflated(this.visit, max - delivered) : source.poll(this.visit, max - delivered);
    }
    return delivered;
  }

  /** Keeps consumed records in the rings until `release()` (see RingReader.holdReleases). */
  holdReleases(hold: boolean): void {
    for (let i = 0; i < this.sources.length; i++) this.sources[i]!.holdReleases?.(hold);
  }

  release(): void {
    for (let i = 0; i < this.sources.length; i++) this.sources[i]!.release?.();
  }

  /** The actor that wrote the message being dispatched (undefined when the wiring does not say). */
  currentOrigin(): string | undefined {
    return this.origins[this.polling];
  }

  /** A copy of the message being dispatched as its writer encoded it (call only while it is dispatched). */
  currentRecord(): Uint8Array | undefined {
    return this.currentData?.slice(this.currentStart, this.currentEnd);
  }

  /** The message being dispatched (for error reports). */
  currentMessage(): Message | undefined {
    return this.current;
  }

  stats(): InputStats {
    let backlog = 0;
    let conflated = 0;
    for (const source of this.sources) {
      backlog += source.backlog();
      conflated += source.conflated();
    }
    return { name: this.name, messagesIn: this.messagesIn, decodeErrors: this.decodeErrors, backlog, conflated };
  }
}
