import { describe, expect, it } from 'vitest';
import { parseGraphConfig, waitOptionsFor } from '../../src/runtime/graph/graph-config.js';
import { DEFAULT_WAIT_OPTIONS } from '../../src/runtime/transport/wait-strategy.js';
import { stopStages } from '../../src/runtime/graph/stop-order.js';
import { Lifecycle, nextState } from '../../src/runtime/actor/lifecycle.js';
import { RestartTracker } from '../../src/runtime/supervision/restart-policy.js';
import { publicEnv } from '../../src/base/public-env.js';

describe('lifecycle table', () => {
  it('allows the documented transitions and names both ends of an illegal one', () => {
    expect(nextState('created', 'start')).toBe('starting');
    expect(nextState('running', 'pause')).toBe('paused');
    expect(nextState('paused', 'resume')).toBe('running');
    expect(nextState('stopped', 'start')).toBeUndefined();
    const lifecycle = new Lifecycle('a1');
    expect(() => lifecycle.apply('pause')).toThrow(/actor a1: cannot pause while created/);
  });
});

describe('restart tracker', () => {
  it('backs off exponentially and escalates past maxRestarts within the window', () => {
    const now = 0;
    const tracker = new RestartTracker({ maxRestarts: 3, withinMs: 10_000, initialBackoffMs: 100, maxBackoffMs: 250 }, () => now);
    expect(tracker.onCrash()).toEqual({ decision: 'restart', delayMs: 100, recentCrashes: 1 });
    expect(tracker.onCrash()).toEqual({ decision: 'restart', delayMs: 200, recentCrashes: 2 });
    expect(tracker.onCrash()).toEqual({ decision: 'restart', delayMs: 250, recentCrashes: 3 });
    expect(tracker.onCrash()).toEqual({ decision: 'escalate', recentCrashes: 4, withinMs: 10_000 });
  });

  it('forgets crashes older than the window', () => {
    let now = 0;
    const tracker = new RestartTracker({ maxRestarts: 1, withinMs: 1000, initialBackoffMs: 10, maxBackoffMs: 10 }, () => now);
    expect(tracker.onCrash().decision).toBe('restart');
    now = 1500;
    expect(tracker.onCrash().decision).toBe('restart');
  });
});

