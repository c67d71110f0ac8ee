/**
 * The message codec: msgpackr with record structures derived from the protocol schemas.
 *
 * Every thread builds the same structure list from `MESSAGE_SCHEMAS` and `STRUCT_SCHEMAS`
 * (keys in declaration order, `type` and `ts` first), and the list is frozen: msgpackr is
 * told to share no new structure (`shouldShareStructure: () => false`) and to define none
 * inline (`maxOwnStructures: 0`), so an object of unknown shape is written as a plain map
 * instead of extending the list. Structures that grow at run time drift between threads and
 * make one thread's records undecodable in another; frozen ones cannot.
 *
 * Encoding takes a fast path for messages in schema order (record-encoder.ts: the same
 * record format, written without msgpackr's per-key structure search); anything else goes
 * through msgpackr. Decoding is always msgpackr's.
 *
 * msgpackr's native string extractor is ~26× slower on SharedArrayBuffer memory; the process
 * entry points set MSGPACKR_NATIVE_ACCELERATION_DISABLED before msgpackr loads (bin/arbiter.js,
 * the worker bootstrap, vitest.config.ts). Decoded values must not keep views into the ring:
 * messages carry no binary fields, so every decoded value is a copy.
 */
import { Packr } from 'msgpackr';
import {
  blankMessage,
  HEADER_KEYS,
  MESSAGE_SCHEMAS,
  MESSAGE_TYPES,
  STRUCT_SCHEMAS,
  isMessageType,
  validateMessage,
  type Message,
} from '../../protocol/index.js';
import { arbiterError } from '../../base/errors.js';
import { RecordEncoder } from './record-encoder.js';

/** The structure list, in a fixed order: every message type, then every nested struct. */
export const RECORD_STRUCTURES: readonly (readonly string[])[] = Object.freeze([
  ...Object.values(MESSAGE_SCHEMAS).map((fields) => Object.freeze([...HEADER_KEYS, ...Object.keys(fields)])),
  ...Object.values(STRUCT_SCHEMAS).map((fields) => Object.freeze(Object.keys(fields))),
]);

export type DecodeValidation = 'full' | 'type';

export interface Codec {
  /** Encodes a message. The returned view is valid until the next `encode` call: copy it out. */
  encode(message: Message): Uint8Array;
  /** Decodes `bytes[start, end)`. Throws DECODE_FAILED or INVALID_MESSAGE with the reason. */
  decode(bytes: Uint8Array, start: number, end: number): Message;
}

/** msgpackr with the frozen structures: what the codec decodes with (and the encoder's reference). */
export function createRecordPackr(): Packr {
  return new Packr({
    // msgpackr mutates its structure arrays (transition metadata), so give it copies.
    structures: RECORD_STRUCTURES.map((keys) => [...keys]),
    maxSharedStructures: RECORD_STRUCTURES.length,
    shouldShareStructure: () => false,
    maxOwnStructures: 0,
    useRecords: true,
    moreTypes: false,
    mapsAsObjects: true,
  });
}

/**
 * Runs every message type through encode and decode once. A fresh worker otherwise compiles
 * the codec's paths on its first real message: ~1 ms measured on the first message after a hot
 * reload, which is on the switch-over clock. The host warms its codecs while it loads.
 */
export function warmUp(codec: Codec): void {
  for (const type of MESSAGE_TYPES) {
    const bytes = codec.encode(blankMessage(type) as Message);
    codec.decode(bytes, 0, bytes.length);
  }
}

export function createCodec(options: { validation?: DecodeValidation } = {}): Codec {
  const validation = options.validation ?? 'full';
  const packr = createRecordPackr();
  // One reusable range object: unpack(source, { start, end }) reads it and keeps no reference.
  const range = { start: 0, end: 0 };
  // Schema-ordered messages skip msgpackr's encoder (same bytes format, ~35% less time).
  const records = new RecordEncoder(RECORD_STRUCTURES, MESSAGE_TYPES);

  return {
    encode(message) {
      return records.encode(message) ?? packr.pack(message);
    },
    decode(bytes, start, end) {
      range.start = start;
      range.end = end;
      let value: unknown;
      try {
        value = packr.unpack(bytes, range);
      } catch (error) {
        throw arbiterError('DECODE_FAILED', `malformed record of ${end - start} bytes`, { cause: error });
      }
      const problem =
        validation === 'full'
          ? validateMessage(value)
          : isMessageType((value as { type?: unknown } | null)?.type)
            ? null
            : 'unknown message type';
      if (problem !== null) throw arbiterError('INVALID_MESSAGE', problem);
      return value as Message;
    },
  };
}
