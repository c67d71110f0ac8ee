/**
 * The crash tests' verdict: the journal against the simulator's truth. The simulator records
 * every order request it received (accepted or not) and every fill it made; the journal must hold
 * each of those fills, and no client order id may have reached the simulator twice.
 */
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';

export interface CrashAudit {
  /** Order requests the simulator received. */
  orders: number;
  /** Client order ids the simulator received more than once. */
  duplicates: number;
  fills: number;
  /** Simulator fills the journal does not hold. */
  fillsMissing: number;
  /** Journal fills the simulator never made. */
  phantomFills: number;
  /** Orders the simulator received that the journal does not know. */
  ordersNotJournaled: number;
  /** Journal orders still not in a final state. */
  unresolved: number;
  /** Per symbol: the journal's net position minus the simulator's, where they differ. */
  positionDiffs: Record<string, number>;
}

export async function auditJournal(sim: Simulator, journalPath: string): Promise<CrashAudit> {
  const received = await sim.control.orders();
  const simFills = await sim.control.fills();
  const accounts = await sim.control.accounts();
  const db = new Database(journalPath, { readonly: true });
  try {
    const seen = new Map<string, number>();
    for (const order of received) seen.set(order.clientOrderId, (seen.get(order.clientOrderId) ?? 0) + 1);
    const journalFills = new Set((db.prepare('SELECT venue, trade_id FROM fills').all() as { venue: string; trade_id: string }[]).map((f) => `${f.venue}|${f.trade_id}`));
    const simFillKeys = new Set(simFills.map((f) => `${f.venue}|${f.tradeId}`));
    const journalOrders = new Set((db.prepare('SELECT client_order_id FROM orders').all() as { client_order_id: string }[]).map((o) => o.client_order_id));
    const unresolved = (db.prepare("SELECT count(*) AS n FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected')").get() as { n: number }).n;
    const journalQty = new Map((db.prepare('SELECT venue || \'|\' || symbol AS k, SUM(CASE side WHEN \'buy\' THEN qty ELSE -qty END) AS q FROM fills GROUP BY k').all() as { k: string; q: number }[]).map((r) => [r.k, r.q]));
    const positionDiffs: Record<string, number> = {};
    for (const account of accounts) {
      for (const position of account.positions) {
        const key = `${account.venue}|${position.symbol}`;
        const diff = (journalQty.get(key) ?? 0) - position.quantity;
        if (Math.abs(diff) > 1e-9) positionDiffs[key] = diff;
      }
    }
    return {
      orders: received.length,
      duplicates: [...seen.values()].filter((n) => n > 1).length,
      fills: simFills.length,
      fillsMissing: [...simFillKeys].filter((k) => !journalFills.has(k)).length,
      phantomFills: [...journalFills].filter((k) => !simFillKeys.has(k)).length,
      ordersNotJournaled: [...seen.keys()].filter((id) => !journalOrders.has(id)).length,
      unresolved,
      positionDiffs,
    };
  } finally {
    db.close();
  }
}

/**
 * Waits for the next kill point: either right away (the new incarnation is still reconciling) or
 * once the simulator has received 1–4 more orders. Returns true for a kill during reconciliation.
 */
export async function nextKillPoint(sim: Simulator, random: () => number): Promise<boolean> {
  if (random() < 0.2) return true;
  const received = async (): Promise<number> => (await sim.control.orders()).length;
  const target = (await received()) + 1 + Math.floor(random() * 4);
  await eventually(async () => ((await received()) >= target ? true : undefined), `order #${target} at the simulator`);
  return false;
}

/** Prints the counts (so they can be quoted) and asserts the crash-safety invariants. */
export function reportAndCheck(label: string, seed: number, kills: number, duringReconcile: number, audit: CrashAudit): void {
  console.log(
    `${label} crash test (seed ${seed}): kills=${kills} (${duringReconcile} while reconciling) orders=${audit.orders} ` +
      `duplicates=${audit.duplicates} fillsMissing=${audit.fillsMissing} fills=${audit.fills} phantomFills=${audit.phantomFills} ` +
      `ordersNotJournaled=${audit.ordersNotJournaled} unresolved=${audit.unresolved}`,
  );
  // Each kill outside reconciliation waited for at least one new order; one during it waits for none.
  expect(audit.orders).toBeGreaterThanOrEqual(kills - duringReconcile);
  expect(audit.duplicates).toBe(0);
  expect(audit.fillsMissing).toBe(0);
  expect(audit.phantomFills).toBe(0);
  expect(audit.ordersNotJournaled).toBe(0);
  expect(audit.unresolved).toBe(0);
  expect(audit.positionDiffs).toEqual({});
}
