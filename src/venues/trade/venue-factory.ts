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
import { PaperTradeVenue } from './paper-venue.js';
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

async function ccxtVenue(venue: VenueParams, params: ExecutionParams, now: () => number): Promise<TradeVenue> {
  const credentials = loadCredentials(venue.account, params.secretsFile === undefined ? { source: 'env' } : { source: 'file', path: params.secretsFile });
  const exchange = await createExchange(venue.id, {
    ...credentials,
    enableRateLimit: false,
    timeout: params.requestTimeoutMs,
    options: marketOptions(venue),
  });
  if (params.mode === 'sim') redirectToSimulator(exchange as unknown as Parameters<typeof redirectToSimulator>[0], venue.simUrl!);
  return new CcxtTradeVenue(venue.id, exchange, await loadCcxtErrors(), now);
}

/** One trade venue per configured venue, in config order. */
export async function createTradeVenues(params: ExecutionParams, book: QuoteBook, now: () => number): Promise<TradeVenue[]> {
  if (params.mode === 'paper' || params.mode === 'replay') {
    const options = { fees: params.fees, latencyMs: params.paper.latencyMs, beyondDepthPenaltyBps: params.paper.beyondDepthPenaltyBps };
    const account = (venue: string) => ({ startingBalances: params.paper.startingBalances[venue] ?? SIMULATED_STARTING_BALANCES, leverage: params.balances.assumedLeverage });
    return params.venues.map((venue) => new PaperTradeVenue(venue.id, book, options, now, account(venue.id)));
  }
  return Promise.all(params.venues.map((venue) => ccxtVenue(venue, params, now)));
}
