/**
 * Shared by the end-to-end tests: start the whole system (simulator process, real workers,
 * ccxt, SQLite) in a temp data dir, read its status, and recompute PnL independently from the
 * execution journal to check the accounting.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAppConfig, type AppConfigInput } from '../../src/app/config.js';
import { TradingSystem } from '../../src/app/system.js';
import type { PositionSummary, SystemStatus } from '../../src/ops/system-status.js';
import { eventually } from '../helpers/workers.js';

export const OPS_TOKEN = 'e2e-token-0123456789abcdef';

export async function startSystem(input: Omit<AppConfigInput, 'dataDir' | 'ops'>): Promise<{ system: TradingSystem; dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'arbiter-e2e-'));
  const config = parseAppConfig({ ...input, dataDir, ops: { port: 0, token: OPS_TOKEN } }, 'e2e config');
  const system = await TradingSystem.start(config);
  return {
    system,
    dataDir,
    async cleanup() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls the system status until `probe` returns a value. */
export function statusUntil<T>(system: TradingSystem, what: string, probe: (status: SystemStatus) => T | undefined, timeoutMs = 90_000): Promise<T> {
  return eventually(async () => probe(await system.status()), what, timeoutMs);
}

export function opsRequest(system: TradingSystem, method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = OPS_TOKEN): Promise<Response> {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return fetch(`${system.ops!.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

export interface JournalBook {
  /** Net quantity per `venue symbol` from the journal's fills. */
  qty: Map<string, number>;
  /** Everything the journal implies, valued at the given marks: −Σ signed qty·px − fees + funding + Σ qty·mark. */
  netPnl: number;
  fills: number;
  fundingAmount: number;
}

/** Recomputes one strategy's PnL from the journal alone, valuing open quantity at `marks`. */
export function journalBook(dataDir: string, strategyId: string, marks: ReadonlyMap<string, number>): JournalBook {
  const db = new Database(join(dataDir, 'execution.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const fills = db.prepare('SELECT venue, symbol, side, qty, px, fee_quote AS fee FROM fills WHERE strategy_id = ?').all(strategyId) as { venue: string; symbol: string; side: string; qty: number; px: number; fee: number }[];
    const funding = db.prepare('SELECT COALESCE(SUM(amount), 0) AS total FROM funding WHERE strategy_id = ?').get(strategyId) as { total: number };
    const qty = new Map<string, number>();
    let cash = 0;
    for (const fill of fills) {
      const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
      const key = `${fill.venue} ${fill.symbol}`;
      qty.set(key, (qty.get(key) ?? 0) + signed);
      cash += -signed * fill.px - fill.fee;
    }
    let value = 0;
    for (const [key, q] of qty) {
      const mark = marks.get(key);
      if (mark === undefined && Math.abs(q) > 1e-12) throw new Error(`no mark for open position ${key}`);
      value += q * (mark ?? 0);
    }
    return { qty, netPnl: cash + funding.total + value, fills: fills.length, fundingAmount: funding.total };
  } finally {
    db.close();
  }
}

export function positionsOf(status: SystemStatus, strategyId: string): PositionSummary[] {
  return status.positions.filter((p) => p.strategyId === strategyId);
}

/** What the execution actor reports, as net PnL: realized + unrealized − fees + funding. */
export function reportedNetPnl(positions: readonly PositionSummary[]): number {
  return positions.reduce((sum, p) => sum + p.realizedPnl + p.unrealizedPnl - p.fees + p.fundingPnl, 0);
}

/** The marks the reported unrealized PnL used: recovered from it, so both sides value alike. */
export function marksOf(positions: readonly PositionSummary[]): Map<string, number> {
  return new Map(positions.filter((p) => p.markPx !== null).map((p) => [`${p.venue} ${p.symbol}`, p.markPx!]));
}
