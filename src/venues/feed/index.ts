/** The market-data feed: a generic engine over ccxt.pro and one small adapter per venue. */
export { FEED_ADAPTERS, FEED_VENUES, feedAdapter } from './adapters/index.js';
export { VenueFeed } from './venue-feed.js';
export { createFeedExchange } from './exchange.js';
export { parseFeedParams, type FeedParams } from './params.js';
export { STREAM_NAMES, type StreamName } from './types.js';
export type { FeedAdapter, StreamSpec } from './types.js';
export type { FeedSink } from './sink.js';
