/**
 * Hot reload of one actor while the rest of the system keeps running.
 *
 *   old worker ──running──────────────┐pause   hand-over          (paused, kept for rollback)  terminate
 *   new worker      spawn ─ load ─────┼──────────────── start(restore) ─ running ─ grace ─┬─ supervised
 *                   (~250 ms, old     │◄──── switch-over pause ────►│                      │
 *                    still running)                                            crash here → roll back:
 *                                                                              resume old at the rings
 *
 * The new code runs in a fresh worker, never as a re-import in the old one (re-importing with
 * a cache-busting query leaks every old module copy). Both workers attach to the same rings,
 * but never at once: the new one attaches in start(), after the old one paused at a message
 * boundary, so no input is lost or handled twice, and outputs the old one could not deliver
 * yet are handed over and delivered first. If the new code fails to load, throws in
 * restore(), or dies within the grace period, the old worker resumes (re-attaching, since the
 * new one moved the cursors) with the state it had at the swap.
 *
 * The reload reaches the supervisor only through its ReloadPort (reload-port.ts).
 */
import type { Handover } from '../actor/actor-host.js';
import type { TimerHandle, TimerScheduler } from '../actor/timers.js';
import type { ActorWorker } from './actor-worker.js';
import { monoNowNs } from '../../base/clock.js';
import { describeError } from '../../base/errors.js';
import type { ReloadPort } from './reload-port.js';

export interface ReloadOptions {
  /** Load the new version from this module (default: the actor's current module, re-read from disk). */
  modulePath?: string;
  /** How long the new version must survive before the old worker is released. */
  graceMs?: number;
}

export type ReloadResult =
  | {
      ok: true;
      actorId: string;
      fromVersion: string;
      toVersion: string;
      /** Worker spawn + module load, while the old version kept running. */
      startupMs: number;
      /** From pausing the old worker to the new one handling its first message (or starting, if none came). */
      pauseUs: number;
    }
  | { ok: false; actorId: string; stage: 'refused' | 'load' | 'restore' | 'grace'; error: string };

const DEFAULT_RELOAD_GRACE_MS = 1_000;

