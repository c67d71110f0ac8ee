/**
 * Route table: HTTP routes by method + path prefix, WebSocket routes by path prefix. The
 * longest matching prefix wins; a path that matches a prefix only under another method is
 * answered 405. Routes may be added after the server started (lookups are live).
 */
import type { HeadCheck, HttpHandler, HttpRoute, NetRequest, NetRequestHead, NetResponse, WsConnection, WsHandlers, WsRoute } from './types.js';

/** True when `path` equals `prefix` or continues it at a `/` boundary. `/` matches everything. */
function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; // '/'
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: HttpRoute }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

/**
 * @example
 * const router = new Router()
 *   .get('/status', () => ({ status: 200, body: 'ok' }))
 *   .ws('/stream', { message: (c, text) => c.send(text) });
 */
export class Router {
  private readonly httpRoutes: HttpRoute[] = [];
  private readonly wsRoutes: WsRoute[] = [];

  /** Adds a route for `method` (`*` = any method); `checkHead` may refuse a request before its body is read. */
  route(method: string, prefix: string, handler: HttpHandler, checkHead?: HeadCheck): this {
    this.httpRoutes.push({ method: method.toUpperCase(), prefix, handler, ...(checkHead ? { checkHead } : {}) });
    // Longest prefix first, so the first match is the most specific one.
    this.httpRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  get(prefix: string, handler: HttpHandler): this {
    return this.route('GET', prefix, handler);
  }

  post(prefix: string, handler: HttpHandler, checkHead?: HeadCheck): this {
    return this.route('POST', prefix, handler, checkHead);
  }

  delete(prefix: string, handler: HttpHandler): this {
    return this.route('DELETE', prefix, handler);
  }

  any(prefix: string, handler: HttpHandler): this {
    return this.route('*', prefix, handler);
  }

  ws(prefix: string, handlers: WsHandlers): this {
    this.wsRoutes.push({ prefix, handlers });
    this.wsRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  matchHttp(method: string, path: string): RouteMatch {
    let allowed: string[] | undefined;
    for (const route of this.httpRoutes) {
      if (!prefixMatches(route.prefix, path)) continue;
      if (route.method === '*' || route.method === method) return { kind: 'found', route };
      (allowed ??= []).push(route.method);
    }
    return allowed ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  matchWs(path: string): WsHandlers | undefined {
    for (const route of this.wsRoutes) if (prefixMatches(route.prefix, path)) return route.handlers;
    return undefined;
  }
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' } as const;

/** The empty name list, shared (most requests repeat no header). */
export const NO_NAMES: readonly string[] = [];

/** The lower-case names that occur more than once in `names` (a shared empty array when none do). */
export function repeatedNames(names: readonly string[]): readonly string[] {
  let repeated: string[] | undefined;
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    if (names.indexOf(name) < i && !repeated?.includes(name)) (repeated ??= []).push(name);
  }
  return repeated ?? NO_NAMES;
}

/** True when the head announces a body (a non-zero Content-Length, or any Transfer-Encoding). */
export function announcesBody(headers: Readonly<Record<string, string>>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/**
 * Decides what it can from the head alone, before any body is read: an unknown path is 404, a
 * wrong method 405, a Content-Length over the limit 413, and the route's own head check (the
 * ops token) may refuse. Otherwise the route, to dispatch once the body is in.
 */
export function preflightHttp(router: Router, head: NetRequestHead, maxBodyBytes: number): { response: NetResponse } | { route: HttpRoute } {
  const match = router.matchHttp(head.method, head.path);
  if (match.kind === 'not-found') return { response: { status: 404, headers: TEXT, body: 'not found' } };
  if (match.kind === 'method-not-allowed') {
    return { response: { status: 405, headers: { ...TEXT, allow: match.allowed.join(', ') }, body: 'method not allowed' } };
  }
  const length = head.headers['content-length'];
  if (length !== undefined && !(Number(length) <= maxBodyBytes)) return { response: PAYLOAD_TOO_LARGE };
  const refusal = match.route.checkHead?.(head);
  return refusal ? { response: refusal } : { route: match.route };
}

export const PAYLOAD_TOO_LARGE: NetResponse = { status: 413, headers: TEXT, body: 'payload too large' };

/**
 * Runs the route's handler (found by preflightHttp) and turns a throw into a 500 (reported
 * through `onError`), so a bad request can never take the server down.
 */
export async function dispatchHttp(
  route: HttpRoute,
  request: NetRequest,
  onError: (error: unknown, request: NetRequest) => void,
): Promise<NetResponse> {
  try {
    return await route.handler(request);
  } catch (error) {
    onError(error, request);
    return { status: 500, headers: TEXT, body: 'internal error' };
  }
}

/**
 * Wraps WebSocket handlers so that a throwing handler is logged instead of escaping into the
 * server's I/O callback (where, under uWS, it would take the process down).
 */
export function guardWsHandlers(handlers: WsHandlers, onError: (error: unknown, event: string, path: string) => void): WsHandlers {
  const guard =
    <A extends unknown[]>(event: string, fn: ((connection: WsConnection, ...args: A) => void) | undefined) =>
    (connection: WsConnection, ...args: A): void => {
      try {
        fn?.(connection, ...args);
      } catch (error) {
        onError(error, event, connection.path);
      }
    };
  return { open: guard('open', handlers.open), message: guard('message', handlers.message), close: guard('close', handlers.close) };
}

/** Builds a NetRequest from a head and body the backend has already copied. */
export function makeRequest(head: NetRequestHead, body: Buffer): NetRequest {
  return { ...head, body, text: () => body.toString('utf8') };
}
