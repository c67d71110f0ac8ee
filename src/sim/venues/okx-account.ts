/**
 * OKX v5 account endpoints of a unified trading account (one USDT cash balance for spot and
 * swaps, cross margin, net position mode): balance (`eq` = cash + unrealized PnL, `availEq` =
 * free margin; ccxt reads them as total and free), positions (signed `pos` in contracts),
 * leverage, and the bills ccxt's fetchFundingHistory reads (`type` 8: funding fee, `balChg`
 * signed as received).
 */
import type { Account } from '../exchange/account.js';
import { availableMargin } from '../exchange/funds.js';
import { perpFigures, usdPrice, type PerpFigures } from '../exchange/margin.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { pxText, szText } from './okx-format.js';
import { authenticate, bodyOf, okxId, OkxError, queryOf, required, type OkxSymbols } from './okx-http.js';
import { clampLimit, inTimeWindow } from './wire.js';

const MAINTENANCE_RATE = 0.004;
const amount = (value: number): string => value.toFixed(8);

export class OkxAccountApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: OkxSymbols,
  ) {}

  private signed(request: VenueRequest): { apiKey: string; account: Account } {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    return { apiKey, account: this.context.engine.account(apiKey) };
  }

  private figures(apiKey: string, account: Account, spec: InstrumentSpec): PerpFigures {
    return perpFigures(account, spec, this.context.market, this.context.engine.openOrders(apiKey, spec.symbol), MAINTENANCE_RATE);
  }

  private swapFigures(apiKey: string, account: Account): PerpFigures[] {
    return this.symbols.select('SWAP', undefined).map((spec) => this.figures(apiKey, account, spec));
  }

  /** One currency of the trading account; USDT also carries the swaps' margin and unrealized PnL. */
  private detail(apiKey: string, account: Account, ccy: string, swaps: readonly PerpFigures[]): Record<string, string> {
    const balance = account.balance(ccy);
    const margined = ccy === 'USDT';
    const sum = (pick: (f: PerpFigures) => number): number => (margined ? swaps.reduce((total, f) => total + pick(f), 0) : 0);
    const cash = balance.free + balance.locked;
    const upl = sum((f) => f.unrealizedPnl);
    const available = margined ? Math.max(0, availableMargin(account, ccy, this.context.market, this.context.engine.openOrders(apiKey))) : balance.free;
    const frozen = balance.locked + sum((f) => f.initialMargin + f.openOrderMargin);
    return {
      ccy,
      cashBal: amount(cash),
      eq: amount(cash + upl),
      eqUsd: amount((cash + upl) * usdPrice(this.context.market, ccy)),
      availBal: amount(Math.max(0, cash - frozen)),
      availEq: amount(available),
      frozenBal: amount(frozen),
      ordFrozen: amount(balance.locked + sum((f) => f.openOrderMargin)),
      imr: amount(sum((f) => f.initialMargin + f.openOrderMargin)),
      mmr: amount(sum((f) => f.maintenanceMargin)),
      upl: amount(upl),
      isoEq: '0',
      isoUpl: '0',
      liab: '0',
      interest: '0',
      uTime: String(this.context.clock.nowMs()),
    };
  }

  balance(request: VenueRequest): unknown {
    const { apiKey, account } = this.signed(request);
    const wanted = queryOf(request).get('ccy')?.split(',');
    const swaps = this.swapFigures(apiKey, account);
    const details = [...account.balances.keys()].filter((ccy) => !wanted || wanted.includes(ccy)).map((ccy) => this.detail(apiKey, account, ccy, swaps));
    const totalEq = details.reduce((total, detail) => total + Number(detail.eqUsd), 0);
    const imr = swaps.reduce((total, f) => total + f.initialMargin + f.openOrderMargin, 0);
    const mmr = swaps.reduce((total, f) => total + f.maintenanceMargin, 0);
    const summary = {
      adjEq: amount(totalEq),
      details,
      imr: amount(imr),
      isoEq: '0',
      mgnRatio: mmr > 0 ? amount(totalEq / mmr) : '',
      mmr: amount(mmr),
      notionalUsd: amount(swaps.reduce((total, f) => total + f.notional, 0)),
      ordFroz: amount(swaps.reduce((total, f) => total + f.openOrderMargin, 0)),
      totalEq: amount(totalEq),
      uTime: String(this.context.clock.nowMs()),
      upl: amount(swaps.reduce((total, f) => total + f.unrealizedPnl, 0)),
    };
    return [summary];
  }

  private positionJson(f: PerpFigures): Record<string, string> {
    const { spec, position } = f;
    return {
      adl: '1',
      availPos: '',
      avgPx: amount(f.entryPrice),
      cTime: String(position?.updatedMs ?? 0),
      ccy: spec.settle ?? spec.quote,
      imr: amount(f.initialMargin),
      instId: okxId(spec),
      instType: 'SWAP',
      last: pxText(spec, this.context.market.get(spec.symbol)?.ticker.last ?? f.markPrice),
      lever: String(f.leverage),
      liqPx: '',
      markPx: pxText(spec, f.markPrice),
      margin: '',
      mgnMode: 'cross',
      mmr: amount(f.maintenanceMargin),
      notionalUsd: amount(f.notional),
      pos: szText(spec, f.quantity), // signed: net position mode
      posCcy: '',
      posId: String(1_000_000 + this.symbols.all().indexOf(spec)),
      posSide: 'net',
      realizedPnl: amount((position?.realizedPnl ?? 0) + (position?.fundingPnl ?? 0)),
      fundingFee: amount(position?.fundingPnl ?? 0),
      uTime: String(position?.updatedMs ?? 0),
      upl: amount(f.unrealizedPnl),
      uplRatio: f.initialMargin > 0 ? amount(f.unrealizedPnl / f.initialMargin) : '0',
    };
  }

  /** Open positions (okx lists none for a flat instrument), narrowed by `instId` (comma list). */
  positions(request: VenueRequest): unknown {
    const { apiKey, account } = this.signed(request);
    const query = queryOf(request);
    const instIds = query.get('instId')?.split(',');
    const specs = instIds ? instIds.map((instId) => this.symbols.require(instId)) : this.symbols.select(query.get('instType'), undefined);
    return specs
      .filter((spec) => spec.kind === 'perp')
      .map((spec) => this.figures(apiKey, account, spec))
      .filter((f) => f.quantity !== 0)
      .map((f) => this.positionJson(f));
  }

  setLeverage(request: VenueRequest): unknown {
    const { apiKey } = this.signed(request);
    const entry = bodyOf(request)[0] as Map<string, string>;
    const spec = this.symbols.require(required(entry, 'instId'));
    const leverage = Number(required(entry, 'lever'));
    if (!Number.isFinite(leverage) || leverage < 1 || leverage > 100) throw new OkxError('59102', 'Leverage exceeds the maximum leverage. Adjust the leverage.');
    this.context.engine.setLeverage(apiKey, spec.symbol, leverage);
    return [{ instId: okxId(spec), lever: String(leverage), mgnMode: required(entry, 'mgnMode'), posSide: 'net' }];
  }

  /** Bills, newest first; only funding fees (type 8) are kept as bills here. */
  bills(request: VenueRequest): unknown {
    const { account } = this.signed(request);
    const query = queryOf(request);
    const type = query.get('type');
    if (type !== undefined && type !== '8') return [];
    const begin = query.get('begin') === undefined ? undefined : Number(query.get('begin'));
    const end = query.get('end') === undefined ? undefined : Number(query.get('end'));
    return account.fundingHistory
      .map((payment, index) => ({ payment, index, spec: this.symbols.ofSymbol(payment.symbol) }))
      .filter(({ payment, spec }) => inTimeWindow(payment.timeMs, begin, end) && (!query.get('instId') || query.get('instId') === okxId(spec)))
      .reverse()
      .slice(0, clampLimit(query.get('limit') ?? null, 100, 100))
      .map(({ payment, index, spec }) => ({
        bal: '',
        balChg: amount(payment.amount),
        billId: String(700_000_000 + index),
        ccy: spec.settle ?? spec.quote,
        fee: '0',
        instId: okxId(spec),
        instType: 'SWAP',
        mgnMode: 'cross',
        notes: '',
        ordId: '',
        pnl: amount(payment.amount),
        posBal: '0',
        posBalChg: '0',
        subType: payment.amount >= 0 ? '174' : '173',
        sz: '',
        ts: String(payment.timeMs),
        type: '8',
      }));
  }
}
