/**
 * The market-data recording: what `arbiter run --record <file>` writes and `--mode replay`
 * reads. An append-only file of framed msgpack messages:
 *
 * ```
 *  0        8             12                 12+H
 *  ┌────────┬─────────────┬──────────────────┬──────────────────────────────────────────┐
 *  │ARBREC1\n│ H (u32 LE)  │ header JSON (H B) │ frame, frame, …                           │
 *  └────────┴─────────────┴──────────────────┴──────────────────────────────────────────┘
 *  frame:  ┌─────────────┬──────────────────┬──────────────────────────┐
 *          │ N (u32 LE)  │ recvWallMs (f64) │ msgpack of the message (N B) │
 *          └─────────────┴──────────────────┴──────────────────────────┘
 * ```
 *
 * Frames hold market data and, since version 2, each market's `MarketRules` as execution published
 * them (steps, minimums, the account's fee rates), so a replay trades by the rules of the run it
 * replays. Messages are plain msgpack maps, not the data plane's frozen records, so a recording stays
 * readable after the schemas gain a field; every message read back is checked against today's
 * schema and a bad one is skipped with its frame number and reason. `recvWallMs` is when the
 * recorder received the message: replay's time line. A process killed mid-write leaves at most
 * one partial frame at the end; the reader reports it (`truncated`) and stops there.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { pack, unpack } from 'msgpackr';
import { MARKET_DATA_TYPES, validateMessage, type MarketDataMessage, type MessageOf } from '../protocol/index.js';
import { arbiterError } from '../base/errors.js';

const MAGIC = Buffer.from('ARBREC1\n', 'latin1');
const FRAME_HEAD_BYTES = 12;
/** A frame larger than this is corruption, not a message (books are a few hundred bytes). */
const MAX_FRAME_BYTES = 1 << 20;
const FLUSH_BYTES = 1 << 16;

export const RECORDING_FORMAT = 'arbiter.md-recording';
/** 2: frames may also be MarketRules (version 1 recordings hold market data only and still replay). */
export const RECORDING_VERSION = 2;

/** What a recording holds: market data and the markets' rules. */
export type RecordedMessage = MarketDataMessage | MessageOf<'MarketRules'>;

export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: number;
  readonly createdAtMs: number;
  /** Free-form provenance: mode, scenario, seed, venues (for the operator, not for replay). */
  readonly source: Record<string, unknown>;
}

/** Appends frames; buffers up to 64 KiB between writes. Not thread-safe: one writer per file. */
export class RecordingWriter {
  private readonly fd: number;
  private buffer = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  private used = 0;
  frames = 0;
  bytes = 0;

