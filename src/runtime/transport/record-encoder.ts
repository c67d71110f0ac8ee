/**
 * A fast path for the codec's encoder: writes a schema-ordered message straight into
 * msgpackr's record format, which msgpackr's own decoder reads back unchanged.
 *
 *   record = │ 0x40 + structure index │ value of key 0 │ value of key 1 │ … │
 *
 * (so in this format the bytes 0x40-0x7f always name a record, never a small integer).
 *
 * msgpackr finds a message's record by walking its keys through a transition tree of
 * dictionaries (two `for…in` passes and a string-keyed lookup per key), ~400 ns for a
 * BookTop here. The protocol already fixes every message's keys, so this encoder only
 * checks that the object's own keys are the schema's, in order, and writes the values.
 *
 * Anything it does not handle exactly as msgpackr would — an unknown type, keys out of
 * schema order or extra, `undefined`, an object that is not a known struct, a non-plain
 * value — returns undefined and the caller falls back to msgpackr, so the bytes on the ring
 * always decode to what msgpackr's own encoding would have decoded to.
 */

/** Record id of the first shared structure (msgpackr's one-byte record ids start here). */
const FIRST_RECORD_ID = 0x40;
/** Enough for any message that is not a bulk list; larger ones grow the buffer once. */
const INITIAL_BYTES = 16 * 1024;

interface RecordShape {
  readonly id: number;
  readonly keys: readonly string[];
}

export class RecordEncoder {
  private bytes = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.bytes.buffer);
  private position = 0;
  private readonly byType = new Map<string, RecordShape>();
  /** Nested structs (list elements), tried in order by their key sequence. */
  private readonly structs: RecordShape[] = [];
  private readonly utf8 = new TextEncoder();

  /**
   * `structures` is the codec's structure list: one per message type, in `messageTypes`
   * order, then the nested structs.
   */
  constructor(structures: readonly (readonly string[])[], messageTypes: readonly string[]) {
    structures.forEach((keys, index) => {
      const shape = { id: FIRST_RECORD_ID + index, keys };
      if (index < messageTypes.length) this.byType.set(messageTypes[index]!, shape);
      else this.structs.push(shape);
    });
  }

  /** The message's bytes (valid until the next call), or undefined to fall back to msgpackr. */
  encode(message: { readonly type: string }): Uint8Array | undefined {
    const shape = this.byType.get(message.type);
    if (!shape || Object.getPrototypeOf(message) !== Object.prototype) return undefined;
    this.position = 0;
    return this.writeRecord(message as unknown as Record<string, unknown>, shape) ? this.bytes.subarray(0, this.position) : undefined;
  }

  /**
   * Checks the keys and writes the values in one `for…in`: V8 reads `object[key]` there
   * through the enum cache, while `object[keys[i]]` with a computed name is a dictionary
   * lookup per field (~20 ns each, half the cost of a BookTop).
   */
  private writeRecord(object: Record<string, unknown>, shape: RecordShape): boolean {
    const keys = shape.keys;
    this.reserve(1);
    this.bytes[this.position++] = shape.id;
    let i = 0;
    for (const key in object) {
      if (key !== keys[i++] || !this.writeValue(object[key])) return false;
    }
    return i === keys.length;
  }

  private writeValue(value: unknown): boolean {
    switch (typeof value) {
      case 'number':
        this.writeNumber(value);
        return true;
      case 'string':
        this.writeString(value);
        return true;
      case 'boolean':
        this.reserve(1);
        this.bytes[this.position++] = value ? 0xc3 : 0xc2;
        return true;
      case 'object':
        if (value === null) {
          this.reserve(1);
          this.bytes[this.position++] = 0xc0;
          return true;
        }
        return Array.isArray(value) ? this.writeArray(value) : this.writeStruct(value as Record<string, unknown>);
      default:
        return false;
    }
  }

  private writeNumber(value: number): void {
    this.reserve(9);
    const bytes = this.bytes;
    // Positive fixints stop at 0x3f: in record mode 0x40-0x7f are record ids, not numbers.
    if (Number.isInteger(value) && value >= -32 && value < 0x40) {
      bytes[this.position++] = value & 0xff;
    } else if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
      bytes[this.position] = 0xd2;
      this.view.setInt32(this.position + 1, value);
      this.position += 5;
    } else {
      bytes[this.position] = 0xcb;
      this.view.setFloat64(this.position + 1, value);
      this.position += 9;
    }
  }

  private writeString(value: string): void {
    const length = value.length;
    // ASCII fast path: one byte per char, header known up front.
    if (length < 32) {
      this.reserve(1 + length);
      const start = this.position;
      const bytes = this.bytes;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        bytes[start + 1 + i] = code;
      }
      if (i === length) {
        bytes[start] = 0xa0 | length;
        this.position = start + 1 + length;
        return;
      }
    }
    this.writeUtf8(value);
  }

  /** Any string: str8/16/32 header sized for the worst case, then moved down if shorter. */
  private writeUtf8(value: string): void {
    const maxBytes = value.length * 3;
    this.reserve(5 + maxBytes);
    const header = maxBytes < 0x100 ? 2 : maxBytes < 0x10000 ? 3 : 5;
    const { written } = this.utf8.encodeInto(value, this.bytes.subarray(this.position + header, this.position + header + maxBytes));
    const bytes = this.bytes;
    let at = this.position;
    if (written < 32) {
      bytes.copyWithin(at + 1, at + header, at + header + written);
      bytes[at++] = 0xa0 | written;
    } else if (header === 2) {
      bytes[at++] = 0xd9;
      bytes[at++] = written;
    } else if (header === 3) {
      bytes[at++] = 0xda;
      this.view.setUint16(at, written);
      at += 2;
    } else {
      bytes[at++] = 0xdb;
      this.view.setUint32(at, written);
      at += 4;
    }
    this.position = at + written;
  }

  private writeArray(values: readonly unknown[]): boolean {
    const length = values.length;
    this.reserve(5);
    if (length < 16) {
      this.bytes[this.position++] = 0x90 | length;
    } else if (length < 0x10000) {
      this.bytes[this.position] = 0xdc;
      this.view.setUint16(this.position + 1, length);
      this.position += 3;
    } else {
      this.bytes[this.position] = 0xdd;
      this.view.setUint32(this.position + 1, length);
      this.position += 5;
    }
    for (let i = 0; i < length; i++) if (!this.writeValue(values[i])) return false;
    return true;
  }

  /** A list element: the struct whose first key it starts with (structs are told apart by key order). */
  private writeStruct(object: Record<string, unknown>): boolean {
    if (Object.getPrototypeOf(object) !== Object.prototype) return false;
    for (const key in object) {
      const shape = this.structs.find((candidate) => candidate.keys[0] === key);
      return shape !== undefined && this.writeRecord(object, shape);
    }
    return false;
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.position + bytes));
    grown.set(this.bytes.subarray(0, this.position));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
