/**
 * The compact live status for a terminal: venues with connection state and data age, the best
 * current opportunities, positions, account balances and PnL, order counts, tick-to-order latency, actors.
 */
import type { SystemStatus } from '../ops/system-status.js';

const fixed = (value: number | null | undefined, digits = 2): string => (value === null || value === undefined ? '-' : value.toFixed(digits));
const pad = (value: unknown, width: number): string => String(value).padEnd(width).slice(0, width);

export function renderLiveView(status: SystemStatus, opsUrl: string | undefined): string {
  const lines: string[] = [];
  lines.push(`arbiter · ${status.mode} · up ${status.uptimeS}s · risk ${status.risk.state}${status.risk.reason ? ` (${status.risk.reason})` : ''}${opsUrl ? ` · ops ${opsUrl}` : ''}`);
  lines.push('', 'venues');
  for (const v of status.venues) {
    lines.push(`  ${pad(v.id, 13)}${pad(v.state, 9)}age ${pad(v.dataAgeMs === null ? '-' : `${Math.round(v.dataAgeMs)}ms`, 8)}msgs ${pad(v.messages, 9)}stale ${pad(v.staleEvents, 4)}reconn ${v.reconnects}${v.reason ? `  ${v.reason}` : ''}`);
    for (const s of v.symbols ?? []) lines.push(`    ${pad(s.symbol, 15)}${pad(s.state, 7)}${pad(`${fixed(s.bid)} / ${fixed(s.ask)}`, 24)}${s.funding === null ? '' : `funding ${fixed(s.funding * 100, 4)}%`}`);
  }
  lines.push('', `opportunities (${status.opportunities.total} evaluated), best now`);
  for (const o of status.opportunities.best.slice(0, 5)) {
    lines.push(`  ${pad(o.strategyId, 16)}${pad(o.symbol, 15)}${pad(o.venues, 30)} edge ${pad(fixed(o.edgeBps, 1) + 'bp', 9)}exp $${pad(fixed(o.expectedPnlUsd), 9)}${pad(o.decision, 5)} ${o.reason.slice(0, 50)}`);
  }
  const open = status.positions.filter((p) => Math.abs(p.qty) > 1e-12);
  const net = status.positions.reduce((sum, p) => sum + p.qty * (p.markPx ?? p.avgEntryPx), 0);
  lines.push('', `positions (${open.length} open, net exposure $${fixed(net)})`);
  for (const p of open.slice(0, 8)) lines.push(`  ${pad(p.strategyId, 16)}${pad(p.venue, 12)}${pad(p.symbol, 15)}qty ${pad(fixed(p.qty, 4), 11)}uPnL ${pad(fixed(p.unrealizedPnl), 9)}funding ${fixed(p.fundingPnl)}`);
  const accounts = Object.entries(status.balances ?? {});
  if (accounts.length > 0) lines.push('', `balances${accounts.some(([, b]) => b.simulated) ? ' (simulated)' : ''}`);
  for (const [venue, b] of accounts) {
    const age = b.ageMs === null ? 'not fetched yet' : `${(b.ageMs / 1000).toFixed(1)}s ago`;
    const held = b.balances.filter((a) => a.total !== 0).slice(0, 5).map((a) => `${a.asset} ${fixed(a.free, 4)}${a.used ? ` (+${fixed(a.used, 4)} used)` : ''}`);
    lines.push(`  ${pad(venue, 13)}${pad(age, 16)}${held.join('  ')}${b.lastError ? `  last fetch failed: ${b.lastError.slice(0, 60)}` : ''}`);
  }
  const { pnl, orders, latency } = status;
  lines.push('', `PnL realized ${fixed(pnl.realized)}  unrealized ${fixed(pnl.unrealized)}  funding ${fixed(pnl.funding)}  fees ${fixed(pnl.fees)}  net ${fixed(pnl.net)}`);
  lines.push(`orders sent ${orders.sent}  fills ${orders.fills}  ${orders.byVenueStatus.map((o) => `${o.status} ${o.count}`).join('  ')}`);
  lines.push(`tick-to-order latency p50 ${fixed(latency?.p50Us, 0)} µs  p99 ${fixed(latency?.p99Us, 0)} µs  (${latency?.count ?? 0})`);
  const r = status.reconciliation;
  if (r && (r.mismatches.length > 0 || Object.keys(r.strategyStates).length > 0)) {
    lines.push('', `reconciliation: ${r.mismatches.length} position mismatch(es), pass ${r.passes}`);
    for (const m of r.mismatches.slice(0, 5)) lines.push(`  ${pad(m.venue, 12)}${pad(m.symbol, 15)}journal ${pad(fixed(m.journalQty, 4), 10)}venue ${pad(fixed(m.venueQty, 4), 10)}external $${fixed(m.differenceUsd)}`);
    for (const [id, s] of Object.entries(r.strategyStates)) lines.push(`  ${pad(id, 16)}REDUCING  ${s.reason.slice(0, 80)}`);
  }
  const troubled = status.actors.filter((a) => a.state !== 'running' || a.restarts > 0 || a.errors > 0);
  if (troubled.length > 0) lines.push('', `actors: ${troubled.map((a) => `${a.id} ${a.state} restarts ${a.restarts} errors ${a.errors}`).join('; ')}`);
  return lines.join('\n');
}
