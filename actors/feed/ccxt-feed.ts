/**
 * The market-data feed for one venue (the app runs one per configured venue, id `feed-<venue>`):
 * ccxt.pro streams in, normalised `BookTop` / `BookLevels` / `FundingRate` / `MarkPrice` /
 * `VenueStatus` out on `md`, each keyed by its topic so the conflating channel keeps the latest
 * per topic. The logic lives in src/venues/feed; this module only wires it to the actor context.
 * Public data only: feeds are never configured with credentials (and their params refuse them).
 */
import type { ActorContext } from '../../src/runtime/actor/actor.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import { FEED_ADAPTERS, VenueFeed, feedAdapter, parseFeedParams, type FeedParams, type FeedSink } from '../../src/venues/feed/index.js';

interface FeedState {
  readonly engine: VenueFeed;
}

function sinkOf(ctx: ActorContext<FeedParams>): FeedSink {
  return {
    topicKey: (topic) => ctx.topicKey('md', topic),
    send: (message, key) => ctx.send('md', message, key),
    count: (name, by) => ctx.count(name, by),
    reportError: (reason, error) => ctx.reportError(reason, error),
    log: ctx.log,
  };
}

export default defineActor<FeedState, FeedParams>({
  kind: 'feed',
  version: '1',
  outputs: ['md'],
  params: (raw) => parseFeedParams(raw, FEED_ADAPTERS),
  init: async (ctx) => ({ engine: await VenueFeed.create(feedAdapter(ctx.params.venue)!, ctx.params, sinkOf(ctx)) }),
  onStart(state, ctx) {
    // Markets load and streams connect in the background: a venue that is down must not hold up the system's start.
    ctx.track(state.engine.start(), 'feed_start');
    ctx.setTimer('watchdog', ctx.params.watchdogMs);
  },
  onTimer(state) {
    state.engine.tick();
  },
  onStop: (state) => state.engine.stop(),
  status: (state) => state.engine.status(),
});
