/**
 * The HTTP + WebSocket server abstraction shared by the simulator and the ops server.
 *
 * Two backends implement it (uWebSockets.js, and node:http + `ws` as the fallback); callers
 * only see these types. Handlers receive fully-read, copied requests (never a backend object
 * whose memory is invalid after the callback) and return a response value: the backend writes
 * it exactly once, or drops it if the client went away meanwhile.
 */
import type { Logger } from '../log.js';

export type NetBackendName = 'uws' | 'node';

/** What is known of a request before its body is read. Header names are lower-case. */
export interface NetRequestHead {
  /** Upper-case method (`GET`, `POST`, …). */
  readonly method: string;
  /** The path without the query string, as sent (not percent-decoded). */
  readonly path: string;
  /** The raw query string without the leading `?` ('' when absent). */
  readonly query: string;
  /** One value per name (a repeated header keeps its first value: see `repeatedHeaders`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Names of headers the request sent more than once (usually empty). */
  readonly repeatedHeaders: readonly string[];
}

/** An HTTP request, fully read. */
export interface NetRequest extends NetRequestHead {
  /** The body bytes (a private copy; empty for requests without a body). */
  readonly body: Buffer;
  /** The body decoded as UTF-8. */
  text(): string;
}

/** What a handler answers. `body` defaults to empty. */
export interface NetResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export type HttpHandler = (request: NetRequest) => NetResponse | Promise<NetResponse>;

/**
 * Runs on the request head, before any of the body is read: a response refuses the request
 * there (the body is never read), undefined lets it through to the handler.
 */
export type HeadCheck = (head: NetRequestHead) => NetResponse | undefined;

/** A route: `method` (upper-case, or `*` for any) and a path prefix matched on segment boundaries. */
export interface HttpRoute {
  readonly method: string;
  readonly prefix: string;
  readonly handler: HttpHandler;
  readonly checkHead?: HeadCheck;
}

/** One accepted WebSocket connection. Valid from `open` until `close`; afterwards every call is a no-op. */
export interface WsConnection {
  /** Unique per server. */
  readonly id: number;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly isOpen: boolean;
  /** Sends one text frame. False when the connection is closed or the frame was dropped. */
  send(text: string): boolean;
  /** Sends a ping control frame (clients answer with a pong automatically). */
  ping(): void;
  /** Graceful close: sends a close frame with `code` and `reason`. */
  close(code?: number, reason?: string): void;
  /** Hard drop: the TCP connection ends without a close frame (what a network failure looks like). */
  terminate(): void;
  /** Bytes queued for sending and not yet written to the socket. */
  bufferedBytes(): number;
}

export interface WsHandlers {
  open?(connection: WsConnection): void;
  /** Text frames arrive decoded; binary frames are decoded as UTF-8 too, with `isBinary` set. */
  message?(connection: WsConnection, text: string, isBinary: boolean): void;
  close?(connection: WsConnection, code: number, reason: string): void;
}

export interface WsRoute {
  readonly prefix: string;
  readonly handlers: WsHandlers;
}

export interface NetServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: the OS picks a free port, read it from `NetServer.port`. */
  readonly port?: number;
  /** The config key that sets `port` (e.g. `ops.port`), named in the error when the port is taken. */
  readonly portKey?: string;
  /** Default `auto` (env ARBITER_HTTP_BACKEND, else uWS when it loads, else node). */
  readonly backend?: NetBackendName | 'auto';
  /** Requests with larger bodies are answered 413 (before reading it when Content-Length says so). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest accepted WebSocket message. Default 1 MiB. */
  readonly maxWsMessageBytes?: number;
  /**
   * A connection whose unsent data exceeds this is closed (a slow consumer), rather than
   * having frames silently dropped. Default 8 MiB.
   */
  readonly maxWsBackpressureBytes?: number;
  readonly logger?: Logger;
}

/** A listening server. */
export interface NetServer {
  readonly backend: NetBackendName;
  readonly host: string;
  /** The actual port (useful when listening on port 0). */
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /** Open WebSocket connections. */
  wsConnectionCount(): number;
  /** Stops listening and drops every connection (HTTP keep-alive and WebSocket). Idempotent. */
  close(): Promise<void>;
}
