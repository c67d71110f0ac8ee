/**
 * The endpoints ccxt's `fetchTradingFee` calls, one per venue, with the real response shapes.
 * Each reports the rates the signed account pays (its fee tier from the simulator options, else
 * the venue's regular rates: `VenueExchange.feeRates`), which are also what its fills are charged.
 *
 * - binance spot `GET /sapi/v1/asset/tradeFee?symbol=`: `[{ symbol, makerCommission, takerCommission }]`
 * - binance USDⓈ-M `GET /fapi/v1/commissionRate?symbol=`: `{ symbol, makerCommissionRate, takerCommissionRate }`
 * - bybit `GET /v5/account/fee-rate?category=&symbol=`: `result.list[{ symbol, takerFeeRate, makerFeeRate }]`
 * - okx `GET /api/v5/account/trade-fee?instType=&instId=|uly=`: `data[{ level, maker, taker, makerU, takerU, … }]`,
 *   rates negative for a fee paid (okx's sign; ccxt flips it)
 */
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import type { BinanceSymbols } from './binance-format.js';
import { allParams, authenticate as binanceAuth, mandatory } from './binance-http.js';
import { authenticate as bybitAuth, bybitId, categoryParam, paramsOf, type BybitSymbols } from './bybit-http.js';
import { authenticate as okxAuth, OkxError, queryOf, required, type OkxSymbols } from './okx-http.js';

const rateText = (rate: number): string => String(Number(rate.toFixed(8)));

/** binance spot: one entry per symbol, or every symbol when none is asked for. */
export function binanceSpotTradeFee(context: VenueContext, symbols: BinanceSymbols, request: VenueRequest): unknown {
  const apiKey = binanceAuth(request, context.credentials, context.clock);
  const only = allParams(request).get('symbol');
  const specs = only === null ? symbols.all() : [symbols.require(only)];
  return specs.map((spec) => {
    const { makerRate, takerRate } = context.engine.feeRates(apiKey, spec);
    return { symbol: `${spec.base}${spec.quote}`, makerCommission: rateText(makerRate), takerCommission: rateText(takerRate) };
  });
}

/** binance USDⓈ-M: the account's commission on one symbol. */
export function binanceUsdmCommissionRate(context: VenueContext, symbols: BinanceSymbols, request: VenueRequest): unknown {
  const apiKey = binanceAuth(request, context.credentials, context.clock);
  const spec = symbols.require(mandatory(allParams(request), 'symbol'));
  const { makerRate, takerRate } = context.engine.feeRates(apiKey, spec);
  return { symbol: `${spec.base}${spec.quote}`, makerCommissionRate: rateText(makerRate), takerCommissionRate: rateText(takerRate) };
}

/** bybit: the category's symbols (or the one asked for). */
export function bybitFeeRate(context: VenueContext, symbols: BybitSymbols, request: VenueRequest): unknown {
  const apiKey = bybitAuth(request, context.credentials, context.clock);
  const params = paramsOf(request);
  const category = categoryParam(params);
  const only = params.get('symbol');
  const specs = only === undefined ? symbols.inCategory(category) : [symbols.require(category, only)];
  return {
    list: specs.map((spec) => {
      const { makerRate, takerRate } = context.engine.feeRates(apiKey, spec);
      return { symbol: bybitId(spec), takerFeeRate: rateText(takerRate), makerFeeRate: rateText(makerRate) };
    }),
  };
}

/** okx: one entry for the instrument type (spot by instId, swaps by underlying `BTC-USDT`). */
export function okxTradeFee(context: VenueContext, symbols: OkxSymbols, request: VenueRequest): unknown {
  const apiKey = okxAuth(request, context.credentials, context.clock);
  const query = queryOf(request);
  const instType = required(query, 'instType');
  let spec: InstrumentSpec | undefined;
  if (instType === 'SPOT') spec = symbols.require(query.get('instId') ?? query.get('instFamily'));
  else if (instType === 'SWAP') {
    const underlying = query.get('uly') ?? query.get('instFamily');
    spec = symbols.select('SWAP', undefined).find((candidate) => underlying === undefined || `${candidate.base}-${candidate.quote}` === underlying);
  } else throw new OkxError('51000', 'Parameter instType error');
  if (!spec) throw new OkxError('51001', `Instrument ID or Spread ID doesn't exist.`);
  const { makerRate, takerRate } = context.engine.feeRates(apiKey, spec);
  const maker = rateText(-makerRate);
  const taker = rateText(-takerRate);
  const swap = instType === 'SWAP';
  return [
    {
      category: '1',
      delivery: '',
      exercise: '',
      fiat: [],
      instType,
      level: 'Lv1',
      maker,
      taker,
      makerU: swap ? maker : '',
      takerU: swap ? taker : '',
      makerUSDC: '',
      takerUSDC: '',
      ruleType: 'normal',
      ts: String(context.clock.nowMs()),
    },
  ];
}
