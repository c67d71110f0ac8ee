/**
 * Deterministic client order ids: the same (strategy, intent, leg, attempt) always gives the same
 * id, so after a crash execution can ask the venue "did order X arrive?" instead of resending,
 * and a retry is a new attempt with a new id, never a reuse.
 *
 * Venue rules, as found (ccxt 4.5.84 source in node_modules/ccxt/js/src/<id>.js, and the
 * venues' docs through the search tool):
 * - binance / binanceusdm `newClientOrderId`: `^[\.A-Z\:/a-z0-9_-]{1,36}$` (binance docs; the
 *   spot API's -1100 error states the stricter `^[a-zA-Z0-9-_]{1,36}$`). ccxt passes ours through.
 * - bybit `orderLinkId`: at most 36 characters of letters, digits, `-` and `_` (bybit v5 docs;
 *   ccxt bybit.js comments "max 36 characters").
 * - okx `clOrdId`: 1–32 case-sensitive alphanumerics, no `-` or `_` (okx v5 docs; ccxt okx.js
 *   "up to 32 characters").
 * - bitget `clientOid`: letters, digits and `_`, 1–32 (bitget error 43011 explanations; newer docs
 *   allow more, we stay inside the stricter rule).
 * - gate `text`: must start with `t-`, at most 28 bytes after it, `[0-9A-Za-z_.-]` (gate v4 docs;
 *   ccxt gate.js throws above 28 and adds `t-` only when the id does not already start with `t`).
 * - mexc `newClientOrderId` (spot) / `externalOid` (contract): no published limit was found; we
 *   assume alphanumerics up to 32, which every id below satisfies.
 * - backpack `clientId`: an unsigned 32-bit integer (ccxt backpack.js `safeInteger(params,
 *   'clientOrderId') // the exchange requires uint`; the bpx-api-client types it `u32`).
 *
 * So the string form is 18 lowercase alphanumerics, inside every string rule at once, and gate
 * gets `t-` in front. Backpack gets a packed uint32 that cannot hold everything (see `packBackpack`).
 *
 *   a  ttttttt  sssssss  l  aa        (base 36)
 *   │  │        │        │  └ attempt 0…1295
 *   │  │        │        └ leg 0…35
 *   │  │        └ intentSeq 0…36^7−1 (≈ 7.8e10, well past 2^31)
 *   │  └ strategy tag: FNV-1a 32-bit hash of the strategy id's UTF-8 bytes
 *   └ format version (a letter, so gate's `t` check never misfires)
 */
import { arbiterError } from '../../base/errors.js';

export interface ClientOrderIdParts {
  readonly strategyId: string;
  readonly intentSeq: number;
  readonly leg: number;
  readonly attempt: number;
}

export interface DecodedClientOrderId {
  /** The strategy's hash; the low 6 bits only when `exact` is false. */
  readonly strategyTag: number;
  readonly intentSeq: number;
  readonly leg: number;
  readonly attempt: number;
  /** False for backpack ids: fields are truncated, so confirm against the journal. */
  readonly exact: boolean;
}

const VERSION = 'a';
const TAG_WIDTH = 7;
const SEQ_WIDTH = 7;
const MAX_SEQ = 36 ** SEQ_WIDTH - 1;
const MAX_LEG = 35;
const MAX_ATTEMPT = 36 ** 2 - 1;
const STRING_FORM = /^a([0-9a-z]{7})([0-9a-z]{7})([0-9a-z])([0-9a-z]{2})$/;
const GATE_PREFIX = 't-';
const UINT32 = 2 ** 32;

const encoder = new TextEncoder();

/**
 * A stable 32-bit tag for an arbitrary strategy id (FNV-1a over UTF-8 bytes, so unicode ids hash
 * the same on every platform). Collisions are possible in principle; with a handful of strategies
 * per account the odds are ~n²/2^33.
 *
 * @example strategyTag('funding-carry') // a number in [0, 2^32)
 */