  /**
   * Creates `path`, or with `resume` (a restarted recorder) appends to the recording already
   * there, after cutting off the partial frame a crash may have left.
   */
  constructor(
    readonly path: string,
    source: Record<string, unknown>,
    options: { resume?: boolean; nowMs?: number } = {},
  ) {
    if (options.resume && existsSync(path)) {
      const reader = new RecordingReader(path);
      for (const _frame of reader.frames());
      reader.close();
      truncateSync(path, reader.report.validBytes);
      this.fd = openSync(path, 'a');
      this.frames = reader.report.frames + reader.report.rejected;
      return;
    }
    // 'wx': never overwrite an existing recording by accident.
    try {
      this.fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      throw arbiterError('CONFIG_INVALID', `record: cannot create ${path}: ${(error as Error).message}`, { cause: error });
    }
    const nowMs = options.nowMs ?? Date.now();
    const header: RecordingHeader = { format: RECORDING_FORMAT, version: RECORDING_VERSION, createdAtMs: nowMs, source };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length, 0);
    writeSync(this.fd, Buffer.concat([MAGIC, length, json]));
  }

  append(message: RecordedMessage, recvWallMs: number): void {
    const payload = pack(message);
    const need = FRAME_HEAD_BYTES + payload.length;
    if (this.used + need > this.buffer.length) {
      this.flush();
      if (need > this.buffer.length) this.buffer = Buffer.allocUnsafe(need * 2);
    }
    this.buffer.writeUInt32LE(payload.length, this.used);
    this.buffer.writeDoubleLE(recvWallMs, this.used + 4);
    payload.copy(this.buffer, this.used + FRAME_HEAD_BYTES);
    this.used += need;
    this.frames++;
    this.bytes += need;
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  /** Writes what is buffered (a frame is never split across flushes). */
  flush(): void {
    if (this.used === 0) return;
    writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

export interface RecordedFrame {
  /** 0-based frame number (for error messages). */
  readonly index: number;
  readonly recvWallMs: number;
  readonly message: RecordedMessage;
}

export interface ReadReport {
  frames: number;
  /** Frames skipped, with the reason of the first few. */
  rejected: number;
  rejections: string[];
  /** The file ends inside a frame (the writer was killed): the partial frame was ignored. */
  truncated: boolean;
  /** Bytes up to the end of the last whole frame (known once `frames()` is exhausted). */
  validBytes: number;
}

const RECORDED_TYPES = new Set<string>([...MARKET_DATA_TYPES, 'MarketRules']);

/** Reads a recording's frames in order, in bounded memory. Bad frames are skipped and reported. */
export class RecordingReader {
  readonly header: RecordingHeader;
  readonly report: ReadReport = { frames: 0, rejected: 0, rejections: [], truncated: false, validBytes: 0 };
  private readonly fd: number;
  private position: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (error) {
      throw arbiterError('CONFIG_INVALID', `replay.file: cannot open ${path}: ${(error as Error).message}`, { cause: error });
    }
    const { header, bytes } = this.readHeader();
    this.header = header;
    this.position = bytes;
    this.report.validBytes = bytes;
  }

  *frames(): Generator<RecordedFrame> {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let pending = Buffer.alloc(0);
    let index = 0;
    for (;;) {
      const read = readSync(this.fd, chunk, 0, chunk.length, this.position);
      if (read === 0) break;
      this.position += read;
      pending = pending.length === 0 ? Buffer.from(chunk.subarray(0, read)) : Buffer.concat([pending, chunk.subarray(0, read)]);
      let offset = 0;
      while (pending.length - offset >= FRAME_HEAD_BYTES) {
        const length = pending.readUInt32LE(offset);
        if (length > MAX_FRAME_BYTES) throw arbiterError('CONFIG_INVALID', `replay.file: ${this.path}: frame ${index} claims ${length} bytes: the file is corrupt`);
        if (pending.length - offset < FRAME_HEAD_BYTES + length) break;
        const recvWallMs = pending.readDoubleLE(offset + 4);
        const frame = this.decode(index++, recvWallMs, pending.subarray(offset + FRAME_HEAD_BYTES, offset + FRAME_HEAD_BYTES + length));
        offset += FRAME_HEAD_BYTES + length;
        this.report.validBytes += FRAME_HEAD_BYTES + length;
        if (frame) yield frame;
      }
      pending = pending.subarray(offset);
    }
    this.report.truncated = pending.length > 0;
  }

  close(): void {
    closeSync(this.fd);
  }

  private decode(index: number, recvWallMs: number, bytes: Buffer): RecordedFrame | undefined {
    let reason: string | null;
    let message: unknown;
    try {
      message = unpack(bytes);
      const type = (message as { type?: unknown } | null)?.type;
      reason = typeof type === 'string' && RECORDED_TYPES.has(type) ? validateMessage(message) : `not a market-data message (type ${JSON.stringify(type)})`;
      if (reason === null && !Number.isFinite(recvWallMs)) reason = `recvWallMs is ${recvWallMs}`;
    } catch (error) {
      reason = `undecodable msgpack: ${(error as Error).message}`;
    }
    if (reason !== null) {
      this.report.rejected++;
      if (this.report.rejections.length < 10) this.report.rejections.push(`frame ${index}: ${reason}`);
      return undefined;
    }
    this.report.frames++;
    return { index, recvWallMs, message: message as RecordedMessage };
  }

  private readHeader(): { header: RecordingHeader; bytes: number } {
    const head = Buffer.alloc(MAGIC.length + 4);
    const fail = (why: string): never => {
      closeSync(this.fd);
      throw arbiterError('CONFIG_INVALID', `replay.file: ${this.path} is not an arbiter market-data recording: ${why}`);
    };
    if (readSync(this.fd, head, 0, head.length, 0) < head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) fail('bad magic');
    const length = head.readUInt32LE(MAGIC.length);
    const json = Buffer.alloc(length);
    if (length > MAX_FRAME_BYTES || readSync(this.fd, json, 0, length, head.length) < length) fail('bad header length');
    let header: RecordingHeader | undefined;
    try {
      header = JSON.parse(json.toString('utf8')) as RecordingHeader;
    } catch {
      fail('header is not JSON');
    }
    if (header?.format !== RECORDING_FORMAT) fail(`format ${JSON.stringify(header?.format)}`);
    if (header!.version > RECORDING_VERSION) fail(`version ${header!.version} is newer than this build reads (${RECORDING_VERSION})`);
    return { header: header!, bytes: head.length + length };
  }
}
