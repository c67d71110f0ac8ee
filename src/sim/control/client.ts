/**
 * `SimControl`: the control API over HTTP, for tests and for actors that run the simulator in
 * another thread or process.
 *
 * @example
 * const control = new SimControl('http://127.0.0.1:8900');
 * await control.inject({ kind: 'http-error', venue: 'binance', status: 429, retryAfterSec: 1 });
 * const sent = await control.orders({ venue: 'binance', clientOrderId: 'arb-1' });
 */
import { arbiterError } from '../../base/errors.js';
import { CONTROL_PREFIX } from './routes.js';
import type {
  AccountView,
  BookDepth,
  BookTop,
  FaultRecord,
  FaultSpec,
  FundingPayment,
  FundingView,
  OrderFilter,
  ReceivedOrder,
  ScenarioName,
  ScenarioOptions,
  SettlementView,
  SimControlApi,
  SimFill,
  SimHealth,
} from './types.js';

export class SimControl implements SimControlApi {
  private readonly base: string;

  /** `url` is the simulator's base URL (`http://127.0.0.1:<port>`). */
  constructor(url: string) {
    this.base = url.replace(/\/+$/, '') + CONTROL_PREFIX;
  }

  private async call<T>(method: string, path: string, params?: Record<string, string | undefined>, body?: unknown): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) search.set(key, value);
    const suffix = search.size > 0 ? `?${search.toString()}` : '';
    const response = await fetch(`${this.base}${path}${suffix}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw arbiterError('OPS_REQUEST', `simulator control ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  health(): Promise<SimHealth> {
    return this.call('GET', '/health');
  }

  books(venue?: string): Promise<BookTop[]> {
    return this.call('GET', '/books', { venue });
  }

  book(venue: string, symbol: string, depth?: number): Promise<BookDepth> {
    return this.call('GET', '/book', { venue, symbol, depth: depth === undefined ? undefined : String(depth) });
  }

  funding(venue?: string, withHistory = false): Promise<FundingView[]> {
    return this.call('GET', '/funding', { venue, history: withHistory ? '1' : undefined });
  }

  orders(filter: OrderFilter = {}): Promise<ReceivedOrder[]> {
    return this.call('GET', '/orders', { venue: filter.venue, clientOrderId: filter.clientOrderId });
  }

  fills(filter: OrderFilter = {}): Promise<SimFill[]> {
    return this.call('GET', '/fills', { venue: filter.venue, clientOrderId: filter.clientOrderId });
  }

  fundingPayments(venue?: string): Promise<FundingPayment[]> {
    return this.call('GET', '/funding-payments', { venue });
  }

  accounts(venue?: string): Promise<AccountView[]> {
    return this.call('GET', '/accounts', { venue });
  }

  async inject(fault: FaultSpec): Promise<void> {
    await this.call('POST', '/faults', undefined, fault);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  faults(): Promise<{ armed: Record<string, unknown>; history: FaultRecord[] }> {
    return this.call('GET', '/faults');
  }

  settleFunding(venue: string, symbol?: string): Promise<SettlementView[]> {
    return this.call('POST', '/funding/settle', undefined, { venue, symbol });
  }

  async setScenario(name: ScenarioName, options?: ScenarioOptions): Promise<void> {
    await this.call('POST', '/scenario', undefined, { name, options });
  }

  async setMarketPaused(paused: boolean): Promise<void> {
    await this.call('POST', '/market', undefined, { paused });
  }

  async setPriceOffset(venue: string, symbol: string, bps: number): Promise<void> {
    await this.call('POST', '/price-offset', undefined, { venue, symbol, bps });
  }
}
