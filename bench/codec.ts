/**
 * `codec`: pack + unpack of one message, per message, for a book tick and the two order
 * intents: our codec (frozen record structures, decoding from SharedArrayBuffer memory as a
 * ring reader does, with full and with type-only validation) against plain msgpackr maps,
 * JSON through UTF-8 bytes, and structuredClone (the copy postMessage makes).
 */
import { Packr } from 'msgpackr';
import type { Message } from '../src/protocol/index.js';
import { createCodec, type DecodeValidation } from '../src/runtime/transport/codec.js';
import { measureOps } from './lib/measure.js';
import { sampleMultiLeg, sampleSubmitOrder, sampleTick } from './lib/messages.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';

type RoundTrip = (message: Message) => unknown;

/** Our codec, the way a ring hop uses it: encode, copy into shared memory, decode from there. */
function arbiterCodec(validation: DecodeValidation): RoundTrip {
  const codec = createCodec({ validation });
  const shared = new Uint8Array(new SharedArrayBuffer(64 * 1024));
  return (message) => {
    const bytes = codec.encode(message);
    shared.set(bytes, 0);
    return codec.decode(shared, 0, bytes.length);
  };
}

function plainMsgpackr(): RoundTrip {
  const packr = new Packr({ useRecords: false });
  return (message) => packr.unpack(packr.pack(message));
}

function jsonBytes(): RoundTrip {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const scratch = new Uint8Array(64 * 1024);
  return (message) => {
    const { written } = encoder.encodeInto(JSON.stringify(message), scratch);
    return JSON.parse(decoder.decode(scratch.subarray(0, written)));
  };
}

const CODECS: readonly { name: string; make: () => RoundTrip }[] = [
  { name: 'arbiter codec (full validation)', make: () => arbiterCodec('full') },
  { name: 'arbiter codec (type check only)', make: () => arbiterCodec('type') },
  { name: 'msgpackr (plain maps)', make: plainMsgpackr },
  { name: 'JSON (utf-8 bytes)', make: jsonBytes },
  { name: 'structuredClone', make: () => (message) => structuredClone(message) },
];

const MESSAGES: readonly { name: string; make: () => Message }[] = [
  { name: 'BookTop', make: sampleTick },
  { name: 'SubmitOrder', make: sampleSubmitOrder },
  { name: 'SubmitMultiLeg', make: sampleMultiLeg },
];

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const warmupMs = scaled(options, 300, 30);
  const durationMs = scaled(options, 1_000, 60);
  const results: Measurement[] = [];
  for (const { name: messageName, make } of MESSAGES) {
    for (const codec of CODECS) {
      const message = make();
      const roundTrip = codec.make();
      let sink: unknown;
      // Vary a field so nothing can be cached across calls; keep the result alive.
      const op = (): void => {
        message.ts++;
        sink = roundTrip(message);
      };
      const result = measureOps(op, warmupMs, durationMs);
      if (sink === undefined) throw new Error(`${codec.name} produced nothing`);
      results.push({ variant: `${messageName} · ${codec.name}`, transport: 'in-thread', threads: 1, ...result });
      options.log(`codec: ${messageName} · ${codec.name} done`);
      // Let the event loop breathe between variants (GC of the previous codec's buffers).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return results;
}

export const codecSuite: BenchSuite = {
  name: 'codec',
  summary: 'pack+unpack per message: arbiter codec vs msgpackr, JSON, structuredClone',
  run,
};
