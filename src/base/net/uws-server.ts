/**
 * The uWebSockets.js backend.
 *
 * uWS rules this file follows (breaking any of them crashes the process or corrupts data):
 * - `HttpRequest` lives on the stack: read method, URL, query and headers synchronously in the
 *   handler, before any await.
 * - Every ArrayBuffer uWS hands out (body chunks, WS messages) is neutered when the callback
 *   returns: copy what you keep.
 * - A response must be ended exactly once, and never after `onAborted` fired (the client left).
 * - Writes from outside a uWS callback (timers, promises) must be corked, or each call is its
 *   own syscall and, for HTTP, the status line and headers may go out separately.
 * - A WebSocket must not be touched after its `close` handler ran.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, WebSocketBehavior, us_listen_socket } from 'uWebSockets.js';
import type { Logger } from '../log.js';
import type { UwsModule } from './backend.js';
import { listenFailure, probeListen } from './listen-error.js';
import { announcesBody, dispatchHttp, guardWsHandlers, makeRequest, PAYLOAD_TOO_LARGE, NO_NAMES, preflightHttp, type Router } from './router.js';
import type { NetRequestHead, NetResponse, NetServer, NetServerOptions, WsConnection, WsHandlers } from './types.js';

interface UpgradeData {
  path: string;
  query: string;
  headers: Record<string, string>;
  handlers: WsHandlers;
  connection?: UwsConnection;
}

class UwsConnection implements WsConnection {
  closed = false;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket<UpgradeData>,
    readonly path: string,
    readonly query: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  send(text: string): boolean {
    if (this.closed) return false;
    let status = 0;
    this.ws.cork(() => {
      status = this.ws.send(text, false);
    });
    // 2 = dropped (over the backpressure limit; the socket is being closed for it).
    return status !== 2;
  }

  ping(): void {
    if (!this.closed) this.ws.cork(() => this.ws.ping());
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.ws.end(code, reason);
  }

  terminate(): void {
    if (this.closed) return;
    this.ws.close();
  }

  bufferedBytes(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }
}

/** Every header once (the first value, as node:http keeps it) and the names sent more than once. */
function readHeaders(req: HttpRequest): { headers: Record<string, string>; repeatedHeaders: readonly string[] } {
  const headers: Record<string, string> = {};
  let repeated: string[] | undefined;
  req.forEach((key, value) => {
    if (!(key in headers)) headers[key] = value;
    else if (!repeated?.includes(key)) (repeated ??= []).push(key);
  });
  return { headers, repeatedHeaders: repeated ?? NO_NAMES };
}

/** `closeConnection`: for a request refused before its body was read, which cannot be skipped to a next one. */
function writeResponse(res: HttpResponse, response: NetResponse, closeConnection = false): void {
  const status = response.status;
  res.cork(() => {
    res.writeStatus(`${status} ${STATUS_CODES[status] ?? 'Unknown'}`);
    if (response.headers) for (const [key, value] of Object.entries(response.headers)) res.writeHeader(key, value);
    res.end(response.body ?? '', closeConnection);
  });
}

interface Settings {
  readonly router: Router;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}

function handleHttp(settings: Settings, res: HttpResponse, req: HttpRequest): void {
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl();
  const query = req.getQuery() ?? '';
  const head: NetRequestHead = { method, path, query, ...readHeaders(req) };
  const state = { aborted: false, answered: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  const answer = (response: NetResponse, closeConnection = false): void => {
    if (state.aborted || state.answered) return;
    state.answered = true;
    writeResponse(res, response, closeConnection);
  };
  const body = announcesBody(head.headers);
  const preflight = preflightHttp(settings.router, head, settings.maxBodyBytes);
  if ('response' in preflight) return answer(preflight.response, body);
  const route = preflight.route;
  const run = (bytes: Buffer): void => {
    const request = makeRequest(head, bytes);
    void dispatchHttp(route, request, (error) => settings.logger.error({ err: error, method, path }, 'http handler failed')).then((response) => answer(response));
  };
  if (!body) return run(Buffer.alloc(0));
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (state.answered) return;
    size += chunk.byteLength;
    if (size > settings.maxBodyBytes) return answer(PAYLOAD_TOO_LARGE, true);
    chunks.push(Buffer.from(chunk.slice(0))); // copy: the chunk is neutered after this callback
    if (isLast) run(Buffer.concat(chunks));
  });
}

