/**
 * OKX v5 transaction details: `/trade/fills-history` (last 3 months; what ccxt's fetchMyTrades
 * and fetchOrderTrades call, always with `instType`) and `/trade/fills` (last 3 days, `instType`
 * optional). Both list the account's fills from the engine's fill truth, newest first: swap
 * sizes in contracts, `fee` signed as a balance change (negative = charged, in `feeCcy`),
 * `execType` `T` (taker) or `M` (maker).
 *
 * Filters: `instType`, `instId`, `ordId`; `begin` / `end` on `ts` (ms, inclusive), `after` /
 * `before` on `billId` (strictly older / newer: okx's cursors), then `limit` (default and max
 * 100) newest first. ccxt sends `begin` for `since` and `end` for `until`, and sends `limit`
 * only without `since`.
 */
import type { SimFill } from '../exchange/types.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { pxText, szText } from './okx-format.js';
import { authenticate, instTypeOf, okxId, OkxError, queryOf, required, type OkxParams, type OkxSymbols } from './okx-http.js';
import { clampLimit, inTimeWindow } from './wire.js';

/** Trade bills are numbered after the fills' trade ids (funding bills use 700 000 000 + n). */
const TRADE_BILL_BASE = 800_000_000;
const billIdOf = (fill: SimFill): number => TRADE_BILL_BASE + fill.tradeId;

/** One fill as okx lists it. */
function fillJson(fill: SimFill, spec: InstrumentSpec): Record<string, string> {
  // The fee rate is per unit of what the fee is charged in: base for a spot buy, quote otherwise.
  const feeBase = spec.kind === 'spot' && fill.side === 'buy' ? fill.quantity : fill.price * fill.quantity;
  return {
    instType: instTypeOf(spec),
    instId: okxId(spec),
    tradeId: String(fill.tradeId),
    ordId: String(fill.orderId),
    clOrdId: fill.clientOrderId,
    billId: String(billIdOf(fill)),
    subType: fill.side === 'buy' ? '1' : '2',
    tag: '',
    fillPx: pxText(spec, fill.price),
    fillSz: szText(spec, fill.quantity),
    fillPnl: fill.realizedPnl.toFixed(8),
    side: fill.side,
    posSide: spec.kind === 'spot' ? '' : 'net',
    execType: fill.liquidity === 'maker' ? 'M' : 'T',
    feeCcy: fill.feeAsset,
    fee: (-fill.fee).toFixed(8),
    feeRate: feeBase > 0 ? (-fill.fee / feeBase).toFixed(6) : '0',
    ts: String(fill.timeMs),
    fillTime: String(fill.timeMs),
  };
}

/** An optional integer parameter (ms timestamp or bill id), or okx's 51000 when it is not one. */
function integerParam(params: OkxParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]+$/.test(text)) throw new OkxError('51000', `Parameter ${name} error`);
  return Number(text);
}

export class OkxFillsApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: OkxSymbols,
  ) {}

  /** `/trade/fills-history` (history: true, `instType` required) and `/trade/fills`. */
  list(request: VenueRequest, history: boolean): unknown {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    const query = queryOf(request);
    const instType = history ? required(query, 'instType') : query.get('instType');
    const instId = query.get('instId');
    const specs = new Set(this.symbols.select(instType, instId).filter((spec) => instType === undefined || instTypeOf(spec) === instType));
    const ordId = query.get('ordId');
    const [begin, end] = [integerParam(query, 'begin'), integerParam(query, 'end')];
    const [after, before] = [integerParam(query, 'after'), integerParam(query, 'before')];
    return this.context.engine
      .ordersOf(apiKey)
      .filter((order) => (!ordId || String(order.orderId) === ordId) && specs.has(this.symbols.ofSymbol(order.symbol)))
      .flatMap((order) => order.fills)
      .filter((fill) => inTimeWindow(fill.timeMs, begin, end) && (after === undefined || billIdOf(fill) < after) && (before === undefined || billIdOf(fill) > before))
      .sort((a, b) => b.tradeId - a.tradeId)
      .slice(0, clampLimit(query.get('limit') ?? null, 100, 100))
      .map((fill) => fillJson(fill, this.symbols.ofSymbol(fill.symbol)));
  }
}
