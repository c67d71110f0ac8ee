/**
 * The fallback backend: node:http for requests and the `ws` package for WebSocket upgrades.
 * Same behaviour as the uWS backend: bodies bounded, every handler failure answered, slow
 * WebSocket consumers closed instead of silently losing frames, close() drops everything.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { Logger } from '../log.js';
import { listenFailure } from './listen-error.js';
import { announcesBody, dispatchHttp, guardWsHandlers, makeRequest, PAYLOAD_TOO_LARGE, preflightHttp, repeatedNames, type Router } from './router.js';
import type { NetRequestHead, NetResponse, NetServer, NetServerOptions, WsConnection, WsHandlers } from './types.js';

class NodeConnection implements WsConnection {
  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    readonly path: string,
    readonly query: string,
    readonly headers: Readonly<Record<string, string>>,
    private readonly maxBackpressureBytes: number,
  ) {}

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.maxBackpressureBytes) {
      // Same policy as uWS's closeOnBackpressureLimit: a consumer this far behind is cut off.
      this.ws.terminate();
      return false;
    }
    this.ws.send(text);
    return true;
  }

  ping(): void {
    if (this.isOpen) this.ws.ping();
  }

  close(code = 1000, reason = ''): void {
    if (this.isOpen) this.ws.close(code, reason);
  }

  terminate(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }
}

function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** node:http silently drops repeats of some headers (authorization among them): the raw list still has them. */
function repeatedHeaders(req: IncomingMessage): readonly string[] {
  const names: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) names.push(req.rawHeaders[i]!.toLowerCase());
  return repeatedNames(names);
}

function writeResponse(res: ServerResponse, response: NetResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, response.headers as Record<string, string> | undefined);
  res.end(response.body ?? '');
}

/**
 * Answers without reading the body. A request that announced one gets its connection closed
 * once the answer is out (the unread body cannot be skipped to reach a next request).
 */
function refuse(req: IncomingMessage, res: ServerResponse, response: NetResponse): void {
  if (res.headersSent || res.destroyed) return;
  if (announcesBody(req.headers as Record<string, string>)) {
    res.shouldKeepAlive = false;
    res.once('finish', () => req.socket.destroySoon());
  }
  writeResponse(res, response);
}

function handleHttp(router: Router, logger: Logger, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): void {
  const { path, query } = splitUrl(req.url ?? '/');
  const method = (req.method ?? 'GET').toUpperCase();
  const head: NetRequestHead = { method, path, query, headers: flatHeaders(req), repeatedHeaders: repeatedHeaders(req) };
  const preflight = preflightHttp(router, head, maxBodyBytes);
  req.on('error', () => undefined);
  if ('response' in preflight) return refuse(req, res, preflight.response);
  const route = preflight.route;
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  req.on('data', (chunk: Buffer) => {
    if (rejected) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      rejected = true;
      return refuse(req, res, PAYLOAD_TOO_LARGE);
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (rejected) return;
    const request = makeRequest(head, Buffer.concat(chunks));
    void dispatchHttp(route, request, (error) => logger.error({ err: error, method, path }, 'http handler failed')).then((response) =>
      writeResponse(res, response),
    );
  });
}

const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_INVALID_METHOD: [501, 'Not Implemented'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/** What a request node:http could not parse gets: an answer naming the status, then the connection closes. */
function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const [status, text] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request'];
  const body = `${text.toLowerCase()}\n`;
  return `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

interface UpgradeContext {
  readonly router: Router;
  readonly logger: Logger;
  readonly wss: WebSocketServer;
  readonly connections: Set<NodeConnection>;
  readonly maxBackpressureBytes: number;
  nextId: number;
}

function attach(context: UpgradeContext, ws: WebSocket, req: IncomingMessage, handlers: WsHandlers): void {
  const { path, query } = splitUrl(req.url ?? '/');
  const connection = new NodeConnection(context.nextId++, ws, path, query, flatHeaders(req), context.maxBackpressureBytes);
  context.connections.add(connection);
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    handlers.message?.(connection, bytes.toString('utf8'), isBinary);
  });
  ws.on('close', (code: number, reason: Buffer) => {
    context.connections.delete(connection);
    handlers.close?.(connection, code, reason.toString('utf8'));
  });
  ws.on('error', () => undefined); // a broken peer surfaces as 'close' right after
  handlers.open?.(connection);
}

function handleUpgrade(context: UpgradeContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const handlers = context.router.matchWs(splitUrl(req.url ?? '/').path);
  if (!handlers) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const guarded = guardWsHandlers(handlers, (error, event, path) => context.logger.error({ err: error, event, path }, 'websocket handler failed'));
  context.wss.handleUpgrade(req, socket, head, (ws) => attach(context, ws, req, guarded));
}

/** Starts a node:http + ws server. */
export async function startNodeServer(router: Router, options: NetServerOptions, logger: Logger): Promise<NetServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxWsMessageBytes ?? 1 << 20, perMessageDeflate: false });
  const context: UpgradeContext = {
    router,
    logger,
    wss,
    connections: new Set(),
    maxBackpressureBytes: options.maxWsBackpressureBytes ?? 8 << 20,
    nextId: 1,
  };
  const server = createServer((req, res) => handleHttp(router, logger, maxBodyBytes, req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(context, req, socket, head));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Not writable: the request was already answered (refused before its body) and is closing.
    if (socket.writable) socket.end(clientErrorResponse(error));
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(error, host, options)));
    // exclusive: never share the port with a cluster sibling either.
    server.listen({ port: options.port ?? 0, host, exclusive: true }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    backend: 'node',
    host,
    port,
    url: `http://${host}:${port}`,
    wsConnectionCount: () => context.connections.size,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const connection of context.connections) connection.terminate();
        server.close(() => resolve());
        server.closeAllConnections();
        wss.close();
      });
      return closing;
    },
  };
}
