/**
 * ctx.messageBytes(): inside onMessage, a copy of the record as the writer encoded it (execution
 * journals commands this way); outside onMessage, nothing.
 */
import { describe, expect, it } from 'vitest';
import { message, type MessageOf } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import { createCodec } from '../../src/runtime/transport/codec.js';
import { ActorHarness } from '../helpers/actor-harness.js';

interface Seen {
  received: Uint8Array[];
  onTimer: (Uint8Array | undefined)[];
}

const seen: Seen = { received: [], onTimer: [] };

const keeper = defineActor<Seen>({
  kind: 'service',
  version: '1',
  inputs: ['in'],
  init: () => seen,
  onMessage: {
    Probe(state, _message, ctx) {
      state.received.push(ctx.messageBytes()!);
    },
  },
  onTimer(state, _name, ctx) {
    state.onTimer.push(ctx.messageBytes());
  },
});

const probe = (seq: number): MessageOf<'Probe'> => message('Probe', { ts: seq, seq, key: 'k', body: 'x'.repeat(200) });

describe('ctx.messageBytes()', () => {
  it('is a copy of the delivered record, intact after the ring reuses its bytes; undefined outside onMessage', async () => {
    // A small ring, so that later records overwrite the bytes the first one arrived in.
    const harness = await ActorHarness.start(keeper, { capacityBytes: 4096 });
    const codec = createCodec();
    const expected: number[][] = [];
    for (let seq = 1; seq <= 100; seq++) {
      expected.push([...codec.encode(probe(seq))]);
      harness.push('in', probe(seq));
      await harness.settle();
    }
    harness.fireTimer('any');
    expect(seen.received.map((bytes) => [...bytes])).toEqual(expected);
    expect(seen.received.every((bytes) => !(bytes.buffer instanceof SharedArrayBuffer))).toBe(true);
    expect(seen.onTimer).toEqual([undefined]);
    await harness.stop();
  });
});