export async function reloadActor(port: ReloadPort, actorId: string, options: ReloadOptions = {}): Promise<ReloadResult> {
  const target = port.target(actorId);
  const stats = port.stats(actorId);
  // Before anything is spawned: a module outside the reload directories is never imported.
  const checked = options.modulePath === undefined ? undefined : port.checkModule(options.modulePath);
  const refusal = refusalReason(port, actorId) ?? (checked?.ok === false ? checked.reason : undefined);
  if (refusal) {
    stats.refused++;
    port.events.emit({ type: 'reload-refused', actorId, reason: refusal });
    port.log.warn({ actorId, reason: refusal }, 'reload refused');
    return { ok: false, actorId, stage: 'refused', error: refusal };
  }
  const oldWorker = target.worker!;
  const fromVersion = oldWorker.info!.version;
  const spec = checked?.ok ? { ...target.spec, modulePath: checked.path } : target.spec;
  port.begin(actorId);

  const startupStart = Date.now();
  const newWorker = port.spawn(actorId, spec);
  const rollBack = async (stage: 'load' | 'restore' | 'grace', error: unknown, handedOver?: Handover): Promise<ReloadResult> => {
    await newWorker.terminate();
    if (stage !== 'load') {
      // A successor that failed before being resumed delivered nothing (its outputs were held),
      // so the hand-over goes back. Once resumed it flushed them first thing, so they must not
      // (if it died with some still undeliverable, those few are lost with it).
      const pending = stage === 'restore' ? handedOver?.pending : undefined;
      await oldWorker.call('resume', (c) => c.resume({ reattach: true, ...(pending ? { pending } : {}) }));
    }
    port.rollBack(actorId, oldWorker);
    stats.rolledBack++;
    const message = describeError(error);
    port.events.emit({ type: 'reload-rolled-back', actorId, stage, error: message });
    port.log.error({ actorId, stage, error: message }, 'reload failed, old version kept');
    return { ok: false, actorId, stage, error: message };
  };

  let toInfo: { version: string };
  try {
    const info = await newWorker.load();
    toInfo = info;
    if (info.kind !== oldWorker.info!.kind) throw new Error(`the new module is a ${info.kind}, the running one a ${oldWorker.info!.kind}`);
  } catch (error) {
    return rollBack('load', error);
  }
  const startupMs = Date.now() - startupStart;

  const pauseStartNs = monoNowNs();
  let handover: Handover;
  try {
    handover = await oldWorker.call('pause for hand-over', (c) => c.pauseForHandover(toInfo.version));
  } catch (error) {
    // The old worker died (its crash is the supervisor's to handle): nothing to roll back to.
    await newWorker.terminate();
    throw error;
  }
  try {
    // The old version may have handed its state over in the new one's shape (ActorDefinition.downgrades).
    const restore = handover.hasSnapshot ? { snapshot: handover.snapshot, fromVersion: handover.version } : undefined;
    // Started paused: until resumed it has read no input and delivered no output.
    await newWorker.call('start', (c) => c.start({ ...(restore ? { restore } : {}), pending: handover.pending, paused: true }));
  } catch (error) {
    return rollBack('restore', error, handover);
  }
  port.switchTo(actorId, newWorker);
  const resumed = newWorker.call('resume', (c) => c.resume());
  resumed.catch(() => {}); // a death during resume is seen by survivesGrace
  const crashed = await survivesGrace(newWorker, options.graceMs ?? DEFAULT_RELOAD_GRACE_MS, port.timers);
  if (crashed !== undefined) return rollBack('grace', crashed, handover);
  await resumed;
  const startedNs = monoNowNs();

  const firstMessageNs = (await newWorker.call('status', (c) => c.status())).firstMessageAtNs;
  const pauseUs = ((firstMessageNs ?? startedNs) - pauseStartNs) / 1e3;
  await oldWorker.terminate();
  port.complete(actorId, newWorker, spec);
  stats.succeeded++;
  stats.lastPauseUs = pauseUs;
  const toVersion = newWorker.info!.version;
  port.events.emit({ type: 'reload-succeeded', actorId, fromVersion, toVersion, pauseUs, startupMs });
  port.log.info({ actorId, fromVersion, toVersion, pauseUs: Math.round(pauseUs), startupMs }, 'reloaded');
  return { ok: true, actorId, fromVersion, toVersion, startupMs, pauseUs };
}

function refusalReason(port: ReloadPort, actorId: string): string | undefined {
  const target = port.target(actorId);
  if (!target.reloadable) return `actor ${actorId} is not reloadable (its graph entry does not set reloadable)`;
  if (target.worker?.info && !target.worker.info.allowsReload) return `actor ${actorId} is not reloadable (its module declares reloadable: false)`;
  if (target.state === 'reloading') return `actor ${actorId} is already being reloaded`;
  if (target.state !== 'running' || !target.worker?.info) return `actor ${actorId} is ${target.state}, not running`;
  if (!target.spec.wiring.restartable) return `actor ${actorId} has postMessage channels, which cannot move to a new worker`;
  return undefined;
}

/** Resolves undefined if the worker is still alive after `graceMs`, or the reason it died. */
async function survivesGrace(worker: ActorWorker, graceMs: number, timers: TimerScheduler): Promise<string | undefined> {
  let timer: TimerHandle | undefined;
  const elapsed = new Promise<undefined>((resolve) => {
    timer = timers.after(graceMs, () => resolve(undefined));
  });
  const died = worker.exited.then((exit) => exit.error ?? `new version exited with code ${exit.code}`);
  const outcome = await Promise.race([elapsed, died]);
  timers.cancel(timer!);
  return outcome;
}
