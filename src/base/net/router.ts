/**
 * Route table: HTTP routes by method + path prefix, WebSocket routes by path prefix. The
 * longest matching prefix wins; a path that matches a prefix only under another method is
 * answered 405. Routes may be added after the server started (lookups are live).
 */
import type { HttpHandler, HttpRoute, NetRequest, NetResponse, WsConnection, WsHandlers, WsRoute } from './types.js';

/** True when `path` equals `prefix` or continues it at a `/` boundary. `/` matches everything. */
function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; // '/'
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly handler: HttpHandler }
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

  /** Adds a route for `method` (`*` = any method). */
  route(method: string, prefix: string, handler: HttpHandler): this {
    this.httpRoutes.push({ method: method.toUpperCase(), prefix, handler });
    // Longest prefix first, so the first match is the most specific one.
    this.httpRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  get(prefix: string, handler: HttpHandler): this {
    return this.route('GET', prefix, handler);
  }

  post(prefix: string, handler: HttpHandler): this {
    return this.route('POST', prefix, handler);
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
      if (route.method === '*' || route.method === method) return { kind: 'found', handler: route.handler };
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

/**
 * Runs the matching handler and turns every failure into a response: an unknown path is 404,
 * a wrong method 405, a handler that throws 500 (reported through `onError`), so a bad
 * request can never take the server down.
 */
export async function dispatchHttp(
  router: Router,
  request: NetRequest,
  onError: (error: unknown, request: NetRequest) => void,
): Promise<NetResponse> {
  const match = router.matchHttp(request.method, request.path);
  if (match.kind === 'not-found') return { status: 404, headers: TEXT, body: 'not found' };
  if (match.kind === 'method-not-allowed') {
    return { status: 405, headers: { ...TEXT, allow: match.allowed.join(', ') }, body: 'method not allowed' };
  }
  try {
    return await match.handler(request);
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

/** Builds a NetRequest from parts the backend has already copied. */
export function makeRequest(
  method: string,
  path: string,
  query: string,
  headers: Record<string, string>,
  body: Buffer,
): NetRequest {
  return { method, path, query, headers, body, text: () => body.toString('utf8') };
}
