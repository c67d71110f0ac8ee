/**
 * The spot balances a strategy trades against (what each venue holds of each asset), kept in the
 * shared `SpotInventory` and moved by the strategy's own fills.
 *
 * Fees: binance, bybit and okx (and the simulator) take a spot fee from the asset received, so a
 * buy of 0.1 BTC delivers 0.1 BTC less the fee. Execution reports every fee converted to quote
 * (its `feeCurrency` is the quote) because that is what PnL needs; the inventory instead books a
 * buy's quote-reported fee in base at the fill price. Where a venue really took quote (a BNB
 * discount, say), the strategy then believes it holds slightly less base than it does, so it sells
 * a little less, never more than the venue holds: the safe side of the error.
 */
import type { OrderEventMessage } from '../../protocol/index.js';
import { SpotInventory } from '../market/inventory.js';
import { symbolParts } from '../market/symbols.js';

/** An inventory holding `balances` (venue → asset → amount). */
export function inventoryFrom(balances: Readonly<Record<string, Readonly<Record<string, number>>>>): SpotInventory {
  const inventory = new SpotInventory();
  for (const [venue, assets] of Object.entries(balances)) for (const [asset, amount] of Object.entries(assets)) inventory.set(venue, asset, amount);
  return inventory;
}

/** Moves balances for a spot fill on one of `venues` (every venue when omitted); ignores everything else. */
export function applySpotFill(inventory: SpotInventory, event: OrderEventMessage, venues?: readonly string[]): void {
  if (event.type !== 'Filled' && event.type !== 'PartiallyFilled') return;
  if (venues && !venues.includes(event.venue)) return;
  const { base, quote, kind } = symbolParts(event.symbol);
  if (kind !== 'spot') return;
  const feeInBase = event.side === 'buy' && event.feeCurrency === quote && event.fillPx > 0;
  inventory.applyFill(event.venue, event.symbol, {
    side: event.side,
    qty: event.fillQty,
    px: event.fillPx,
    fee: feeInBase ? event.fee / event.fillPx : event.fee,
    feeCurrency: feeInBase ? base : event.feeCurrency,
  });
}

/** Balances as venue → asset → amount, for status(). */
export function balancesByVenue(inventory: SpotInventory): Record<string, Record<string, number>> {
  const byVenue: Record<string, Record<string, number>> = {};
  for (const [venue, asset, amount] of inventory.snapshot()) (byVenue[venue] ??= {})[asset] = amount;
  return byVenue;
}
