/** What the feed engine's parts write to, and what a handler answers: the leaf the engine's files share. */
import type { MarketDataMessage } from '../../protocol/index.js';
import type { Logger } from '../../base/log.js';

/**
 * What a handler tells its stream: published, rejected (counted, dropped), or `corrupt`: rejected
 * because the local state is broken (a crossed book), so the stream resubscribes for a fresh snapshot.
 */
export type Verdict = 'published' | 'rejected' | 'corrupt';

/** Where the engine's output goes: the actor context, or a test's recorder. */
export interface FeedSink {
  topicKey(topic: string): number;
  send(message: MarketDataMessage, key: number): void;
  count(name: string, by?: number): void;
  /** Counts and logs (rate-limited) a problem the feed handled itself. */
  reportError(reason: string, error: unknown): void;
  readonly log: Logger;
}
