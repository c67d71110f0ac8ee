import { afterEach, describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { createCodec } from '../../src/runtime/transport/codec.js';
import { Doorbell } from '../../src/runtime/transport/doorbell.js';
import { parseGraphConfig, type GraphConfigInput } from '../../src/runtime/graph/graph-config.js';
import { RingWriter } from '../../src/runtime/transport/ring.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { eventually } from '../helpers/workers.js';

const FIXTURES = 'test/fixtures/actors';
let supervisor: Supervisor | undefined;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
});

async function start(graph: GraphConfigInput): Promise<Supervisor> {
  supervisor = await Supervisor.start(parseGraphConfig(graph));
  return supervisor;
}

async function custom<T>(actorId: string): Promise<T | undefined> {
  return (await supervisor!.actorStatus(actorId)).actor?.custom as T | undefined;
}

interface CounterStatus {
  count: number;
  lastSeq: number;
  gaps: number;
  repeats: number;
  badBodies: number;
}

describe('supervisor with real workers', () => {
  it('fans one producer out to three readers; each sees every record in order; status answers over comlink', async () => {
    const count = 30_000;
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 500 } },
        { id: 'c1', module: `${FIXTURES}/probe-counter.ts` },
        { id: 'c2', module: `${FIXTURES}/probe-counter.ts` },
        { id: 'c3', module: `${FIXTURES}/probe-counter.ts` },
      ],
      channels: [{ from: 'producer.out', to: ['c1.in', 'c2.in', 'c3.in'], capacityBytes: 8192 }],
    });
    for (const id of ['c1', 'c2', 'c3']) {
      const status = await eventually(async () => {
        const s = await custom<CounterStatus>(id);
        return s && s.count >= count ? s : undefined;
      }, `${id} to count ${count}`);
      expect(status).toEqual({ count, lastSeq: count, gaps: 0, repeats: 0, badBodies: 0, throwEvery: 0 });
    }
    const producer = await sup.actorStatus('producer');
    expect(producer.state).toBe('running');
    expect(producer.actor?.messagesOut).toBe(count);
    expect((await sup.actorStatus('c2')).actor?.messagesIn).toBe(count);
  });

  it('conflate: a slow reader sees the latest value per key, never an older one, instead of the backlog', async () => {
    const count = 20_000;
    const keys = 8;
    await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 1000, keys } },
        { id: 'slow', module: `${FIXTURES}/probe-latest.ts`, params: { delayUs: 50 } },
      ],
      channels: [{ from: 'producer.out', to: ['slow.in'], policy: 'conflate', capacityBytes: 4096 }],
    });
    const finalSeqs = Array.from({ length: keys }, (_, k) => count - ((count - 1 - k) % keys));
    const status = await eventually(async () => {
      const s = await custom<{ count: number; regressions: number; lastByKey: Record<string, number> }>('slow');
      return s && finalSeqs.every((seq, k) => s.lastByKey[`probe.${k + 1}`] === seq) ? s : undefined;
    }, 'the slow reader to see the final value of every key');
    expect(status.regressions).toBe(0);
    // 50 µs per message would take a full second for all 20k; conflation skipped most of them.
    expect(status.count).toBeLessThan(count / 2);
  });

  it('pause holds messages in the ring at a message boundary; resume delivers every one of them', async () => {
    const count = 20_000;
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 100, intervalMs: 1 } },
        { id: 'counter', module: `${FIXTURES}/probe-counter.ts` },
      ],
      channels: [{ from: 'producer.out', to: ['counter.in'], capacityBytes: 1 << 20 }],
    });
    const counter = sup.worker('counter');
    await eventually(async () => ((await custom<CounterStatus>('counter'))?.count ?? 0) > 0 || undefined, 'first messages');
    await counter.call('pause', (c) => c.pause());
    const paused = await sup.actorStatus('counter');
    expect(paused.actor?.state).toBe('paused');
    const countAtPause = (paused.actor?.custom as unknown as CounterStatus).count;
    expect(countAtPause).toBeLessThan(count);
    // The producer keeps writing; records accumulate in the ring while the reader is paused.
    await eventually(() => (sup.inputBacklogBytes('counter') > 10_000 ? true : undefined), 'a backlog to build up');
    expect(((await custom<CounterStatus>('counter'))!).count).toBe(countAtPause);
    await counter.call('resume', (c) => c.resume());
    const done = await eventually(async () => {
      const s = await custom<CounterStatus>('counter');
      return s && s.count >= count ? s : undefined;
    }, 'every message after resume');
    expect(done).toMatchObject({ count, lastSeq: count, gaps: 0, repeats: 0 });
    const snapshot = await counter.call('snapshot', (c) => c.snapshot());
    expect(snapshot).toMatchObject({ version: '1', snapshot: { count, lastSeq: count } });
    // Actor-specific commands travel over the same control plane; unknown ones are refused by name.
    expect(await sup.command('counter', 'reset', { to: 5 })).toEqual({ previous: count });
    expect(((await custom<CounterStatus>('counter'))!).count).toBe(5);
    await expect(sup.command('counter', 'explode')).rejects.toThrow(/has no command "explode" \(known: reset\)/);
  });

  it('counts hook errors and keeps going: every message is still handled', async () => {
    const count = 5_000;
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 500 } },
        { id: 'counter', module: `${FIXTURES}/probe-counter.ts`, params: { throwEvery: 10 } },
      ],
      channels: [{ from: 'producer.out', to: ['counter.in'] }],
    });
    await eventually(async () => ((await custom<CounterStatus>('counter'))?.count === count ? true : undefined), 'all messages');
    const status = await sup.actorStatus('counter');
    expect(status.actor?.errors).toBe(count / 10);
    expect(status.actor?.errorsByReason).toEqual({ 'onMessage.Probe': count / 10 });
    expect(status.restarts).toBe(0);
  });

  it('rejects a malformed record with a counted decode error and handles the records after it', async () => {
    const sup = await start({
      actors: [
        { id: 'silent', module: `${FIXTURES}/probe-producer.ts`, params: { count: 0 } },
        { id: 'counter', module: `${FIXTURES}/probe-counter.ts` },
      ],
      channels: [{ from: 'silent.out', to: ['counter.in'] }],
    });
    // The silent producer never writes, so this test is the ring's only writer.
    const edge = sup.wiring.rings[0]!;
    const writer = new RingWriter(edge.ring);
    const doorbell = new Doorbell(sup.wiring.actors.get('counter')!.doorbell);
    const codec = createCodec();
    const probe = (seq: number) => codec.encode(message('Probe', { ts: 0, seq, key: '', body: 'x'.repeat(seq % 65) }));
    expect(writer.tryWrite(probe(1), 0)).toBe(true);
    expect(writer.tryWrite(new Uint8Array([0xc1, 0xc1, 0xc1]), 0)).toBe(true);
    expect(writer.tryWrite(codec.encode({ type: 'Probe', ts: 0, seq: 'two' } as never), 0)).toBe(true);
    expect(writer.tryWrite(probe(2), 0)).toBe(true);
    doorbell.ring();
    const status = await eventually(async () => {
      const s = await sup.actorStatus('counter');
      return (s.actor?.custom as CounterStatus | undefined)?.count === 2 ? s : undefined;
    }, 'both valid records');
    expect(status.actor?.custom).toMatchObject({ count: 2, lastSeq: 2, gaps: 0 });
    expect(status.actor?.errorsByReason).toEqual({ 'decode.in': 2 });
    expect(status.actor?.errors).toBe(2);
    expect(status.actor?.inputs[0]).toMatchObject({ name: 'in', messagesIn: 2, decodeErrors: 2 });
    expect(status.state).toBe('running');
  });

  it('restarts a crashed actor, which resumes from its ring cursor: nothing lost, at most the in-flight message repeated', async () => {
    const count = 20_000;
    const seen = new SharedArrayBuffer(4 * (count + 1));
    const crashFlag = new SharedArrayBuffer(4);
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst: 200 } },
        { id: 'crasher', module: `${FIXTURES}/probe-crasher.ts`, params: { seen, crashFlag, crashAtSeq: 7_777 } },
      ],
      channels: [{ from: 'producer.out', to: ['crasher.in'], capacityBytes: 4096 }],
    });
    const restarted = await sup.events.waitFor('actor-restarted', (e) => e.actorId === 'crasher');
    expect(restarted.restarts).toBe(1);
    const counts = new Int32Array(seen);
    await eventually(() => (Atomics.load(counts, count) > 0 ? true : undefined), 'the last message');
    const missing = [];
    const repeated = [];
    for (let seq = 1; seq <= count; seq++) {
      const n = Atomics.load(counts, seq);
      if (n === 0) missing.push(seq);
      if (n > 1) repeated.push(seq);
    }
    expect(missing).toEqual([]);
    expect(repeated).toEqual([7_777]);
    const crash = sup.events.history.find((e) => e.type === 'actor-crashed');
    expect(crash).toMatchObject({ actorId: 'crasher', exitCode: 7 });
  });

  it('stops an actor that crashes in a loop once the restart intensity is exceeded, with a clear report', async () => {
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count: 0 } },
        { id: 'looper', module: `${FIXTURES}/crash-on-start.ts`, restart: { maxRestarts: 2, withinMs: 60_000, initialBackoffMs: 10 } },
      ],
      channels: [{ from: 'producer.out', to: ['looper.in'] }],
    });
    const failed = await sup.events.waitFor('actor-failed', (e) => e.actorId === 'looper');
    expect(failed.reason).toMatch(/3 crashes within 60000 ms exceeds the restart limit; last error: .*crash-on-start fixture/);
    // Three crashes: the first incarnation's and two restarts'. A restart whose worker dies before
    // its start is answered is a crash without an actor-restarted event, so count the crashes.
    expect(sup.events.history.filter((e) => e.type === 'actor-crashed' && e.actorId === 'looper')).toHaveLength(3);
    expect(sup.events.history.filter((e) => e.type === 'actor-restarted' && e.actorId === 'looper').length).toBeLessThanOrEqual(2);
    const status = await sup.actorStatus('looper');
    expect(status.state).toBe('failed');
    expect((await sup.actorStatus('producer')).state).toBe('running');
  });

  it('stops the whole system when an actor marked fatalOnEscalation exceeds its restart limit', async () => {
    const sup = await start({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count: 0 } },
        { id: 'vital', module: `${FIXTURES}/crash-on-start.ts`, fatalOnEscalation: true, restart: { maxRestarts: 1, withinMs: 60_000, initialBackoffMs: 0 } },
      ],
      channels: [{ from: 'producer.out', to: ['vital.in'] }],
    });
    const fatal = await sup.events.waitFor('system-fatal');
    expect(fatal).toMatchObject({ actorId: 'vital', reason: expect.stringMatching(/^actor vital failed, and the system cannot run without it: 2 crashes within 60000 ms/) });
    await sup.events.waitFor('system-stopped');
    expect((await sup.actorStatus('producer')).state).toBe('stopped');
  });

  it('refuses credentials to a module that does not declare it takes them', async () => {
    await expect(start({ actors: [{ id: 'counter', module: `${FIXTURES}/probe-counter.ts`, credentials: true }] })).rejects.toThrow(
      /WIRING: actor counter: the graph gives it credentials, but .*probe-counter\.ts does not declare credentials: true/,
    );
  });

  it('tells a hook which actor wrote the message it is handling (from the wiring, not the message)', async () => {
    const sup = await start({
      actors: [
        { id: 'alice', module: `${FIXTURES}/probe-producer.ts`, params: { count: 300, burst: 100 } },
        { id: 'bob', module: `${FIXTURES}/probe-producer.ts`, params: { count: 700, burst: 100 } },
        { id: 'counter', module: `${FIXTURES}/origin-counter.ts` },
      ],
      channels: [
        { from: 'alice.out', to: ['counter.in'] },
        { from: 'bob.out', to: ['counter.in'] },
      ],
    });
    const counts = await eventually(async () => {
      const c = (await sup.actorStatus('counter')).actor?.custom as Record<string, number> | undefined;
      return c && (c.alice ?? 0) + (c.bob ?? 0) === 1000 ? c : undefined;
    }, 'all 1000 messages');
    expect(counts).toEqual({ alice: 300, bob: 700 });
  });

  it('treats a declared output that nothing reads as a sink: sends succeed and go nowhere', async () => {
    const sup = await start({ actors: [{ id: 'lonely', module: `${FIXTURES}/probe-producer.ts`, params: { count: 500, burst: 500 } }] });
    const status = await eventually(async () => {
      const s = await sup.actorStatus('lonely');
      return (s.actor?.custom as { sent?: number } | undefined)?.sent === 500 ? s : undefined;
    }, 'all sends');
    expect(status.actor).toMatchObject({ errors: 0, state: 'running' });
  });

  it('refuses to start a graph whose module is not an actor, naming the actor and path', async () => {
    await expect(
      start({
        actors: [
          { id: 'producer', module: `${FIXTURES}/probe-producer.ts` },
          { id: 'bogus', module: `${FIXTURES}/not-an-actor.ts` },
        ],
        channels: [{ from: 'producer.out', to: ['bogus.in'] }],
      }),
    ).rejects.toThrow(/ACTOR_MODULE: actor bogus: .*not-an-actor\.ts must default-export defineActor/);
  });

  it('refuses wiring to a port the module does not declare', async () => {
    await expect(
      start({
        actors: [
          { id: 'producer', module: `${FIXTURES}/probe-producer.ts` },
          { id: 'counter', module: `${FIXTURES}/probe-counter.ts` },
        ],
        channels: [{ from: 'producer.out', to: ['counter.wrong'] }],
      }),
    ).rejects.toThrow(/WIRING: actor counter: input port\(s\) wrong are wired but the module declares in/);
  });
});
