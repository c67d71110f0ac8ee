/**
 * The feed's ccxt instance: one exchange class imported on its own (~30 MB per worker instead of
 * ~94 MB for all of ccxt, see ccxt-loader.ts), never given credentials, pointed at the simulator
 * whenever it has a simulator URL (`sim`, and `paper` with the simulator standing in for the public
 * venues) and at the real hosts otherwise (`paper` / `live`).
 */
import { getHeapStatistics } from 'node:v8';
import type { Exchange } from 'ccxt';
import { createExchange } from '../ccxt-loader.js';
import { redirectToSimulator, type RedirectableExchange } from '../sim-redirect.js';
import type { FeedParams } from './params.js';
import type { FeedAdapter } from './types.js';

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Process RSS in MB: every thread's memory together, so it is the same number in every worker. */
export const rssMb = (): number => mb(process.memoryUsage.rss());

/** This thread's V8 heap in MB (each worker has its own isolate, so this one is per worker). */
export const heapMb = (): number => mb(getHeapStatistics().total_heap_size);

/**
 * @example
 * const exchange = await createFeedExchange(binanceusdm, parseFeedParams({ venue: 'binanceusdm', symbols, mode: 'sim', simBaseUrl }, FEED_VENUES));
 */
export async function createFeedExchange(adapter: FeedAdapter, params: FeedParams): Promise<Exchange> {
  const exchange = await createExchange(adapter.id, {
    // ccxt's limiter keeps REST calls (snapshots, polls) polite on real venues; loopback needs none.
    enableRateLimit: params.simBaseUrl === undefined,
    timeout: params.requestTimeoutMs,
    // The feed paces reconnects itself (jittered, reset by the first update). ccxt's own per-URL
    // dial backoff (1 s doubling to 60 s, forgotten only after 30 s of calm) would stack on top:
    // a feed that reconnected a few times during an outage would take up to a minute to return.
    options: { ws: { backoff: { base: 0 } } },
  });
  if (params.simBaseUrl !== undefined) redirectToSimulator(exchange as unknown as RedirectableExchange, params.simBaseUrl);
  return exchange;
}