export function strategyTag(strategyId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(strategyId)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

function checkParts(parts: ClientOrderIdParts): void {
  for (const [name, value, max] of [
    ['intentSeq', parts.intentSeq, MAX_SEQ],
    ['leg', parts.leg, MAX_LEG],
    ['attempt', parts.attempt, MAX_ATTEMPT],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > max) throw arbiterError('INVALID_ARGUMENT', `client order id ${name} must be an integer in [0, ${max}], got ${value}`);
  }
}

const base36 = (value: number, width: number): string => value.toString(36).padStart(width, '0');

/** The venue-neutral 18-character form. @example canonicalClientOrderId({ strategyId: 's', intentSeq: 1, leg: 0, attempt: 0 }) */
export function canonicalClientOrderId(parts: ClientOrderIdParts): string {
  checkParts(parts);
  return VERSION + base36(strategyTag(parts.strategyId), TAG_WIDTH) + base36(parts.intentSeq, SEQ_WIDTH) + base36(parts.leg, 1) + base36(parts.attempt, 2);
}

/**
 * The id to send to `venue`: the canonical form, `t-` + it for gate, a packed uint32 for backpack.
 * Venues not listed get the canonical form, which fits every rule seen so far.
 *
 * @example makeClientOrderId({ strategyId: 'carry', intentSeq: 42, leg: 1, attempt: 0 }, 'okx') // 'a…' (18 chars)
 */
export function makeClientOrderId(parts: ClientOrderIdParts, venue: string): string {
  if (venue === 'backpack') return String(packBackpack(parts));
  const id = canonicalClientOrderId(parts);
  return venue === 'gate' ? GATE_PREFIX + id : id;
}

/**
 * Backpack's uint32: 6 bits of strategy tag, 18 of intentSeq, 3 of leg, 5 of attempt. Intent
 * sequences wrap every 262 144 intents and attempts every 32, so a backpack id is unique only
 * within that window; reconciliation must confirm a decoded id against the journal (`exact: false`).
 */
export function packBackpack(parts: ClientOrderIdParts): number {
  checkParts(parts);
  const tag = strategyTag(parts.strategyId) % 64;
  // Arithmetic, not bit operators: JS bit operators are signed 32-bit and would turn the top bit negative.
  return ((tag * 2 ** 18 + (parts.intentSeq % 2 ** 18)) * 8 + (parts.leg % 8)) * 32 + (parts.attempt % 32);
}

/**
 * Decodes an id made by `makeClientOrderId` (any venue's form), or null for a foreign id (placed
 * by hand or by another system on the same account).
 *
 * @example parseClientOrderId(makeClientOrderId({ strategyId: 'x', intentSeq: 7, leg: 1, attempt: 2 }, 'gate'))
 * // { strategyTag: strategyTag('x'), intentSeq: 7, leg: 1, attempt: 2, exact: true }
 */
export function parseClientOrderId(id: string): DecodedClientOrderId | null {
  if (/^\d{1,10}$/.test(id)) return unpackBackpack(Number(id));
  const match = STRING_FORM.exec(id.startsWith(GATE_PREFIX) ? id.slice(GATE_PREFIX.length) : id);
  if (!match) return null;
  const [, tag, seq, leg, attempt] = match as unknown as [string, string, string, string, string];
  return { strategyTag: parseInt(tag, 36), intentSeq: parseInt(seq, 36), leg: parseInt(leg, 36), attempt: parseInt(attempt, 36), exact: true };
}

function unpackBackpack(value: number): DecodedClientOrderId | null {
  if (!(value < UINT32)) return null;
  const attempt = value % 32;
  const leg = Math.floor(value / 32) % 8;
  const intentSeq = Math.floor(value / 256) % 2 ** 18;
  const strategyTag = Math.floor(value / 2 ** 26);
  return { strategyTag, intentSeq, leg, attempt, exact: false };
}
