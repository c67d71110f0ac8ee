/** The responder's work on every message-based transport: decode the tick, encode it back. */
import { createCodec } from '../../src/runtime/transport/codec.js';

const codec = createCodec();

/** Returns a fresh copy: the codec's output view is reused by the next encode. */
export function echoTick(bytes: Uint8Array): Uint8Array {
  return codec.encode(codec.decode(bytes, 0, bytes.length)).slice();
}