describe('graph config', () => {
  const actors = [
    { id: 'feed', module: 'f.ts' },
    { id: 'strat', module: 's.ts' },
  ];

  it('applies defaults', () => {
    const graph = parseGraphConfig({ actors, channels: [{ from: 'feed.md', to: ['strat.md'] }] });
    expect(graph.channels[0]).toMatchObject({ policy: 'lossless', capacityBytes: 1 << 20, transport: 'ring' });
    // Supervision settings default to: stop with everyone else, stay down alone, never reload.
    expect(graph.actors[0]).toMatchObject({ stopStage: 0, fatalOnEscalation: false, reloadable: false });
  });

  it('an actor owns I/O when its entry says so or it has credentials; wait settings layer defaults ← graph ← actor', () => {
    const graph = parseGraphConfig({
      actors: [
        { id: 'feed', module: 'f.ts', ownsIo: true, wait: { spinMaxUs: 20 } },
        { id: 'exec', module: 'e.ts', credentials: true },
        { id: 'strat', module: 's.ts' },
      ],
      defaults: { wait: { strategy: 'park', blockingParkMs: 2 } },
    });
    const [feed, exec, strat] = graph.actors.map((actor) => waitOptionsFor(graph, actor));
    expect(feed).toMatchObject({ ownsIo: true, strategy: 'park', spinMaxUs: 20, blockingParkMs: 2 });
    expect(exec).toMatchObject({ ownsIo: true, spinMaxUs: DEFAULT_WAIT_OPTIONS.spinMaxUs });
    expect(strat).toMatchObject({ ownsIo: false, strategy: 'park' });
  });

  it.each([
    [{ actors, channels: [{ from: 'feed.md', to: ['strat.md'], policy: 'fast' }] }, /channels\[0\]\.policy: .*got "fast"/],
    [{ actors, channels: [{ from: 'feed.md', to: ['strat.md'], capacityBytes: 3000 }] }, /channels\[0\]\.capacityBytes: expected a power of two, got 3000/],
    [{ actors, channels: [{ from: 'feedmd', to: ['strat.md'] }] }, /channels\[0\]\.from: expected "<actorId>\.<port>", got "feedmd"/],
    [{ actors, channels: [{ from: 'ghost.md', to: ['strat.md'] }] }, /channels\[0\]\.from: no actor "ghost"/],
    [{ actors: [...actors, { id: 'feed', module: 'x.ts' }] }, /actors\[2\]\.id: duplicate actor id, got "feed"/],
    [{ actors: [{ id: 'a b', module: 'x.ts' }] }, /actors\[0\]\.id: expected letters, digits, _ or -, got "a b"/],
    [{ actors, unknownKey: 1 }, /unknownKey/],
    [{ actors: [{ id: 'a', module: 'x.ts', stopStage: -1 }] }, /actors\[0\]\.stopStage: .*got -1/],
    [{ actors: [{ id: 'a', module: 'x.ts', stopStage: 1.5 }] }, /actors\[0\]\.stopStage: .*got 1\.5/],
    [{ actors: [{ id: 'a', module: 'x.ts', reloadable: 'yes' }] }, /actors\[0\]\.reloadable: .*got "yes"/],
    [{ actors: [{ id: 'a', module: 'x.ts', fatalOnEscalation: 1 }] }, /actors\[0\]\.fatalOnEscalation: .*got 1/],
    [{ actors: [{ id: 'a', module: 'x.ts', ownsIo: 'yes' }] }, /actors\[0\]\.ownsIo: .*got "yes"/],
    [{ actors: [{ id: 'x', module: 'x.ts', credentials: true, ownsIo: false }] }, /actors\[0\]\.ownsIo: actor x has credentials, so it places orders itself and owns I\/O, got false/],
    [{ actors: [{ id: 'a', module: 'x.ts', wait: { blockingParkMs: 0 } }] }, /actors\[0\]\.wait\.blockingParkMs: .*got 0/],
    [{ actors: [{ id: 'a', module: 'x.ts', wait: { ownsIo: true } }] }, /ownsIo/],
    [
      { actors, channels: [{ from: 'feed.md', to: ['strat.md'], policy: 'conflate' }, { from: 'strat.x', to: ['strat.md'] }] },
      /channels\[1\]\.policy: input strat\.md already receives conflate channels/,
    ],
  ])('rejects %j naming the field and value', (input, pattern) => {
    expect(() => parseGraphConfig(input, 'test graph')).toThrow(pattern);
  });
});

describe('stop order', () => {
  it('groups by stop stage, lowest first, keeping graph order within a stage', () => {
    const actors = [
      { id: 'exec', stopStage: 2 },
      { id: 'feed-a', stopStage: 0 },
      { id: 'strat', stopStage: 1 },
      { id: 'feed-b', stopStage: 0 },
      { id: 'recorder', stopStage: 1 },
    ];
    expect(stopStages(actors, (a) => a.stopStage).map((stage) => stage.map((a) => a.id))).toEqual([['feed-a', 'feed-b'], ['strat', 'recorder'], ['exec']]);
    expect(stopStages([], () => 0)).toEqual([]);
  });
});

describe('worker environment', () => {
  it('strips secret-looking variables and keeps the rest', () => {
    const env = publicEnv({ PATH: '/bin', BINANCE_API_KEY: 'k', OKX_SECRET: 's', OKX_PASSPHRASE: 'p', ARBITER_OPS_TOKEN: 't', HOME: '/root' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/root' });
  });
});
