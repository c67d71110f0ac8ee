/**
 * binance USDⓈ-M account endpoints: account (v2 and v3, ccxt's fetchBalance reads v3),
 * position risk (v2 lists every symbol, v3 only open positions; ccxt's fetchPositions reads
 * v3 and keeps entries with an entry price), leverage brackets (ccxt loads them before
 * positions), leverage changes, and income history (funding fees, realized PnL, commissions).
 *
 * Margin is cross, one-way mode. The liquidation price is the single-position approximation
 * entry × (1 ∓ 1/leverage ± maintenance rate); the simulator never liquidates.
 */
import type { Account, Position } from '../exchange/account.js';
import { availableMargin } from '../exchange/funds.js';
import { remaining } from '../exchange/types.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { amountText, binanceId, priceText, quantityText, type BinanceSymbols } from './binance-format.js';
import { allParams, authenticate, BinanceError, integer, mandatory } from './binance-http.js';
import { inWindow, limitOf } from './binance-orders.js';

/** Notional brackets (floor, cap, max leverage, maintenance margin rate, maintenance amount). */
const BRACKETS = [
  { floor: 0, cap: 50_000, leverage: 125, mmr: 0.004, cum: 0 },
  { floor: 50_000, cap: 600_000, leverage: 100, mmr: 0.005, cum: 50 },
  { floor: 600_000, cap: 3_000_000, leverage: 75, mmr: 0.0065, cum: 950 },
  { floor: 3_000_000, cap: 1e12, leverage: 50, mmr: 0.01, cum: 11_450 },
] as const;

function maintenanceMargin(notional: number): number {
  const bracket = [...BRACKETS].reverse().find((b) => notional >= b.floor) ?? BRACKETS[0];
  return notional * bracket.mmr - bracket.cum;
}

interface PositionFigures {
  readonly spec: InstrumentSpec;
  readonly position: Position | undefined;
  readonly quantity: number;
  readonly mark: number;
  readonly notional: number;
  readonly unrealized: number;
  readonly initialMargin: number;
  readonly maintenance: number;
  readonly openOrderMargin: number;
  readonly leverage: number;
}

