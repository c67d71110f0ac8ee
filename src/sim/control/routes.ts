/**
 * The control endpoint under `/_sim/` (no venue host is ever called `_sim`). JSON in, JSON
 * out; a bad request gets 400 with `{ "error": "<what is wrong>" }`, never a crash.
 *
 *   GET    /_sim/health                          SimHealth
 *   GET    /_sim/books?venue=                    BookTop[]
 *   GET    /_sim/book?venue=&symbol=&depth=      BookDepth
 *   GET    /_sim/funding?venue=&history=1        FundingView[]
 *   GET    /_sim/orders?venue=&clientOrderId=    ReceivedOrder[]
 *   GET    /_sim/fills?venue=&clientOrderId=     SimFill[]
 *   GET    /_sim/funding-payments?venue=         FundingPayment[]
 *   GET    /_sim/accounts?venue=                 AccountView[]
 *   GET    /_sim/faults                          { armed, history }
 *   POST   /_sim/faults            FaultSpec     arms or fires a fault
 *   DELETE /_sim/faults                          disarms every fault
 *   POST   /_sim/funding/settle    { venue, symbol? }           SettlementView[]
 *   POST   /_sim/scenario          { name, options? }
 *   POST   /_sim/price-offset      { venue, symbol, bps }
 *   POST   /_sim/market            { paused }   freezes / unfreezes the market model
 */
import { z } from 'zod';
import { describeError, isArbiterError } from '../../base/errors.js';
import type { NetRequest, NetResponse, Router } from '../../base/net/index.js';
import { FAULT_SCHEMA } from '../faults.js';
import { SCENARIO_NAMES } from '../scenario-types.js';
import type { SimControlApi } from './types.js';

export const CONTROL_PREFIX = '/_sim';

const SETTLE_SCHEMA = z.object({ venue: z.string().min(1), symbol: z.string().min(1).optional() });
const SCENARIO_SCHEMA = z.object({
  name: z.enum(SCENARIO_NAMES),
  options: z
    .object({
      target: z.string().optional(),
      magnitude: z.number().finite().optional(),
      periodMs: z.number().int().positive().optional(),
      durationMs: z.number().int().positive().optional(),
      startDelayMs: z.number().int().nonnegative().optional(),
      faultIntervalMs: z.number().int().positive().optional(),
    })
    .optional(),
});
const MARKET_SCHEMA = z.object({ paused: z.boolean() });
const OFFSET_SCHEMA = z.object({ venue: z.string().min(1), symbol: z.string().min(1), bps: z.number().finite().min(-5000).max(5000) });

class BadRequest extends Error {}

function ok(body: unknown): NetResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? { ok: true }) };
}

function parseBody<T>(request: NetRequest, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(request.text());
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new BadRequest(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  }
  return result.data;
}

function query(request: NetRequest): URLSearchParams {
  return new URLSearchParams(request.query);
}

function optional(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new BadRequest(`query parameter ${name} is required`);
  return value;
}

type Handler = (request: NetRequest) => Promise<unknown>;

function guarded(handler: Handler): (request: NetRequest) => Promise<NetResponse> {
  return async (request) => {
    try {
      return ok(await handler(request));
    } catch (error) {
      if (error instanceof BadRequest || isArbiterError(error, 'OPS_REQUEST')) {
        return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: describeError(error) }) };
      }
      throw error;
    }
  };
}

/** Mounts the control endpoint on `router`. */
export function mountControl(router: Router, api: SimControlApi): void {
  const get = (path: string, handler: Handler): void => void router.get(`${CONTROL_PREFIX}${path}`, guarded(handler));
  const post = (path: string, handler: Handler): void => void router.post(`${CONTROL_PREFIX}${path}`, guarded(handler));
  get('/health', () => api.health());
  get('/books', (r) => api.books(optional(query(r), 'venue')));
  get('/book', (r) => {
    const q = query(r);
    const depth = Number(q.get('depth') ?? 20);
    if (!Number.isInteger(depth) || depth <= 0) throw new BadRequest(`depth must be a positive integer, got ${q.get('depth')}`);
    return api.book(required(q, 'venue'), required(q, 'symbol'), depth);
  });
  get('/funding', (r) => api.funding(optional(query(r), 'venue'), query(r).get('history') === '1'));
  get('/orders', (r) => api.orders({ venue: optional(query(r), 'venue'), clientOrderId: optional(query(r), 'clientOrderId') }));
  get('/fills', (r) => api.fills({ venue: optional(query(r), 'venue'), clientOrderId: optional(query(r), 'clientOrderId') }));
  get('/funding-payments', (r) => api.fundingPayments(optional(query(r), 'venue')));
  get('/accounts', (r) => api.accounts(optional(query(r), 'venue')));
  get('/faults', () => api.faults());
  post('/faults', async (r) => api.inject(parseBody(r, FAULT_SCHEMA)));
  router.delete(`${CONTROL_PREFIX}/faults`, guarded(() => api.clearFaults()));
  post('/funding/settle', (r) => {
    const body = parseBody(r, SETTLE_SCHEMA);
    return api.settleFunding(body.venue, body.symbol);
  });
  post('/scenario', (r) => {
    const body = parseBody(r, SCENARIO_SCHEMA);
    return api.setScenario(body.name, body.options);
  });
  post('/price-offset', (r) => {
    const body = parseBody(r, OFFSET_SCHEMA);
    return api.setPriceOffset(body.venue, body.symbol, body.bps);
  });
  post('/market', (r) => api.setMarketPaused(parseBody(r, MARKET_SCHEMA).paused));
  router.any(CONTROL_PREFIX, async (request) => ({ status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: `no control route ${request.method} ${request.path}` }) }));
}
