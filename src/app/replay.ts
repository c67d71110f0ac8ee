/**
 * `--mode replay`: plays a market-data recording (made with `arbiter run --record <file>`)
 * through the configured strategies and the execution actor, as fast as the graph handles it,
 * and reports the same summary as a live run.
 *
 * The graph is the one `sim`/`paper`/`live` compile to, minus the feeds: the recording stands in
 * for them, each frame published on its venue's feed port with the same topic routing. It runs
 * under the lockstep driver (src/runtime/graph/lockstep.ts): one thread, virtual time taken from the
 * recording, the graph settled after every frame. Execution fills orders with the local fill
 * model (as in paper), by the market rules and fee rates the recording carries (a recording
 * without them, version 1, fills on a fine grid at the fee table's rates), and settles perp
 * funding from the recorded funding feed. The same
 * recording and config therefore give the same orders, fills and PnL on every run.
 *
 * Each replay journals into a fresh directory under `<dataDir>/replay-*`, so replays never see
 * each other's orders (client order ids repeat from run to run by design).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordedRulesTopic, topicOf } from '../protocol/index.js';
import type { SystemStatus, VenueSummary } from '../ops/system-status.js';
import { arbiterError } from '../base/errors.js';
import { parseGraphConfig } from '../runtime/graph/graph-config.js';
import { LockstepGraph } from '../runtime/graph/lockstep.js';
import type { Logger } from '../base/log.js';
import { RecordingReader, type RecordedFrame, type RecordedMessage } from '../store/md-recording.js';
import { compileGraph, feedId } from './compile.js';
import type { AppConfig } from './config.js';
import { PROJECT_ROOT } from './paths.js';
import { buildSystemStatus } from './status-model.js';

/** Virtual time played past the last frame, so orders in flight at the end (fill latency) resolve. */
const TAIL_MS = 1_000;

export interface ReplayReport {
  file: string;
  /** The recording's header: when and from what it was recorded. */
  recordedAt: string;
  source: Record<string, unknown>;
  frames: number;
  rejected: number;
  rejections: string[];
  truncated: boolean;
  /** Frames of venues the config does not list (not played). */
  skippedByVenue: Record<string, number>;
  /** Recorded time covered, and how long the replay took. */
  spanS: number;
  wallS: number;
  framesPerSecond: number;
  journalDir: string;
}

export interface ReplayResult {
  status: SystemStatus;
  report: ReplayReport;
}

interface VenueTally {
  messages: number;
  staleEvents: number;
  state: string;
  reason: string;
}

/** Plays `config.replay.file` through the configured graph and returns its status and report. */
export async function runReplay(config: AppConfig, log: Logger): Promise<ReplayResult> {
  if (config.mode !== 'replay' || !config.replay) throw arbiterError('CONFIG_INVALID', 'runReplay needs mode replay and replay.file');
  const file = resolve(config.replay.file);
  const reader = new RecordingReader(file);
  try {
    const frames = reader.frames();
    const first = frames.next();
    if (first.done) throw arbiterError('CONFIG_INVALID', `replay.file: ${file} holds no valid market-data frame${rejectionsNote(reader)}`);
    const startedAtMs = Date.now();
    const journalDir = freshJournalDir(config.dataDir);
    const graph = parseGraphConfig(compileGraph(config, { dataDir: journalDir }), 'compiled config (replay)');
    const venues = Object.keys(config.venues);
    const lockstep = await LockstepGraph.start(graph, { baseDir: PROJECT_ROOT, sources: venues.map(feedId), startMs: first.value.recvWallMs });
    log.info({ file, journalDir, recordedAt: new Date(reader.header.createdAtMs).toISOString() }, 'replay started');
    try {
      const played = await playFrames(lockstep, first.value, frames, venues, config.replay.speed);
      const status = await buildSystemStatus(lockstep, 'replay', startedAtMs);
      status.venues = [...played.tallies].map(([id, tally]) => venueSummary(id, tally));
      // Virtual time stands still while the graph settles: there is no tick-to-order latency to report.
      status.latency = null;
      const report = replayReport(reader, file, journalDir, played, (Date.now() - startedAtMs) / 1000);
      if (report.rejected > 0 || report.truncated) log.warn({ rejected: report.rejected, rejections: report.rejections, truncated: report.truncated }, 'replay skipped bad frames');
      return { status, report };
    } finally {
      await lockstep.stop();
    }
  } finally {
    reader.close();
  }
}

