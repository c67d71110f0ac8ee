/**
 * WebSocket fan-out for venue protocols: sockets per venue, topic subscriptions, and the stream
 * faults (stall, drop, malformed frame) applied in one place so every venue gets them for free.
 *
 * A venue encodes each event once per topic and publishes the text; the hub hands it to every
 * subscriber (a venue whose sockets need a per-socket envelope, such as binance's combined
 * streams, gives the socket a `frame` function that wraps by string concatenation, never by
 * re-parsing). While a venue is stalled, frames queue per socket and flush in order on resume;
 * a socket whose queue overflows is dropped, as venues drop consumers that fall too far behind.
 */
import type { WsConnection } from '../base/net/index.js';

const MAX_STALLED_FRAMES = 20_000;

export class SimSocket {
  readonly topics = new Set<string>();
  /** Per-socket envelope around a topic's payload (default: the payload itself). */
  frame: (topic: string, payload: string) => string = (_topic, payload) => payload;
  /** Venue-private state (for example the next request id). */
  state: Record<string, unknown> = {};
  private queued: string[] | undefined;

  constructor(
    readonly venue: string,
    /** Original host of the connection (`stream.binance.com`). */
    readonly host: string,
    /** Path after the host (`/ws/0`). */
    readonly path: string,
    readonly connection: WsConnection,
    private readonly stalled: () => boolean,
  ) {}

  get isOpen(): boolean {
    return this.connection.isOpen;
  }

  /** Sends now, or queues while the venue is stalled. */
  send(text: string): void {
    if (this.stalled()) {
      this.queued ??= [];
      if (this.queued.length >= MAX_STALLED_FRAMES) {
        this.queued = undefined;
        this.connection.terminate();
        return;
      }
      this.queued.push(text);
      return;
    }
    if (this.queued) this.flush();
    this.connection.send(text);
  }

  /** Sends what queued during a stall. */
  flush(): void {
    const queued = this.queued;
    this.queued = undefined;
    if (queued) for (const text of queued) this.connection.send(text);
  }
}

export class StreamHub {
  private readonly sockets = new Map<string, Set<SimSocket>>();
  private readonly subscribers = new Map<string, Set<SimSocket>>();

  constructor(private readonly isStalled: (venue: string) => boolean) {}

  private topicKey(venue: string, topic: string): string {
    return `${venue}\u0000${topic}`;
  }

  add(venue: string, host: string, path: string, connection: WsConnection): SimSocket {
    const socket = new SimSocket(venue, host, path, connection, () => this.isStalled(venue));
    let set = this.sockets.get(venue);
    if (!set) this.sockets.set(venue, (set = new Set()));
    set.add(socket);
    return socket;
  }

  remove(socket: SimSocket): void {
    this.sockets.get(socket.venue)?.delete(socket);
    for (const topic of socket.topics) this.subscribers.get(this.topicKey(socket.venue, topic))?.delete(socket);
    socket.topics.clear();
  }

  subscribe(socket: SimSocket, topic: string): void {
    socket.topics.add(topic);
    const key = this.topicKey(socket.venue, topic);
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(socket);
  }

  unsubscribe(socket: SimSocket, topic: string): void {
    socket.topics.delete(topic);
    this.subscribers.get(this.topicKey(socket.venue, topic))?.delete(socket);
  }

  /** True when someone listens (lets a venue skip encoding events nobody will receive). */
  hasSubscribers(venue: string, topic: string): boolean {
    return (this.subscribers.get(this.topicKey(venue, topic))?.size ?? 0) > 0;
  }

  /** Encodes and sends only when someone listens: `encode` runs at most once per call. */
  publishLazy(venue: string, topic: string, encode: () => string): void {
    if (this.hasSubscribers(venue, topic)) this.publish(venue, topic, encode());
  }

  /** Sends `payload` to every subscriber of `topic` (through each socket's envelope). */
  publish(venue: string, topic: string, payload: string): void {
    const set = this.subscribers.get(this.topicKey(venue, topic));
    if (set) for (const socket of set) socket.send(socket.frame(topic, payload));
  }

  socketsOf(venue: string | undefined): SimSocket[] {
    if (venue !== undefined) return [...(this.sockets.get(venue) ?? [])];
    return [...this.sockets.values()].flatMap((set) => [...set]);
  }

  /** Drops matching sockets without a close frame (clients see a network failure). */
  drop(venue: string | undefined, pathContains?: string): number {
    const victims = this.socketsOf(venue).filter((socket) => !pathContains || `/${socket.host}${socket.path}`.includes(pathContains));
    for (const socket of victims) socket.connection.terminate();
    return victims.length;
  }

  /** Sends one frame of invalid JSON to matching sockets, bypassing stalls. */
  sendMalformed(venue: string | undefined): void {
    for (const socket of this.socketsOf(venue)) socket.connection.send('{"e":"depthUpdate","E":');
  }

  resume(venue: string | undefined): void {
    for (const socket of this.socketsOf(venue)) socket.flush();
  }

  ping(venue: string): void {
    for (const socket of this.socketsOf(venue)) socket.connection.ping();
  }

  count(): number {
    let total = 0;
    for (const set of this.sockets.values()) total += set.size;
    return total;
  }
}
