/**
 * Records every market-data message it receives to a recording file (src/store/md-recording.ts)
 * for `--mode replay`. It reads the feeds' md channels like any strategy (conflate policy), so a
 * recorder that falls behind records the latest value per topic rather than slowing the feeds.
 * It also reads execution's broadcasts and records each market's `MarketRules`, so the replay
 * trades by the same steps, minimums and fee rates.
 *
 * Writes are buffered and flushed every `flushIntervalMs` and at stop. After a crash the
 * restarted recorder appends to the same file (a partial last frame is cut off first).
 *
 * Config: added by `arbiter run --record <file>`; params `{ "file": "…", "source": { … } }`.
 */
import { MARKET_DATA_TYPES, type MessageType } from '../../src/protocol/index.js';
import { defineActor, type ActorContext, type MessageHandlers } from '../../src/runtime/actor/actor.js';
import { RecordingWriter, type RecordedMessage } from '../../src/store/md-recording.js';

interface Params {
  file: string;
  source: Record<string, unknown>;
  flushIntervalMs: number;
}

interface State {
  writer: RecordingWriter;
}

function parseParams(raw: unknown): Params {
  const p = (raw ?? {}) as Partial<Params>;
  if (typeof p.file !== 'string' || p.file === '') throw new Error(`params.file: expected the recording's path, got ${JSON.stringify(p.file)}`);
  const flushIntervalMs = p.flushIntervalMs ?? 200;
  if (!(typeof flushIntervalMs === 'number' && flushIntervalMs > 0)) throw new Error(`params.flushIntervalMs: expected a positive number, got ${JSON.stringify(p.flushIntervalMs)}`);
  return { file: p.file, source: p.source ?? {}, flushIntervalMs };
}

const record = (state: State, message: RecordedMessage, ctx: ActorContext<Params>): void => state.writer.append(message, ctx.clock.wallMs());

const handlers: MessageHandlers<State, Params> = {};
for (const type of [...MARKET_DATA_TYPES, 'MarketRules'] as const) (handlers as Record<MessageType, unknown>)[type] = record;

export default defineActor<State, Params>({
  kind: 'service',
  version: '1',
  /** `events`: execution's broadcasts (only MarketRules is recorded). */
  inputs: ['md', 'events'],
  params: parseParams,
  init: (ctx) => ({ writer: new RecordingWriter(ctx.params.file, ctx.params.source, { resume: true }) }),
  onStart: (_state, ctx) => ctx.setTimer('flush', ctx.params.flushIntervalMs),
  onMessage: handlers,
  onTimer: (state) => state.writer.flush(),
  onStop: (state) => state.writer.close(),
  status: (state) => ({ file: state.writer.path, frames: state.writer.frames, bytes: state.writer.bytes }),
});
