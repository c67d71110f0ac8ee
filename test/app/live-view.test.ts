import { describe, expect, it } from 'vitest';
import { renderLiveView } from '../../src/app/live-view.js';
import type { SystemStatus } from '../../src/ops/system-status.js';

const status = (balances: SystemStatus['balances']): SystemStatus => ({
  mode: 'paper',
  startedAt: new Date(0).toISOString(),
  uptimeS: 3,
  actors: [],
  channels: [],
  venues: [],
  positions: [],
  pnl: { realized: 0, unrealized: 0, funding: 0, fees: 0, net: 0 },
  risk: { state: 'ACTIVE', reason: '', denialsByReason: {} },
  orders: { sent: 0, fills: 0, byVenueStatus: [] },
  latency: null,
  journal: null,
  reconciliation: null,
  marketRules: [],
  stages: [],
  commandsByPath: { tick: 0, timer: 0 },
  balances,
  opportunities: { total: 0, best: [] },
});

describe('live view', () => {
  it('lists each account with the age of its balances, what is free and what is held', () => {
    const view = renderLiveView(
      status({
        okx: { account: 'OKX', simulated: true, fetchedMs: 1, ageMs: 1_500, balances: [{ asset: 'USDT', free: 900, used: 100, total: 1_000 }, { asset: 'SOL', free: 0, used: 0, total: 0 }], reserved: {}, fetches: 1, failures: 0, lastError: null },
        bybit: { account: 'BYBIT', simulated: true, fetchedMs: null, ageMs: null, balances: [], reserved: {}, fetches: 0, failures: 1, lastError: 'bybit fetchBalance: 503' },
      }),
      undefined,
    );
    expect(view).toContain('balances (simulated)');
    expect(view).toMatch(/okx\s+1\.5s ago\s+USDT 900\.0000 \(\+100\.0000 used\)\n/);
    expect(view).not.toContain('SOL');
    expect(view).toMatch(/bybit\s+not fetched yet\s+last fetch failed: bybit fetchBalance: 503/);
  });
});
