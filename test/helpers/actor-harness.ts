/**
 * Runs one actor definition in the current thread on real rings, for tests and replay: push
 * messages into its inputs, wait until it has handled them, read what it wrote. The clock is
 * injectable and timers can be fired by hand, so time-driven logic is tested without waiting.
 *
 * @example
 * ```ts
 * const harness = await ActorHarness.start(strategy, { params, inputs: ['md', 'events'], outputs: ['intents'] });
 * harness.push('md', message('BookTop', {...}));
 * await harness.settle();
 * expect(harness.take('intents')).toEqual([...]);
 * await harness.stop();
 * ```
 */
import type { Message } from '../../src/protocol/index.js';
import type { AnyActorDefinition } from '../../src/runtime/actor/actor.js';
import { ActorHost, type StartOptions } from '../../src/runtime/actor/actor-host.js';
import type { ActorStatus } from '../../src/runtime/actor/actor-status.js';
import { RingSink, RingSource } from '../../src/runtime/transport/channel.js';
import { systemClock, type Clock } from '../../src/base/clock.js';
import { createCodec } from '../../src/runtime/transport/codec.js';
import { createDoorbell, Doorbell } from '../../src/runtime/transport/doorbell.js';
import { arbiterError } from '../../src/base/errors.js';
import { rootLogger } from '../../src/base/log.js';
import { createRing, RingProbe, RingWriter } from '../../src/runtime/transport/ring.js';
import { DEFAULT_WAIT_OPTIONS, SpinSlots } from '../../src/runtime/transport/wait-strategy.js';

export interface HarnessOptions {
  params?: unknown;
  inputs?: readonly string[];
  outputs?: readonly string[];
  clock?: Clock;
  capacityBytes?: number;
  start?: StartOptions;
  /** The actor id to report as the writer of each input (ctx.origin()); default: none. */
  origins?: Record<string, string>;
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(
    public nowWallMs = Date.UTC(2026, 0, 1),
    public nowMonoNs = 1e12,
  ) {}
  monoNs(): number {
    return this.nowMonoNs;
  }
  wallMs(): number {
    return this.nowWallMs;
  }
  advance(ms: number): void {
    this.nowWallMs += ms;
    this.nowMonoNs += ms * 1e6;
  }
}

export class ActorHarness {
  private readonly codec = createCodec();

  private constructor(
    readonly host: ActorHost<unknown, unknown>,
    private readonly inputs: Map<string, { writer: RingWriter; probe: RingProbe }>,
    private readonly outputs: Map<string, RingSource>,
    private readonly doorbell: Doorbell,
  ) {}

  static async start(definition: AnyActorDefinition, options: HarnessOptions = {}): Promise<ActorHarness> {
    const capacity = options.capacityBytes ?? 1 << 20;
    const doorbellBuffer = createDoorbell();
    const inputs = new Map<string, { writer: RingWriter; probe: RingProbe; ring: SharedArrayBuffer }>();
    for (const name of options.inputs ?? definition.inputs ?? []) {
      const ring = createRing(capacity);
      inputs.set(name, { writer: new RingWriter(ring), probe: new RingProbe(ring), ring });
    }
    const outputs = new Map<string, { ring: SharedArrayBuffer; source: RingSource }>();
    for (const name of options.outputs ?? definition.outputs ?? []) {
      const ring = createRing(capacity);
      outputs.set(name, { ring, source: new RingSource(ring) });
    }
    const raw = options.params ?? {};
    const params = definition.params ? definition.params(raw) : raw;
    const host = new ActorHost(
      'harness',
      definition,
      params,
      {
        doorbell: doorbellBuffer,
        spinSlots: SpinSlots.create(0),
        wait: { ...DEFAULT_WAIT_OPTIONS, strategy: 'park' },
        inputs: [...inputs].map(([name, { ring }]) => ({
          name,
          conflate: false,
          validation: 'full' as const,
          origins: options.origins?.[name] === undefined ? [] : [options.origins[name]!],
          attach: () => [new RingSource(ring)],
        })),
        outputs: [...outputs].map(([name, { ring }]) => ({
          name,
          policy: 'lossless' as const,
          attach: () => [{ target: `harness.${name}`, patterns: [], sink: new RingSink(ring, createDoorbell()) }],
        })),
      },
      rootLogger().child({ actorId: 'harness' }),
      options.clock ?? systemClock,
    );
    await host.start(options.start);
    return new ActorHarness(
      host,
      new Map([...inputs].map(([name, { writer, probe }]) => [name, { writer, probe }])),
      new Map([...outputs].map(([name, { source }]) => [name, source])),
      new Doorbell(doorbellBuffer),
    );
  }

  /** Writes a message into an input port (as its writer would). */
  push(port: string, message: Message): void {
    const input = this.inputs.get(port);
    if (!input) throw arbiterError('WIRING', `harness has no input ${port} (inputs: ${[...this.inputs.keys()].join(', ')})`);
    if (!input.writer.tryWrite(this.codec.encode(message), 0)) throw arbiterError('WIRING', `harness input ${port} is full`);
    this.doorbell.ring();
  }

  /** Resolves once every pushed message has been handled. */
  async settle(): Promise<void> {
    for (;;) {
      let waiting = 0;
      for (const { probe } of this.inputs.values()) waiting += probe.usedBytes();
      if (waiting === 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Decodes and removes everything the actor wrote on an output port so far. */
  take(port: string): Message[] {
    const source = this.outputs.get(port);
    if (!source) throw arbiterError('WIRING', `harness has no output ${port} (outputs: ${[...this.outputs.keys()].join(', ')})`);
    const messages: Message[] = [];
    source.poll((data, start, end) => messages.push(this.codec.decode(data, start, end)), 1 << 20);
    return messages;
  }

  fireTimer(name: string): void {
    this.host.fireTimer(name);
  }

  status(): ActorStatus {
    return this.host.status();
  }

  command(name: string, args?: unknown): Promise<unknown> {
    return this.host.command(name, args);
  }

  snapshot(): { version: string; snapshot: unknown } {
    return this.host.snapshot();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}