function wsBehavior(router: Router, options: NetServerOptions, logger: Logger, connections: Set<UwsConnection>): WebSocketBehavior<UpgradeData> {
  let nextId = 1;
  const onError = (error: unknown, event: string, path: string): void => logger.error({ err: error, event, path }, 'websocket handler failed');
  return {
    // Our own code sends pings; uWS's idle timeout would also cut clients that only receive.
    idleTimeout: 0,
    sendPingsAutomatically: false,
    maxPayloadLength: options.maxWsMessageBytes ?? 1 << 20,
    maxBackpressure: options.maxWsBackpressureBytes ?? 8 << 20,
    closeOnBackpressureLimit: 1,
    upgrade: (res, req, context) => {
      const path = req.getUrl();
      const handlers = router.matchWs(path);
      if (!handlers) return writeResponse(res, { status: 404, body: 'no websocket endpoint here' });
      const data: UpgradeData = { path, query: req.getQuery() ?? '', headers: readHeaders(req).headers, handlers: guardWsHandlers(handlers, onError) };
      res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => {
      const data = ws.getUserData();
      const connection = new UwsConnection(nextId++, ws, data.path, data.query, data.headers);
      data.connection = connection;
      connections.add(connection);
      data.handlers.open?.(connection);
    },
    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      // toString copies the bytes out of the soon-neutered buffer.
      if (data.connection) data.handlers.message?.(data.connection, Buffer.from(message).toString('utf8'), isBinary);
    },
    close: (ws, code, message) => {
      const data = ws.getUserData();
      const connection = data.connection;
      if (!connection) return;
      connection.closed = true;
      connections.delete(connection);
      data.handlers.close?.(connection, code, Buffer.from(message).toString('utf8'));
    },
  };
}

/** uWS's `ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT` (a const enum in its typings). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

/** The native `listen(host, port, options, cb)` overload its typings leave out. */
interface ExclusiveListen {
  listen(host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void): unknown;
}

/** Starts a uWS server. */
export async function startUwsServer(uws: UwsModule, router: Router, options: NetServerOptions, logger: Logger): Promise<NetServer> {
  const host = options.host ?? '127.0.0.1';
  const settings: Settings = { router, logger, maxBodyBytes: options.maxBodyBytes ?? 1 << 20 };
  const app: TemplatedApp = uws.App();
  const connections = new Set<UwsConnection>();
  app.ws<UpgradeData>('/*', wsBehavior(router, options, logger, connections));
  app.any('/*', (res, req) => handleHttp(settings, res, req));
  const listenSocket = await new Promise<us_listen_socket | false>((resolve) => {
    // uWS sets SO_REUSEPORT by default, which lets a second server share a taken port: never.
    (app as unknown as ExclusiveListen).listen(host, options.port ?? 0, LIBUS_LISTEN_EXCLUSIVE_PORT, resolve);
  });
  if (listenSocket === false) {
    // uWS says only that it failed: a plain bind of the same address tells why (in use, not permitted…).
    const cause = await probeListen(host, options.port ?? 0);
    throw cause ? listenFailure(cause, host, options) : new Error(`uWS could not listen on ${host}:${options.port ?? 0}`);
  }
  const port = uws.us_socket_local_port(listenSocket as never);
  let closed = false;
  return {
    backend: 'uws',
    host,
    port,
    url: `http://${host}:${port}`,
    wsConnectionCount: () => connections.size,
    close: async () => {
      if (closed) return;
      closed = true;
      const closable = app as TemplatedApp & { close?: () => void };
      if (typeof closable.close === 'function') {
        // Closes the listen socket and every HTTP and WebSocket connection (runs close handlers).
        closable.close();
      } else {
        uws.us_listen_socket_close(listenSocket);
        for (const connection of [...connections]) connection.terminate();
      }
    },
  };
}
