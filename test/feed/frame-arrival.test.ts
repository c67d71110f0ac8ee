import { EventEmitter } from 'node:events';
import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { monoNowNs } from '../../src/base/clock.js';
import { ConnectionWatch } from '../../src/venues/feed/connections.js';

/** The two ccxt hooks the watch wraps, and a client whose socket is an EventEmitter (as `ws` is). */
function fakeExchange() {
  const handled: unknown[] = [];
  const clients: Record<string, { url: string; connection?: EventEmitter; createConnection(): void; close(): void }> = {};
  const exchange = {
    clients,
    handleMessage: (_client: unknown, message: unknown) => handled.push(message),
    log: () => undefined,
    client(url: string) {
      return (clients[url] ??= {
        url,
        createConnection() {
          this.connection = new EventEmitter();
        },
        close: () => undefined,
      });
    },
  };
  return { exchange, handled };
}

describe('the ingress stamp of websocket frames', () => {
  it('is taken when the frame reaches the socket, before ccxt handles it, frame by frame in order', () => {
    const { exchange, handled } = fakeExchange();
    const watch = new ConnectionWatch(exchange as unknown as Exchange, () => undefined);
    const client = exchange.client('ws://venue/stream');
    client.createConnection();
    const before = monoNowNs();
    client.connection!.emit('message', 'frame 1');
    const between = monoNowNs();
    client.connection!.emit('message', 'frame 2');
    const after = monoNowNs();
    // ccxt parses and handles the queued frames later, one by one.
    exchange.handleMessage(client, { n: 1 });
    expect(watch.frameArrivalNs).toBeGreaterThanOrEqual(before);
    expect(watch.frameArrivalNs).toBeLessThanOrEqual(between);
    exchange.handleMessage(client, { n: 2 });
    expect(watch.frameArrivalNs).toBeGreaterThanOrEqual(between);
    expect(watch.frameArrivalNs).toBeLessThanOrEqual(after);
    expect(handled).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('starts afresh on a new socket: frames queued on a dropped one are not attributed to it', () => {
    const { exchange } = fakeExchange();
    const watch = new ConnectionWatch(exchange as unknown as Exchange, () => undefined);
    const client = exchange.client('ws://venue/stream');
    client.createConnection();
    client.connection!.emit('message', 'never handled');
    client.createConnection(); // reconnect
    const before = monoNowNs();
    client.connection!.emit('message', 'fresh');
    exchange.handleMessage(client, {});
    expect(watch.frameArrivalNs).toBeGreaterThanOrEqual(before);
  });
});
