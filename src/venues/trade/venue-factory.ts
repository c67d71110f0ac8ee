/**
 * Builds each configured venue's trade side for the mode: ccxt clients (sim: redirected to the
 * simulator; live: the real hosts) with credentials read here, inside the execution worker, or
 * paper venues on the local fill model. This is the only place a trading client is constructed.
 */
import { createExchange, loadCcxtErrors } from '../ccxt-loader.js';
import { redirectToSimulator } from '../sim-redirect.js';
import type { QuoteBook } from '../../trading/market/book.js';
import { CcxtTradeVenue } from './ccxt-venue.js';
import { loadCredentials } from './credentials.js';
import { PaperTradeVenue, type MarketRulesSource } from './paper-venue.js';
import { RecordedMarketRules } from './recorded-rules.js';
import { SIMULATED_STARTING_BALANCES, type ExecutionParams, type VenueParams } from '../../execution/params.js';
import type { TradeVenue } from '../../execution/venue-port.js';

/** ccxt market-type names per venue, for `options.fetchMarkets.types`. */
const MARKET_TYPE_NAMES: Readonly<Record<string, Readonly<Record<'spot' | 'perp', string>>>> = {
  bybit: { spot: 'spot', perp: 'linear' },
  okx: { spot: 'spot', perp: 'swap' },
};

function marketOptions(venue: VenueParams): Record<string, unknown> {
  const names = MARKET_TYPE_NAMES[venue.id];
  // binance fetches open orders for every symbol in one call only when told this is deliberate.
  const options: Record<string, unknown> = { warnOnFetchOpenOrdersWithoutSymbol: false };
  if (names) options.fetchMarkets = { types: venue.marketTypes.map((type) => names[type]) };
  return options;
}

/** A ccxt venue; without credentials (paper) it only reads public data (the markets' rules). */
async function ccxtVenue(venue: VenueParams, params: ExecutionParams, now: () => number, withCredentials: boolean): Promise<CcxtTradeVenue> {
  const credentials = withCredentials ? loadCredentials(venue.account, params.secretsFile === undefined ? { source: 'env' } : { source: 'file', path: params.secretsFile }) : {};
  const exchange = await createExchange(venue.id, {
    ...credentials,
    enableRateLimit: false,
    timeout: params.requestTimeoutMs,
    options: marketOptions(venue),
  });
  // Live never goes to a simulator, whatever the params say.
  if (venue.simUrl !== null && params.mode !== 'live') redirectToSimulator(exchange as unknown as Parameters<typeof redirectToSimulator>[0], venue.simUrl);
  return new CcxtTradeVenue(venue.id, exchange, await loadCcxtErrors(), now);
}

/** One trade venue per configured venue, in config order. */
export async function createTradeVenues(params: ExecutionParams, book: QuoteBook, now: () => number): Promise<TradeVenue[]> {
  if (params.mode === 'paper' || params.mode === 'replay') {
    const options = { feeTable: params.fees, latencyMs: params.paper.latencyMs, beyondDepthPenaltyBps: params.paper.beyondDepthPenaltyBps };
    const account = (venue: string) => ({ startingBalances: params.paper.startingBalances[venue] ?? SIMULATED_STARTING_BALANCES, leverage: params.balances.assumedLeverage });
    // Paper reads the market rules from the public venue (or the simulator, with a simUrl), replay from the recording.
    const rulesOf = async (venue: VenueParams): Promise<MarketRulesSource> => (params.mode === 'paper' ? ccxtVenue(venue, params, now, false) : new RecordedMarketRules(venue.id));
    return Promise.all(params.venues.map(async (venue) => new PaperTradeVenue(venue.id, book, options, now, await rulesOf(venue), account(venue.id))));
  }
  return Promise.all(params.venues.map((venue) => ccxtVenue(venue, params, now, true)));
}
