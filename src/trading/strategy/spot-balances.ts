/**
 * The spot balances a strategy trades against (what each venue holds of each asset), kept in the
 * shared `SpotInventory`: set from the venue's `BalanceChanged` (the free amounts: what new orders
 * can spend), and moved by the strategy's own fills until the next one arrives. A venue that has
 * not reported yet holds nothing as far as the strategy knows, so it neither sells nor buys there.
 *
 * Fees: binance, bybit and okx (and the simulator) take a spot fee from the asset received, so a
 * buy of 0.1 BTC delivers 0.1 BTC less the fee. Execution reports every fee converted to quote
 * (its `feeCurrency` is the quote) because that is what PnL needs; the inventory instead books a
 * buy's quote-reported fee in base at the fill price. Where a venue really took quote (a BNB
 * discount, say), the strategy then believes it holds slightly less base than it does, so it sells
 * a little less, never more than the venue holds: the safe side of the error.
 */
import type { MessageOf, OrderEventMessage } from '../../protocol/index.js';
import { arbiterError } from '../../base/errors.js';
import type { SpotInventory } from '../market/inventory.js';
import { symbolParts } from '../market/symbols.js';

/**
 * Refuses the retired `inventory` param at start-up: balances come from the venue now, and a
 * config number silently ignored would let an operator believe it still counts.
 */
export function rejectInventoryParam(strategy: string, raw: unknown): void {
  if (raw !== null && typeof raw === 'object' && 'inventory' in raw) {
    throw arbiterError(
      'CONFIG_INVALID',
      `${strategy} params: inventory: spot balances now come from the venue (execution fetches them and publishes BalanceChanged); remove it (paper/replay: set execution.params.paper.startingBalances), got ${JSON.stringify((raw as { inventory: unknown }).inventory)?.slice(0, 60)}`,
    );
  }
}

/** Takes a venue's reported balances when it is one of `venues`. */
export function applyBalanceChanged(inventory: SpotInventory, event: MessageOf<'BalanceChanged'>, venues: readonly string[]): void {
  if (venues.includes(event.venue)) inventory.replaceVenue(event.venue, event.balances.map((b) => [b.asset, b.free] as const));
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
