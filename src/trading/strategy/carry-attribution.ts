/**
 * Which carry a set of held positions is, for a key that has no carry record (after a restart's
 * position sync, or a fill that landed after its intent was written off). Pure: the legs a key
 * can hold, in, one answer out.
 *
 * A carry is one short and one long leg (the way both carry strategies enter: short the leg that
 * pays, long the other, the same quantity), so exactly two held markets of opposite signs whose
 * sizes agree within the tolerance are a carry; anything else cannot be told apart from a
 * half-done or foreign position and is unattributed, with the reason.
 */
import { fmt, label, type CarryMarket } from './carry-economics.js';

export interface HeldLeg {
  readonly market: CarryMarket;
  /** Signed, 0 when flat (dust included). */
  readonly qty: number;
  readonly avgEntryPx: number;
}

export type Attribution =
  | { readonly pair: { readonly short: CarryMarket; readonly long: CarryMarket; readonly qty: number; readonly notionalUsd: number } }
  | { readonly reason: string; readonly markets: readonly CarryMarket[] };

/**
 * Null when nothing is held.
 *
 * @example attributeHeld([{ market: perp, qty: -0.1, avgEntryPx: 60_000 }, { market: spot, qty: 0.0999, avgEntryPx: 60_010 }], 2) // { pair: { short: perp, long: spot, qty: 0.0999, … } }
 */
export function attributeHeld(legs: readonly HeldLeg[], tolerancePct: number): Attribution | null {
  const held = legs.filter((leg) => leg.qty !== 0);
  if (held.length === 0) return null;
  const markets = held.map((leg) => leg.market);
  const shown = held.map((leg) => `${label(leg.market)} ${fmt(leg.qty)}`).join(', ');
  if (held.length === 1) return { reason: `one leg only: ${shown}`, markets };
  if (held.length > 2) return { reason: `${held.length} legs held: ${shown}`, markets };
  const short = held.find((leg) => leg.qty < 0);
  const long = held.find((leg) => leg.qty > 0);
  if (!short || !long) return { reason: `both legs on one side: ${shown}`, markets };
  const small = Math.min(-short.qty, long.qty);
  const large = Math.max(-short.qty, long.qty);
  const apartPct = ((large - small) / large) * 100;
  if (apartPct > tolerancePct) return { reason: `leg sizes ${fmt(apartPct)} % apart (> attributionTolerancePct ${tolerancePct}): ${shown}`, markets };
  return { pair: { short: short.market, long: long.market, qty: small, notionalUsd: small * (long.avgEntryPx || short.avgEntryPx) } };
}
