/**
 * The supervisor's waits (restart back-off, the reload grace period) run on injected timers.
 * These tests give it replay's VirtualTimers and waits of ten minutes, so the restart or the
 * reload can only finish when the test moves virtual time: the waits are asked for with the
 * right duration, nothing happens before they elapse, and the rest follows once they do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTimers } from '../../src/runtime/actor/timers.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { eventually } from '../helpers/workers.js';

const FIXTURES = 'test/fixtures/actors';
const TEN_MINUTES_MS = 600_000;
let supervisor: Supervisor | undefined;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
});

describe('supervisor on injected timers', () => {
  it('waits the back-off on its timers before restarting a crashed actor, and restarts when it elapses', async () => {
    const timers = new VirtualTimers(0);
    const count = 20;
    const sup = (supervisor = await Supervisor.start(
      parseGraphConfig({
        actors: [
          { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 1, intervalMs: 1 } },
          {
            id: 'crasher',
            module: `${FIXTURES}/probe-crasher.ts`,
            params: { seen: new SharedArrayBuffer(4 * (count + 1)), crashFlag: new SharedArrayBuffer(4), crashAtSeq: 5 },
            restart: { maxRestarts: 3, withinMs: 60_000, initialBackoffMs: TEN_MINUTES_MS, maxBackoffMs: TEN_MINUTES_MS },
          },
        ],
        channels: [{ from: 'producer.out', to: ['crasher.in'] }],
      }),
      { timers },
    ));
    await sup.events.waitFor('actor-crashed', (e) => e.actorId === 'crasher');
    // The back-off is a timer on the injected scheduler, due one initialBackoffMs from now.
    expect(await eventually(() => timers.nextDueMs(), 'the back-off timer')).toBe(TEN_MINUTES_MS);
    expect((await sup.actorStatus('crasher')).state).toBe('restarting');
    expect(sup.events.history.some((e) => e.type === 'actor-restarted')).toBe(false);

    expect(timers.fireNext(TEN_MINUTES_MS)).toBe(true);
    const restarted = await sup.events.waitFor('actor-restarted', (e) => e.actorId === 'crasher');
    expect(restarted).toMatchObject({ restarts: 1, delayMs: TEN_MINUTES_MS });
    expect((await sup.actorStatus('crasher')).state).toBe('running');
    expect(timers.nextDueMs()).toBeUndefined();
  });

  it('keeps a reload in its grace period until the grace timer fires, then completes it', async () => {
    const timers = new VirtualTimers(0);
    const sup = (supervisor = await Supervisor.start(
      parseGraphConfig({
        actors: [
          { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count: 1_000_000, burst: 5, intervalMs: 1 } },
          { id: 'counter', module: `${FIXTURES}/probe-counter.ts`, stopStage: 1, reloadable: true },
        ],
        channels: [{ from: 'producer.out', to: ['counter.in'] }],
      }),
      { timers },
    ));
    let settled = false;
    const reload = sup.reload('counter', { graceMs: TEN_MINUTES_MS }).finally(() => (settled = true));
    expect(await eventually(() => timers.nextDueMs(), 'the grace timer')).toBe(TEN_MINUTES_MS);
    expect(settled).toBe(false);
    expect((await sup.actorStatus('counter')).state).toBe('reloading');

    expect(timers.fireNext(TEN_MINUTES_MS)).toBe(true);
    expect(await reload).toMatchObject({ ok: true, actorId: 'counter', fromVersion: '1', toVersion: '1' });
    expect((await sup.actorStatus('counter')).state).toBe('running');
    expect(sup.events.history.filter((e) => e.type === 'reload-succeeded')).toHaveLength(1);
  });
});
