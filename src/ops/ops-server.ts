/**
 * The ops HTTP API on 127.0.0.1 (uWebSockets.js, or node:http where uWS cannot load):
 *
 *   GET  /health                  200 when healthy, 503 with the problems otherwise
 *   GET  /status                  SystemStatus as JSON
 *   GET  /metrics                 Prometheus text
 *   POST /halt      (bearer)      kill switch: halt trading and cancel every open order
 *   POST /resume    (bearer)      back to ACTIVE
 *   POST /actors/<id>/reload      (bearer) hot-reload a strategy; body {"modulePath"?: string}
 *
 * Mutating routes are checked on the request head, before any of the body is read: they need
 * exactly one `Authorization: Bearer <token>` (401 without or with a wrong one, 400 when sent
 * twice) and a body, if any, of type application/json (415). Unknown routes are 404, wrong
 * methods 405, bodies over 1 MiB 413, malformed bodies 400 with the reason. A failing backend
 * call is a 500 with its message; the server itself never goes down on a bad request.
 */
import { announcesBody, Router, startNetServer, type NetRequest, type NetRequestHead, type NetResponse, type NetServer } from '../base/net/index.js';
import { describeError } from '../base/errors.js';
import type { ReloadResult } from '../runtime/supervision/hot-reload.js';
import type { Logger } from '../base/log.js';
import { OpsMetrics } from './metrics.js';
import { isHealthy, type SystemStatus } from './system-status.js';
import { bearerMatches } from './token.js';

/** What the ops API needs from the running system. */
export interface OpsBackend {
  status(): Promise<SystemStatus>;
  halt(reason: string): Promise<unknown>;
  resume(reason: string): Promise<unknown>;
  reload(actorId: string, modulePath: string | undefined): Promise<ReloadResult>;
  hasActor(actorId: string): boolean;
}

export interface OpsServerOptions {
  host?: string;
  port: number;
  token: string;
  log: Logger;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;
const json = (status: number, value: unknown): NetResponse => ({ status, headers: JSON_HEADERS, body: JSON.stringify(value) });
const problem = (status: number, error: string): NetResponse => json(status, { error });

/** Parses an optional JSON object body; returns the object or a 400 response naming the problem. */
function objectBody(request: NetRequest): Record<string, unknown> | NetResponse {
  const text = request.text().trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return problem(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined | NetResponse {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) return problem(400, `${field} must be a non-empty string of at most 500 characters, got ${JSON.stringify(value)}`);
  return value;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** Why a mutating request is refused before its body is read, or undefined to let it through. */
function mutatingHeadRefusal(head: NetRequestHead, token: string): NetResponse | undefined {
  if (head.repeatedHeaders.includes('authorization')) return problem(400, 'Authorization header sent more than once');
  if (!bearerMatches(head.headers.authorization, token)) {
    return { ...problem(401, 'missing or wrong bearer token'), headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer' } };
  }
  if (announcesBody(head.headers) && !JSON_TYPE.test(head.headers['content-type'] ?? '')) {
    return problem(415, `body must be application/json, got content-type ${JSON.stringify(head.headers['content-type'] ?? '')}`);
  }
  return undefined;
}

const isResponse = (value: unknown): value is NetResponse => typeof value === 'object' && value !== null && 'status' in value && typeof (value as NetResponse).status === 'number';

export class OpsServer {
  readonly metrics = new OpsMetrics();

  private constructor(
    readonly server: NetServer,
    private readonly log: Logger,
  ) {}

  get url(): string {
    return this.server.url;
  }

  static async start(backend: OpsBackend, options: OpsServerOptions): Promise<OpsServer> {
    const router = new Router();
    const holder: { ops?: OpsServer } = {};
    const counted = (route: string, handler: (request: NetRequest) => Promise<NetResponse>) => async (request: NetRequest) => {
      let response: NetResponse;
      try {
        response = await handler(request);
      } catch (error) {
        options.log.error({ route, error: describeError(error) }, 'ops request failed');
        response = problem(500, describeError(error));
      }
      holder.ops?.metrics.countRequest(route, response.status);
      return response;
    };
    const mutating = (route: string) => (head: NetRequestHead) => {
      const refusal = mutatingHeadRefusal(head, options.token);
      if (refusal) holder.ops?.metrics.countRequest(route, refusal.status);
      return refusal;
    };

    router
      .get('/health', counted('/health', async () => {
        const { healthy, problems } = isHealthy(await backend.status());
        return json(healthy ? 200 : 503, { healthy, problems });
      }))
      .get('/status', counted('/status', async () => json(200, await backend.status())))
      .get('/metrics', counted('/metrics', async () => {
        const text = await holder.ops!.metrics.render(await backend.status());
        return { status: 200, headers: { 'content-type': holder.ops!.metrics.contentType }, body: text };
      }))
      .post('/halt', counted('/halt', (request) => operatorAction(request, (reason) => backend.halt(reason), 'halted by operator')), mutating('/halt'))
      .post('/resume', counted('/resume', (request) => operatorAction(request, (reason) => backend.resume(reason), 'resumed by operator')), mutating('/resume'))
      .post('/actors', counted('/actors/:id/reload', (request) => reloadRoute(request, backend)), mutating('/actors/:id/reload'));

    const server = await startNetServer(router, { host: options.host ?? '127.0.0.1', port: options.port, portKey: 'ops.port', logger: options.log });
    const ops = new OpsServer(server, options.log);
    holder.ops = ops;
    return ops;
  }

  close(): Promise<void> {
    this.log.debug('ops server closing');
    return this.server.close();
  }
}

async function operatorAction(request: NetRequest, act: (reason: string) => Promise<unknown>, defaultReason: string): Promise<NetResponse> {
  const body = objectBody(request);
  if (isResponse(body)) return body;
  const reason = optionalString(body, 'reason');
  if (isResponse(reason)) return reason;
  return json(200, { ok: true, result: await act(reason ?? defaultReason) });
}

async function reloadRoute(request: NetRequest, backend: OpsBackend): Promise<NetResponse> {
  const match = /^\/actors\/([A-Za-z0-9_-]+)\/reload\/?$/.exec(request.path);
  if (!match) return problem(404, `no route ${request.method} ${request.path} (expected /actors/<id>/reload)`);
  const actorId = match[1]!;
  if (!backend.hasActor(actorId)) return problem(404, `no actor ${JSON.stringify(actorId)}`);
  const body = objectBody(request);
  if (isResponse(body)) return body;
  const modulePath = optionalString(body, 'modulePath');
  if (isResponse(modulePath)) return modulePath;
  const result = await backend.reload(actorId, modulePath);
  if (result.ok) return json(200, result);
  return json(result.stage === 'refused' ? 409 : 422, result);
}
