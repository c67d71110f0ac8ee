/**
 * Subscriptions that begin with a snapshot (bybit `orderbook.50`, okx `books`): the snapshot
 * must show exactly the state the next diff continues from. Between ticks a book can hold
 * changes that are not flushed yet (a fill from a REST order), so a snapshot taken at subscribe
 * time could be ahead of the diff stream. The snapshot therefore waits for the next tick: after
 * that tick's diffs went to the existing subscribers the book equals what was published, the
 * snapshot is sent and only then does the socket join the topic.
 */
import type { SimSocket, StreamHub } from '../streams.js';

interface Pending {
  readonly socket: SimSocket;
  readonly topic: string;
  /** Encodes the snapshot at send time (undefined: nothing to send, join the topic anyway). */
  readonly snapshot: () => string | undefined;
}

export class SnapshotQueue {
  private pending: Pending[] = [];

  constructor(private readonly hub: StreamHub) {}

  add(socket: SimSocket, topic: string, snapshot: () => string | undefined): void {
    this.pending.push({ socket, topic, snapshot });
  }

  isPending(socket: SimSocket, topic: string): boolean {
    return this.pending.some((entry) => entry.socket === socket && entry.topic === topic);
  }

  /** Forgets a subscription that was withdrawn before its snapshot went out. */
  remove(socket: SimSocket, topic: string): void {
    this.pending = this.pending.filter((entry) => entry.socket !== socket || entry.topic !== topic);
  }

  /** Sends the waiting snapshots and subscribes their sockets. Call after the tick's diffs were published. */
  flush(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { socket, topic, snapshot } of pending) {
      if (!socket.isOpen) continue;
      const text = snapshot();
      if (text !== undefined) socket.send(text);
      this.hub.subscribe(socket, topic);
    }
  }
}
