/**
 * What the feed knows about ccxt's websocket connections. ccxt exposes no events for them, so
 * two hooks of the exchange instance are wrapped (before the first socket exists, because ccxt
 * binds them when it creates a client):
 *
 * - `handleMessage` runs for every frame of every socket: it stamps the client with the time of
 *   its last frame, and notices a new client object for a URL seen before, which is a reconnect.
 * - `client(url)`: each new websocket client gets a listener on its socket's `message` event,
 *   prepended so it runs before ccxt's own (which only queues the frame for parsing later): it
 *   stamps the frame's arrival. `handleMessage` then takes the stamp of the frame it handles
 *   (frames of a socket are delivered in order), and `frameArrivalNs` is the ingress time of the
 *   market data that frame resolves: before ccxt parsed it, not after. When ccxt flushes a
 *   burst of frames before any watcher runs, watchers see the last frame's arrival.
 * - `log`: a frame ccxt cannot parse is logged as `onMessage JSON.parse` and then handed raw to
 *   the venue's handler, which throws and rejects every pending watch on that socket. Only
 *   here is it recognisable as a malformed frame, so it is counted here (and nothing goes to stdout).
 *
 * It also carries out resubscribes, most drastic last: reconnect sockets that have gone silent
 * (a dead TCP connection that keep-alive has not noticed yet is the usual cause of a stale
 * stream); otherwise drop just the subscription and let the next watch subscribe afresh; only
 * if the venue cannot do that, reconnect every socket.
 */
import type { Exchange } from 'ccxt';
import { monoNowNs } from '../../base/clock.js';
import type { StreamSpec } from './types.js';
import { withTimeout } from '../../base/async.js';

interface WsClientLike {
  readonly url: string;
  readonly connection?: { terminate?: () => void };
  /** ccxt's connection start, epoch ms. */
  readonly connectionStarted?: number;
  close(): unknown;
}

const LAST_FRAME_NS = Symbol('arbiter.lastFrameNs');
const ARRIVALS = Symbol('arbiter.frameArrivals');
type Stamped = WsClientLike & { [LAST_FRAME_NS]?: number; [ARRIVALS]?: ArrivalQueue; connection?: { prependListener?: (event: string, listener: () => void) => unknown } };

/**
 * Arrival times of a socket's frames not yet handed to ccxt's handler, FIFO, in a fixed ring:
 * ccxt pauses the socket at 1024 queued frames, so 2048 slots never wrap onto unread ones.
 */
class ArrivalQueue {
  private readonly slots = new Float64Array(2048);
  private head = 0;
  private tail = 0;

  push(ns: number): void {
    this.slots[this.tail++ & 2047] = ns;
    if (this.tail - this.head > 2048) this.head = this.tail - 2048;
  }

  /** The oldest unread arrival, or 0 when none is queued. */
  shift(): number {
    return this.head < this.tail ? (this.slots[this.head++ & 2047] as number) : 0;
  }
}

/** Errors from sockets we closed ourselves arrive a little later; within this window they are ours. */
const DELIBERATE_CLOSE_WINDOW_NS = 2e9;
const UNWATCH_TIMEOUT_MS = 2_000;

export class ConnectionWatch {
  /** New sockets opened for a URL that had one before. */
  reconnects = 0;
  malformedFrames = 0;
  private readonly clientByUrl = new Map<string, object>();
  private deliberateUntilNs = 0;
  /** When (monotonic ns) the frame ccxt handled last reached its socket, 0 before any. */
  frameArrivalNs = 0;

  constructor(
    private readonly exchange: Exchange,
    private readonly onMalformed: (detail: string) => void,
  ) {
    const hooks = exchange as unknown as { handleMessage(client: Stamped, message: unknown): unknown; log(...args: unknown[]): void; client(url: string): Stamped };
    const handleMessage = hooks.handleMessage;
    hooks.handleMessage = (client, message) => {
      if (client[LAST_FRAME_NS] === undefined) this.firstFrame(client);
      const nowNs = monoNowNs();
      client[LAST_FRAME_NS] = nowNs;
      this.frameArrivalNs = client[ARRIVALS]?.shift() || nowNs;
      return handleMessage.call(exchange, client, message);
    };
    const clientFor = hooks.client;
    hooks.client = (url) => {
      const client = clientFor.call(exchange, url);
      if (client[ARRIVALS] === undefined) stampArrivals(client);
      return client;
    };
    hooks.log = (...args: unknown[]) => {
      if (args[1] !== 'onMessage JSON.parse') return;
      this.malformedFrames++;
      this.onMalformed(`unparseable frame on ${String(args[4])}: ${String(args[2])}`);
    };
  }

  private firstFrame(client: Stamped): void {
    const previous = this.clientByUrl.get(client.url);
    if (previous !== undefined && previous !== client) this.reconnects++;
    this.clientByUrl.set(client.url, client);
  }

  private clients(): Stamped[] {
    return Object.values((this.exchange as unknown as { clients?: Record<string, Stamped> }).clients ?? {});
  }

  /** True shortly after we closed sockets ourselves: their errors are a resubscribe, not a connection loss. */
  closedByUsRecently(nowNs: number): boolean {
    return nowNs < this.deliberateUntilNs;
  }

  /** Terminates (no close handshake: a dead peer would never answer it) the given sockets. */
  private terminate(clients: readonly Stamped[]): number {
    if (clients.length > 0) this.deliberateUntilNs = monoNowNs() + DELIBERATE_CLOSE_WINDOW_NS;
    for (const client of clients) {
      if (typeof client.connection?.terminate === 'function') client.connection.terminate();
      else void client.close();
    }
    return clients.length;
  }

  /** Reconnects sockets without a frame for `silentMs`. Returns how many. */
  closeSilent(silentMs: number): number {
    const nowNs = monoNowNs();
    const nowMs = Date.now();
    const silent = this.clients().filter((client) => {
      const lastNs = client[LAST_FRAME_NS];
      if (lastNs !== undefined) return (nowNs - lastNs) / 1e6 >= silentMs;
      return client.connectionStarted !== undefined && nowMs - client.connectionStarted >= silentMs;
    });
    return this.terminate(silent);
  }

  closeAll(): number {
    return this.terminate(this.clients());
  }

  /**
   * Makes `spec`'s stream for `symbol` subscribe again (its pending watch is rejected and the
   * next one subscribes, which for a book means a fresh snapshot). Says what it did.
   */
  async resubscribe(spec: StreamSpec, symbol: string, silentMs: number): Promise<string> {
    if (this.closeSilent(silentMs) > 0) return 'reconnected a silent socket';
    if (spec.unwatch && this.exchange.has[spec.unwatch.method]) {
      try {
        await withTimeout(spec.unwatch.call(this.exchange, symbol), UNWATCH_TIMEOUT_MS);
        return `${spec.unwatch.method}, then subscribed again`;
      } catch {
        // An unsubscribe that is not answered in time: the socket is suspect after all.
      }
    }
    return `reconnected ${this.closeAll()} socket(s)`;
  }
}

/** Stamps every frame of `client`'s sockets as it arrives; each socket (a reconnect makes a new one) starts an empty queue. */
function stampArrivals(client: Stamped): void {
  client[ARRIVALS] = new ArrivalQueue();
  const target = client as unknown as { createConnection: () => void };
  const createConnection = target.createConnection;
  target.createConnection = function (this: Stamped) {
    createConnection.call(this);
    const arrivals = new ArrivalQueue();
    this[ARRIVALS] = arrivals;
    this.connection?.prependListener?.('message', () => arrivals.push(monoNowNs()));
  };
}