interface Played {
  tallies: Map<string, VenueTally>;
  skippedByVenue: Record<string, number>;
  firstMs: number;
  lastMs: number;
}

/** Plays the frames in order: time first (due timers fire), then the frame, then the graph settles. */
async function playFrames(lockstep: LockstepGraph, first: RecordedFrame, rest: Iterator<RecordedFrame>, venues: string[], speed: number | undefined): Promise<Played> {
  const tallies = new Map(venues.map((venue) => [venue, { messages: 0, staleEvents: 0, state: 'down', reason: 'no data in the recording' } as VenueTally]));
  const skippedByVenue: Record<string, number> = {};
  const pace = pacer(speed, first.recvWallMs);
  let lastMs = first.recvWallMs;
  for (let next: IteratorResult<RecordedFrame> = { done: false, value: first }; !next.done; next = rest.next()) {
    const frame = next.value;
    const tally = tallies.get(frame.message.venue);
    if (!tally) {
      skippedByVenue[frame.message.venue] = (skippedByVenue[frame.message.venue] ?? 0) + 1;
      continue;
    }
    await pace(frame.recvWallMs);
    lastMs = Math.max(lastMs, frame.recvWallMs);
    await lockstep.advanceTo(lastMs);
    play(lockstep, frame.message, tally);
    await lockstep.settle();
  }
  await lockstep.advanceTo(lastMs + TAIL_MS);
  return { tallies, skippedByVenue, firstMs: first.recvWallMs, lastMs };
}

function replayReport(reader: RecordingReader, file: string, journalDir: string, played: Played, wallS: number): ReplayReport {
  const skipped = Object.values(played.skippedByVenue).reduce((a, b) => a + b, 0);
  return {
    file,
    recordedAt: new Date(reader.header.createdAtMs).toISOString(),
    source: reader.header.source,
    frames: reader.report.frames,
    rejected: reader.report.rejected,
    rejections: reader.report.rejections,
    truncated: reader.report.truncated,
    skippedByVenue: played.skippedByVenue,
    spanS: Math.round(played.lastMs - played.firstMs) / 1000,
    wallS,
    framesPerSecond: Math.round((reader.report.frames - skipped) / Math.max(wallS, 1e-3)),
    journalDir,
  };
}

/**
 * Publishes one recorded message as its venue's feed would, stamped with the virtual ingress time.
 * A recorded MarketRules goes out on the same port (`md.rules.<venue>.<symbol>`): execution's
 * paper venue takes it as the market's rules and fee rates, the strategies as what execution
 * would have published.
 */
function play(lockstep: LockstepGraph, message: RecordedMessage, tally: VenueTally): void {
  message.ts = lockstep.clock.monoNs();
  tally.messages++;
  if (message.type === 'MarketRules') {
    lockstep.publish(feedId(message.venue), 'md', message, recordedRulesTopic(message));
    return;
  }
  if (message.type === 'VenueStatus') {
    if (message.state === 'stale' && message.symbol !== '') tally.staleEvents++;
    if (message.symbol === '') {
      tally.state = message.state;
      tally.reason = message.reason;
    }
  } else if (tally.state === 'down') {
    tally.state = 'up';
    tally.reason = '';
  }
  lockstep.publish(feedId(message.venue), 'md', message, topicOf(message));
}

/** With a speed, waits so that recorded time passes `speed` times faster than wall time. */
function pacer(speed: number | undefined, firstMs: number): (frameMs: number) => Promise<void> {
  if (speed === undefined) return async () => {};
  const wallStart = Date.now();
  return async (frameMs) => {
    const aheadMs = (frameMs - firstMs) / speed - (Date.now() - wallStart);
    if (aheadMs > 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
  };
}

function venueSummary(id: string, tally: VenueTally): VenueSummary {
  return { id, state: tally.state, reason: tally.reason, dataAgeMs: null, messages: tally.messages, staleEvents: tally.staleEvents, reconnects: 0, symbols: [] };
}

function freshJournalDir(dataDir: string): string {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, 'replay-'));
}

function rejectionsNote(reader: RecordingReader): string {
  const { rejected, rejections, truncated } = reader.report;
  return `${rejected > 0 ? ` (${rejected} rejected: ${rejections.slice(0, 3).join('; ')})` : ''}${truncated ? ' (truncated)' : ''}`;
}