export class BinanceUsdmAccountApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BinanceSymbols,
  ) {}

  private signed(request: VenueRequest): { apiKey: string; account: Account; params: URLSearchParams } {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    return { apiKey, account: this.context.engine.account(apiKey), params: allParams(request) };
  }

  private figures(apiKey: string, account: Account, spec: InstrumentSpec): PositionFigures {
    const position = account.positions.get(spec.symbol);
    const quantity = position?.quantity ?? 0;
    const mark = this.context.market.markPrice(spec.symbol);
    const notional = quantity * mark;
    const leverage = account.leverageOf(spec.symbol);
    const openOrderMargin = this.context.engine
      .openOrders(apiKey, spec.symbol)
      .reduce((sum, order) => sum + (remaining(order) * (order.price ?? mark)) / leverage, 0);
    return {
      spec,
      position,
      quantity,
      mark,
      notional,
      unrealized: position ? (mark - position.entryPrice) * quantity : 0,
      initialMargin: Math.abs(notional) / leverage,
      maintenance: quantity === 0 ? 0 : maintenanceMargin(Math.abs(notional)),
      openOrderMargin,
      leverage,
    };
  }

  private allFigures(apiKey: string, account: Account): PositionFigures[] {
    return this.symbols.all().map((spec) => this.figures(apiKey, account, spec));
  }

  account(request: VenueRequest): unknown {
    const { apiKey, account } = this.signed(request);
    const figures = this.allFigures(apiKey, account);
    const sum = (pick: (f: PositionFigures) => number): number => figures.reduce((total, f) => total + pick(f), 0);
    const wallet = account.balance('USDT').free;
    const unrealized = sum((f) => f.unrealized);
    const available = availableMargin(account, 'USDT', this.context.market, this.context.engine.openOrders(apiKey));
    const now = this.context.clock.nowMs();
    const asset = {
      asset: 'USDT',
      walletBalance: amountText(wallet),
      unrealizedProfit: amountText(unrealized),
      marginBalance: amountText(wallet + unrealized),
      maintMargin: amountText(sum((f) => f.maintenance)),
      initialMargin: amountText(sum((f) => f.initialMargin + f.openOrderMargin)),
      positionInitialMargin: amountText(sum((f) => f.initialMargin)),
      openOrderInitialMargin: amountText(sum((f) => f.openOrderMargin)),
      crossWalletBalance: amountText(wallet),
      crossUnPnl: amountText(unrealized),
      availableBalance: amountText(available),
      maxWithdrawAmount: amountText(Math.max(0, Math.min(wallet, available))),
      marginAvailable: true,
      updateTime: now,
    };
    return {
      feeTier: 0,
      canTrade: true,
      canDeposit: true,
      canWithdraw: true,
      updateTime: 0,
      multiAssetsMargin: false,
      tradeGroupId: -1,
      totalInitialMargin: asset.initialMargin,
      totalMaintMargin: asset.maintMargin,
      totalWalletBalance: asset.walletBalance,
      totalUnrealizedProfit: asset.unrealizedProfit,
      totalMarginBalance: asset.marginBalance,
      totalPositionInitialMargin: asset.positionInitialMargin,
      totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
      totalCrossWalletBalance: asset.crossWalletBalance,
      totalCrossUnPnl: asset.crossUnPnl,
      availableBalance: asset.availableBalance,
      maxWithdrawAmount: asset.maxWithdrawAmount,
      assets: [asset],
      positions: figures.filter((f) => f.quantity !== 0).map((f) => this.accountPositionJson(f)),
    };
  }

  private accountPositionJson(f: PositionFigures): Record<string, unknown> {
    return {
      symbol: binanceId(f.spec),
      positionSide: 'BOTH',
      positionAmt: quantityText('usdm', f.spec, f.quantity),
      unrealizedProfit: amountText(f.unrealized),
      isolatedMargin: '0',
      notional: amountText(f.notional),
      isolatedWallet: '0',
      initialMargin: amountText(f.initialMargin),
      maintMargin: amountText(f.maintenance),
      updateTime: f.position?.updatedMs ?? 0,
    };
  }

  private liquidationPrice(f: PositionFigures): number {
    if (f.quantity === 0 || !f.position) return 0;
    const rate = Math.abs(f.notional) > 0 ? f.maintenance / Math.abs(f.notional) : 0;
    const entry = f.position.entryPrice;
    return f.quantity > 0 ? Math.max(0, entry * (1 - 1 / f.leverage + rate)) : entry * (1 + 1 / f.leverage - rate);
  }

  /** `version` 2 lists every symbol with leverage fields; 3 only positions and open-order symbols. */
  positionRisk(request: VenueRequest, version: 2 | 3): unknown {
    const { apiKey, account, params } = this.signed(request);
    const only = params.get('symbol');
    const specs = only === null ? this.symbols.all() : [this.symbols.require(only)];
    return specs
      .map((spec) => this.figures(apiKey, account, spec))
      .filter((f) => version === 2 || f.quantity !== 0 || f.openOrderMargin > 0)
      .map((f) => this.positionRiskJson(f, version));
  }

  private positionRiskJson(f: PositionFigures, version: 2 | 3): Record<string, unknown> {
    const entry = f.position?.entryPrice ?? 0;
    const common = {
      symbol: binanceId(f.spec),
      positionSide: 'BOTH',
      positionAmt: quantityText('usdm', f.spec, f.quantity),
      entryPrice: entry.toFixed(8),
      breakEvenPrice: entry.toFixed(8),
      markPrice: f.mark.toFixed(8),
      unRealizedProfit: amountText(f.unrealized),
      liquidationPrice: priceText('usdm', f.spec, this.liquidationPrice(f)),
      isolatedMargin: '0.00000000',
      notional: amountText(f.notional),
      isolatedWallet: '0',
      updateTime: f.position?.updatedMs ?? 0,
    };
    if (version === 2) {
      return { ...common, leverage: String(f.leverage), maxNotionalValue: '50000000', marginType: 'cross', isAutoAddMargin: 'false' };
    }
    return {
      ...common,
      marginAsset: 'USDT',
      initialMargin: amountText(f.initialMargin + f.openOrderMargin),
      maintMargin: amountText(f.maintenance),
      positionInitialMargin: amountText(f.initialMargin),
      openOrderInitialMargin: amountText(f.openOrderMargin),
      adl: 0,
      bidNotional: '0',
      askNotional: '0',
    };
  }

  leverageBracket(request: VenueRequest): unknown {
    const { params } = this.signed(request);
    const only = params.get('symbol');
    const specs = only === null ? this.symbols.all() : [this.symbols.require(only)];
    const brackets = BRACKETS.map((b, index) => ({
      bracket: index + 1,
      initialLeverage: b.leverage,
      notionalCap: b.cap,
      notionalFloor: b.floor,
      maintMarginRatio: b.mmr,
      cum: b.cum,
    }));
    const entries = specs.map((spec) => ({ symbol: binanceId(spec), brackets }));
    return only === null ? entries : entries[0];
  }

  setLeverage(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const leverage = integer(params, 'leverage');
    if (leverage === undefined || leverage < 1 || leverage > 125) throw new BinanceError(-4028, `Leverage ${params.get('leverage')} is not valid`);
    this.context.engine.setLeverage(apiKey, spec.symbol, leverage);
    return { leverage, maxNotionalValue: '50000000', symbol: binanceId(spec) };
  }

  income(request: VenueRequest): unknown {
    const { apiKey, account, params } = this.signed(request);
    const only = params.get('symbol');
    const type = params.get('incomeType');
    const rows: Record<string, unknown>[] = [];
    let tranId = 9_000_000;
    for (const payment of account.fundingHistory) {
      rows.push({ symbol: binanceId(this.symbols.forSymbol(payment.symbol)), incomeType: 'FUNDING_FEE', income: amountText(payment.amount), asset: 'USDT', info: 'FUNDING_FEE', time: payment.timeMs, tranId: tranId++, tradeId: '' });
    }
    for (const order of this.context.engine.ordersOf(apiKey)) {
      for (const fill of order.fills) {
        const symbol = binanceId(this.symbols.forSymbol(fill.symbol));
        if (fill.realizedPnl !== 0) rows.push({ symbol, incomeType: 'REALIZED_PNL', income: amountText(fill.realizedPnl), asset: 'USDT', info: '', time: fill.timeMs, tranId: tranId++, tradeId: String(fill.tradeId) });
        rows.push({ symbol, incomeType: 'COMMISSION', income: amountText(-fill.fee), asset: 'USDT', info: '', time: fill.timeMs, tranId: tranId++, tradeId: String(fill.tradeId) });
      }
    }
    return rows
      .filter((row) => (only === null || row.symbol === only) && (type === null || row.incomeType === type) && inWindow(params, row.time as number))
      .sort((a, b) => (a.time as number) - (b.time as number))
      .slice(-limitOf(params, 100, 1000));
  }
}
