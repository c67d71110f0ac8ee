/**
 * Bybit v5 account endpoints of a unified trading account (UTA): wallet balance (one USDT
 * wallet for spot and linear, which is what the engine's per-key account is), linear positions,
 * leverage, the execution list (trades, and funding payments as `execType: Funding`, which ccxt's
 * fetchFundingHistory reads), and the two endpoints ccxt consults on the first private call
 * unless `enableUnifiedAccount` is set (`/v5/user/query-api`, `/v5/account/info`).
 */
import type { Account } from '../exchange/account.js';
import { availableMargin } from '../exchange/funds.js';
import { perpFigures, usdPrice, type PerpFigures } from '../exchange/margin.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { priceText, qtyText } from './bybit-format.js';
import { authenticate, bybitId, BybitError, categoryOf, categoryParam, integerParam, paramsOf, required, type BybitSymbols } from './bybit-http.js';
import { clampLimit, inTimeWindow } from './wire.js';

const MAINTENANCE_RATE = 0.005;
const amount = (value: number): string => value.toFixed(8);

export class BybitAccountApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BybitSymbols,
  ) {}

  private signed(request: VenueRequest): { apiKey: string; account: Account; params: Map<string, string> } {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    return { apiKey, account: this.context.engine.account(apiKey), params: paramsOf(request) };
  }

  private figures(apiKey: string, account: Account, spec: InstrumentSpec): PerpFigures {
    return perpFigures(account, spec, this.context.market, this.context.engine.openOrders(apiKey, spec.symbol), MAINTENANCE_RATE);
  }

  private linearFigures(apiKey: string, account: Account): PerpFigures[] {
    return this.symbols.inCategory('linear').map((spec) => this.figures(apiKey, account, spec));
  }

  /** One coin of the unified wallet; USDT also carries the perps' margin and unrealized PnL. */
  private coinJson(apiKey: string, account: Account, asset: string, perps: readonly PerpFigures[]): Record<string, unknown> {
    const balance = account.balance(asset);
    const settles = asset === 'USDT';
    const sum = (pick: (f: PerpFigures) => number): number => (settles ? perps.reduce((total, f) => total + pick(f), 0) : 0);
    const wallet = balance.free + balance.locked;
    const upl = sum((f) => f.unrealizedPnl);
    const available = settles ? availableMargin(account, asset, this.context.market, this.context.engine.openOrders(apiKey)) : balance.free;
    return {
      coin: asset,
      equity: amount(wallet + upl),
      usdValue: amount((wallet + upl) * usdPrice(this.context.market, asset)),
      walletBalance: amount(wallet),
      free: '',
      locked: amount(balance.locked),
      spotHedgingQty: '0',
      borrowAmount: '0.000000000000000000',
      availableToWithdraw: amount(Math.max(0, Math.min(balance.free, available))),
      accruedInterest: '0',
      totalOrderIM: amount(sum((f) => f.openOrderMargin)),
      totalPositionIM: amount(sum((f) => f.initialMargin)),
      totalPositionMM: amount(sum((f) => f.maintenanceMargin)),
      unrealisedPnl: amount(upl),
      cumRealisedPnl: amount(settles ? [...account.positions.values()].reduce((total, p) => total + p.realizedPnl + p.fundingPnl, 0) : 0),
      bonus: '0',
      marginCollateral: true,
      collateralSwitch: true,
      availableToBorrow: '',
    };
  }

  walletBalance(request: VenueRequest): unknown {
    const { apiKey, account, params } = this.signed(request);
    if (required(params, 'accountType') !== 'UNIFIED') throw new BybitError(10001, 'accountType only support UNIFIED.');
    const wanted = params.get('coin')?.split(',');
    const perps = this.linearFigures(apiKey, account);
    const coins = [...account.balances.keys()].filter((asset) => !wanted || wanted.includes(asset)).map((asset) => this.coinJson(apiKey, account, asset, perps));
    const sum = (pick: (f: PerpFigures) => number): number => perps.reduce((total, f) => total + pick(f), 0);
    const totalEquity = coins.reduce((total, coin) => total + Number(coin.usdValue), 0);
    const totalWallet = [...account.balances].reduce((total, [asset, b]) => total + (b.free + b.locked) * usdPrice(this.context.market, asset), 0);
    const initial = sum((f) => f.initialMargin + f.openOrderMargin);
    const maintenance = sum((f) => f.maintenanceMargin);
    const summary = {
      accountType: 'UNIFIED',
      accountLTV: '0',
      accountIMRate: amount(totalEquity > 0 ? initial / totalEquity : 0),
      accountMMRate: amount(totalEquity > 0 ? maintenance / totalEquity : 0),
      totalEquity: amount(totalEquity),
      totalWalletBalance: amount(totalWallet),
      totalMarginBalance: amount(totalEquity),
      totalAvailableBalance: amount(totalEquity - initial),
      totalPerpUPL: amount(sum((f) => f.unrealizedPnl)),
      totalInitialMargin: amount(initial),
      totalMaintenanceMargin: amount(maintenance),
      coin: coins,
    };
    return { list: [summary] };
  }

  private positionJson(f: PerpFigures): Record<string, unknown> {
    const { spec, position } = f;
    return {
      positionIdx: 0,
      riskId: 1,
      riskLimitValue: '2000000',
      symbol: bybitId(spec),
      side: f.quantity > 0 ? 'Buy' : f.quantity < 0 ? 'Sell' : '',
      size: qtyText(spec, Math.abs(f.quantity)),
      avgPrice: amount(f.entryPrice),
      positionValue: amount(Math.abs(f.quantity) * f.entryPrice),
      tradeMode: 0,
      positionStatus: 'Normal',
      autoAddMargin: 0,
      adlRankIndicator: f.quantity === 0 ? 0 : 2,
      leverage: String(f.leverage),
      positionBalance: amount(f.initialMargin),
      markPrice: priceText(spec, f.markPrice),
      liqPrice: '',
      bustPrice: '',
      positionMM: amount(f.maintenanceMargin),
      positionIM: amount(f.initialMargin),
      tpslMode: 'Full',
      takeProfit: '0.00',
      stopLoss: '0.00',
      trailingStop: '0.00',
      sessionAvgPrice: '',
      unrealisedPnl: amount(f.unrealizedPnl),
      curRealisedPnl: amount((position?.realizedPnl ?? 0) + (position?.fundingPnl ?? 0)),
      cumRealisedPnl: amount((position?.realizedPnl ?? 0) + (position?.fundingPnl ?? 0)),
      seq: -1,
      isReduceOnly: false,
      mmrSysUpdatedTime: '',
      leverageSysUpdatedTime: '',
      createdTime: String(position?.updatedMs ?? 0),
      updatedTime: String(position?.updatedMs ?? 0),
    };
  }

  /** One symbol (listed even when flat), or every open position of the settle coin. */
  positions(request: VenueRequest): unknown {
    const { apiKey, account, params } = this.signed(request);
    const category = categoryParam(params);
    if (category !== 'linear') throw new BybitError(10001, 'params error: category only support linear or inverse or option');
    const symbol = params.get('symbol');
    if (!symbol && !params.get('settleCoin') && !params.get('baseCoin')) throw new BybitError(10001, 'Missing some parameters that must be filled in, symbol or settleCoin');
    const specs = symbol ? [this.symbols.require(category, symbol)] : this.symbols.inCategory(category);
    const figures = specs.map((spec) => this.figures(apiKey, account, spec)).filter((f) => symbol || f.quantity !== 0);
    return { category, list: figures.map((f) => this.positionJson(f)), nextPageCursor: '' };
  }

  setLeverage(request: VenueRequest): unknown {
    const { apiKey, account, params } = this.signed(request);
    const spec = this.symbols.require(categoryParam(params), required(params, 'symbol'));
    const leverage = Number(required(params, 'buyLeverage'));
    if (!Number.isFinite(leverage) || leverage < 1 || leverage > 100) throw new BybitError(10001, 'params error: buyLeverage invalid');
    if (account.leverageOf(spec.symbol) === leverage) throw new BybitError(110043, 'Set leverage not modified');
    this.context.engine.setLeverage(apiKey, spec.symbol, leverage);
    return {};
  }

  /** Executions newest first: the account's fills and its funding payments. */
  executions(request: VenueRequest): unknown {
    const { apiKey, account, params } = this.signed(request);
    const category = categoryParam(params);
    const symbol = params.get('symbol');
    const only = symbol ? this.symbols.require(category, symbol) : undefined;
    const execType = params.get('execType');
    const rows = [...this.tradeRows(apiKey), ...this.fundingRows(account)]
      .filter((row) => categoryOf(row.spec) === category && (!only || row.spec === only) && (!execType || row.json.execType === execType))
      .filter((row) => inTimeWindow(row.timeMs, integerParam(params, 'startTime'), integerParam(params, 'endTime')))
      .sort((a, b) => b.timeMs - a.timeMs);
    const limit = clampLimit(params.get('limit') ?? null, 50, 100);
    return { category, list: rows.slice(0, limit).map((row) => row.json), nextPageCursor: '' };
  }

  private tradeRows(apiKey: string): { spec: InstrumentSpec; timeMs: number; json: Record<string, unknown> }[] {
    return this.context.engine.ordersOf(apiKey).flatMap((order) => {
      const spec = this.symbols.ofSymbol(order.symbol);
      return order.fills.map((fill) => ({
        spec,
        timeMs: fill.timeMs,
        json: {
          symbol: bybitId(spec),
          orderId: String(order.orderId),
          orderLinkId: order.clientOrderId,
          side: fill.side === 'buy' ? 'Buy' : 'Sell',
          orderPrice: order.price === undefined ? '0' : priceText(spec, order.price),
          orderQty: qtyText(spec, order.quantity),
          orderType: order.type === 'limit' ? 'Limit' : 'Market',
          execId: String(fill.tradeId),
          execType: 'Trade',
          execPrice: priceText(spec, fill.price),
          execQty: qtyText(spec, fill.quantity),
          execValue: amount(fill.price * fill.quantity),
          execFee: amount(fill.fee),
          feeCurrency: fill.feeAsset,
          feeRate: amount(fill.fee / (spec.kind === 'spot' && fill.side === 'buy' ? fill.quantity : fill.price * fill.quantity)),
          isMaker: fill.liquidity === 'maker',
          closedSize: '0',
          execTime: String(fill.timeMs),
        },
      }));
    });
  }

  /** Funding as bybit lists it: `execFee` is what the position paid (negative when it received). */
  private fundingRows(account: Account): { spec: InstrumentSpec; timeMs: number; json: Record<string, unknown> }[] {
    return account.fundingHistory.map((payment, index) => {
      const spec = this.symbols.ofSymbol(payment.symbol);
      const value = payment.rate === 0 ? 0 : Math.abs(payment.amount / payment.rate);
      return {
        spec,
        timeMs: payment.timeMs,
        json: {
          symbol: bybitId(spec),
          orderId: '',
          orderLinkId: '',
          side: payment.amount * payment.rate < 0 ? 'Buy' : 'Sell',
          orderType: 'UNKNOWN',
          execId: `funding-${payment.timeMs}-${index}`,
          execType: 'Funding',
          execValue: amount(value),
          execFee: amount(-payment.amount),
          feeRate: payment.rate.toFixed(8),
          isMaker: false,
          execTime: String(payment.timeMs),
        },
      };
    });
  }

  queryApi(request: VenueRequest): unknown {
    const { apiKey } = this.signed(request);
    return {
      id: '1',
      note: 'arbiter-sim',
      apiKey,
      readOnly: 0,
      secret: '',
      permissions: { ContractTrade: ['Order', 'Position'], Spot: ['SpotTrade'], Wallet: ['AccountTransfer'], Options: [], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [] },
      ips: ['*'],
      type: 1,
      deadlineDay: -1,
      unified: 0,
      uta: 1,
      userID: 24600000,
      inviterID: 0,
      vipLevel: 'No VIP',
      mktMakerLevel: '0',
      affiliateID: 0,
      rsaPublicKey: '',
      isMaster: true,
    };
  }

  accountInfo(request: VenueRequest): unknown {
    this.signed(request);
    return { marginMode: 'REGULAR_MARGIN', updatedTime: '0', unifiedMarginStatus: 6, dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0, isMasterTrader: false, spotHedgingStatus: 'OFF' };
  }
}
