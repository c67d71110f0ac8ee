/** The market-data feed: a generic engine over ccxt.pro and one small adapter per venue. */
export { FEED_ADAPTERS, FEED_VENUES, feedAdapter } from './adapters/index.js';
export { VenueFeed, type FeedStatus, type SymbolStatus } from './venue-feed.js';
export { createFeedExchange } from './exchange.js';
export { parseFeedParams, STREAM_NAMES, type FeedParams, type StreamName } from './params.js';
export type { StreamStatus } from './stream-runner.js';
export type { FeedAdapter, FeedSink, StreamSpec } from './types.js';
