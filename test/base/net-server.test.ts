import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import WebSocket from 'ws';
import { Router, chooseBackend, startNetServer, type NetServer, type WsConnection } from '../../src/base/net/index.js';

const logger = pino({ enabled: false });
const uwsAvailable = (await chooseBackend('auto')).name === 'uws';

function echoRouter(events: string[]): Router {
  return new Router()
    .get('/items', (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: request.path, query: request.query }) }))
    .post('/items', async (request) => {
      await Promise.resolve();
      return { status: 201, body: `got ${request.text()} (${request.headers['content-type']})` };
    })
    .get('/boom', () => {
      throw new Error('handler bug');
    })
    .ws('/ws', {
      open: (connection) => {
        events.push(`open ${connection.path}?${connection.query}`);
        connection.send('welcome');
      },
      message: (connection, text) => {
        if (text === 'drop') return connection.terminate();
        if (text === 'bye') return connection.close(4000, 'asked to');
        connection.send(`echo:${text}`);
      },
      close: (connection, code) => events.push(`close ${connection.id} ${code}`),
    });
}

async function nextMessage(ws: WebSocket): Promise<string> {
  const [data] = (await once(ws, 'message')) as [Buffer];
  return data.toString();
}

describe.each([
  { backend: 'node' as const, skip: false },
  { backend: 'uws' as const, skip: !uwsAvailable },
])('net server on the $backend backend', ({ backend, skip }) => {
  let server: NetServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.skipIf(skip)('routes by method and prefix, reads query and body, answers errors', async () => {
    const events: string[] = [];
    server = await startNetServer(echoRouter(events), { backend, port: 0, logger });
    expect(server.backend).toBe(backend);
    expect(server.port).toBeGreaterThan(0);
    const get = await fetch(`${server.url}/items/7?x=1&y=two`);
    expect(await get.json()).toEqual({ path: '/items/7', query: 'x=1&y=two' });
    const post = await fetch(`${server.url}/items`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(201);
    expect(await post.text()).toBe('got a=1 (application/x-www-form-urlencoded)');
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${server.url}/itemsx`)).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/items`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    expect((await fetch(`${server.url}/boom`)).status).toBe(500);
    const big = await fetch(`${server.url}/items`, { method: 'POST', body: 'x'.repeat(2 << 20) }).catch(() => undefined);
    if (big) expect(big.status).toBe(413);
  });

  it.skipIf(skip)('serves websockets: open, message, close, terminate, and close() drops clients', async () => {
    const events: string[] = [];
    server = await startNetServer(echoRouter(events), { backend, port: 0, logger });
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/feed?a=1`);
    expect(await nextMessage(ws)).toBe('welcome');
    ws.send('hello');
    expect(await nextMessage(ws)).toBe('echo:hello');
    expect(events).toEqual(['open /ws/feed?a=1']);
    expect(server.wsConnectionCount()).toBe(1);

    ws.send('bye');
    const [closeCode] = (await once(ws, 'close')) as [number];
    expect(closeCode).toBe(4000);

    const dropped = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await nextMessage(dropped);
    dropped.send('drop');
    const [dropCode] = (await once(dropped, 'close')) as [number];
    expect(dropCode).toBe(1006); // no close frame: what a network failure looks like

    const rejected = new WebSocket(`${server.url.replace('http', 'ws')}/elsewhere`);
    const [error] = (await once(rejected, 'error')) as [Error];
    expect(error.message).toContain('404');

    const lingering = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await nextMessage(lingering);
    const closed = once(lingering, 'close');
    await server.close();
    await closed;
    await expect(fetch(`${server.url}/items`)).rejects.toThrow();
  });

  it.skipIf(skip)('survives a websocket handler that throws: the error is logged, the server keeps serving', async () => {
    const errors: unknown[] = [];
    const capture = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
    const router = new Router()
      .get('/ok', () => ({ status: 200, body: 'ok' }))
      .ws('/buggy', {
        message: (connection, text) => {
          if (text === 'boom') throw new Error('handler bug');
          connection.send(`fine:${text}`);
        },
      });
    server = await startNetServer(router, { backend, port: 0, logger: capture });
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/buggy`);
    await once(ws, 'open');
    ws.send('boom');
    ws.send('after');
    expect(await nextMessage(ws)).toBe('fine:after');
    expect(errors).toEqual([expect.objectContaining({ event: 'message', path: '/buggy', msg: 'websocket handler failed' })]);
    expect(await (await fetch(`${server.url}/ok`)).text()).toBe('ok');
    ws.close();
  });

  it.skipIf(skip)('sends from outside a callback (timer) and reports closed connections', async () => {
    let serverSide: WsConnection | undefined;
    const router = new Router().ws('/', {
      open: (connection) => {
        serverSide = connection;
      },
    });
    server = await startNetServer(router, { backend, port: 0, logger });
    const ws = new WebSocket(server.url.replace('http', 'ws'));
    await once(ws, 'open');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const received = nextMessage(ws);
    setImmediate(() => serverSide?.send('from a timer'));
    expect(await received).toBe('from a timer');
    // Keep-alive: a server ping reaches the client (which answers with a pong on its own).
    const pinged = once(ws, 'ping');
    serverSide?.ping();
    await pinged;
    ws.close();
    await once(ws, 'close');
    await expect.poll(() => serverSide?.isOpen).toBe(false);
    expect(serverSide?.send('late')).toBe(false);
  });
});

describe.each([
  { backend: 'node' as const, skip: false },
  { backend: 'uws' as const, skip: !uwsAvailable },
])('exclusive listening on the $backend backend', ({ backend, skip }) => {
  const servers: NetServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (port: number): Promise<NetServer> => {
    const server = await startNetServer(new Router(), { backend, port, portKey: 'ops.port', logger });
    servers.push(server);
    return server;
  };

  it.skipIf(skip)('refuses a port a server of either backend holds, naming the address and the config key', async () => {
    for (const holderBackend of uwsAvailable ? (['node', 'uws'] as const) : (['node'] as const)) {
      const holder = await startNetServer(new Router(), { backend: holderBackend, port: 0, logger });
      servers.push(holder);
      await expect(start(holder.port), `held by ${holderBackend}`).rejects.toThrow(new RegExp(`PORT_IN_USE: ops\\.port: 127\\.0\\.0\\.1:${holder.port} is already in use`));
    }
  });

  it.skipIf(!uwsAvailable || skip)('refuses a port a uWS server holds with SO_REUSEPORT (its default listen)', async () => {
    const choice = await chooseBackend('uws');
    if (choice.name !== 'uws') throw new Error('uws expected');
    const app = choice.uws.App();
    const socket = await new Promise<unknown>((resolve) => app.listen('127.0.0.1', 0, resolve));
    expect(socket).not.toBe(false);
    const port = choice.uws.us_socket_local_port(socket as never);
    try {
      await expect(start(port)).rejects.toThrow(/PORT_IN_USE: ops\.port/);
    } finally {
      choice.uws.us_listen_socket_close(socket as never);
    }
  });
});

describe('backend selection', () => {
  it('rejects an unknown ARBITER_HTTP_BACKEND value naming the variable and the value', async () => {
    const previous = process.env.ARBITER_HTTP_BACKEND;
    process.env.ARBITER_HTTP_BACKEND = 'nginx';
    try {
      await expect(chooseBackend()).rejects.toThrow(/ARBITER_HTTP_BACKEND.*"nginx"/);
    } finally {
      if (previous === undefined) delete process.env.ARBITER_HTTP_BACKEND;
      else process.env.ARBITER_HTTP_BACKEND = previous;
    }
  });
});
