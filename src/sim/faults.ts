/**
 * Fault injection: what can go wrong between a venue and its clients, armed by scenarios or
 * through the control endpoint, consumed by the HTTP layer, the matching engine and the stream
 * hub. `venue` omitted means every venue.
 *
 * Stream faults are faithful to what clients really see: a "skipped sequence" is a diff event
 * the venue produced but the client never received (so the next event's first id, and for
 * binance futures its `pu`, no longer continue the client's book), a stall delays frames
 * without losing them, a dropped socket ends TCP without a close frame.
 */
import { z } from 'zod';
import type { SimClock } from './clock.js';
import type { Rejection } from './exchange/types.js';
import type { Truth } from './truth.js';

const venue = z.string().min(1).optional();
const count = z.number().int().positive().max(1_000_000).optional();

export const FAULT_SCHEMA = z.discriminatedUnion('kind', [
  /** Terminates matching sockets now (`match`: substring of the socket's path). */
  z.object({ kind: z.literal('drop-sockets'), venue, match: z.string().optional() }),
  /** Holds outgoing frames until resumed or `durationMs` passed. */
  z.object({ kind: z.literal('stall-streams'), venue, durationMs: z.number().int().positive().optional() }),
  z.object({ kind: z.literal('resume-streams'), venue }),
  /** Swallows the next `count` (default 1) depth diff events of a symbol (or every symbol). */
  z.object({ kind: z.literal('skip-sequence'), venue, symbol: z.string().optional(), count }),
  /** Answers the next `count` (default 1) requests with `status`: 429 or 418 (rate limit, with Retry-After) or 5xx. */
  z.object({
    kind: z.literal('http-error'),
    venue,
    status: z.number().int().refine((status) => status === 429 || status === 418 || (status >= 500 && status <= 599), 'status must be 429, 418 or 5xx'),
    count,
    retryAfterSec: z.number().int().nonnegative().optional(),
    pathPrefix: z.string().optional(),
    /** Execute the request, then replace the answer: the client cannot know whether it happened. */
    afterExecution: z.boolean().optional(),
  }),
  /** Rejects the next `count` orders (default 1), or only those whose clientOrderId has the prefix. */
  z.object({
    kind: z.literal('reject-orders'),
    venue,
    count,
    clientOrderIdPrefix: z.string().optional(),
    reason: z.enum(['rejected', 'insufficient-balance']).optional(),
  }),
  /** Delays every HTTP answer by `ms` (0 clears), for `durationMs` or until changed. */
  z.object({ kind: z.literal('latency'), venue, ms: z.number().int().nonnegative().max(60_000), durationMs: z.number().int().positive().optional() }),
  /** Sends one frame of invalid JSON on every matching socket now. */
  z.object({ kind: z.literal('malformed-frame'), venue }),
  /**
   * Corrupts the next `count` (default 1) market-data events of a symbol (or every symbol), as a
   * broken venue gateway would: `mark` sends `markPx` (default 1e308) as the mark price; `book-size`
   * sends a depth diff with a negative size on its best bid; `timestamp-seconds` stamps mark and
   * depth events in seconds where the venue sends milliseconds. Served by the binance protocols.
   */
  z.object({
    kind: z.literal('bad-data'),
    venue,
    symbol: z.string().optional(),
    field: z.enum(['mark', 'book-size', 'timestamp-seconds']),
    markPx: z.number().positive().optional(),
    count,
  }),
]);

export type FaultSpec = z.infer<typeof FAULT_SCHEMA>;
export type HttpErrorFault = Extract<FaultSpec, { kind: 'http-error' }>;
export type BadDataFault = Extract<FaultSpec, { kind: 'bad-data' }>;
export type BadDataField = BadDataFault['field'];

interface Armed<T> {
  readonly spec: T;
  left: number;
}

const appliesTo = (target: string | undefined, venueId: string): boolean => target === undefined || target === venueId;

export class FaultInjector {
  private http: Armed<HttpErrorFault>[] = [];
  private rejections: Armed<Extract<FaultSpec, { kind: 'reject-orders' }>>[] = [];
  private skips: Armed<Extract<FaultSpec, { kind: 'skip-sequence' }>>[] = [];
  private badData: Armed<BadDataFault>[] = [];
  private readonly latency = new Map<string, { ms: number; untilMs: number }>();
  private readonly stalls = new Map<string, number>();
  private immediate: (spec: FaultSpec) => void = () => undefined;
  private resumed: (venue: string | undefined) => void = () => undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly truth: Truth,
  ) {}

  /** Connects the actions that happen at once (drop, malformed frame) and stall resumption. */
  connect(immediate: (spec: FaultSpec) => void, resumed: (venue: string | undefined) => void): void {
    this.immediate = immediate;
    this.resumed = resumed;
  }

  inject(spec: FaultSpec): void {
    const now = this.clock.nowMs();
    this.truth.faults.push({ kind: spec.kind, venue: spec.venue, atMs: now, detail: JSON.stringify(spec) });
    const key = spec.venue ?? '*';
    switch (spec.kind) {
      case 'http-error':
        return void this.http.push({ spec, left: spec.count ?? 1 });
      case 'reject-orders':
        return void this.rejections.push({ spec, left: spec.count ?? (spec.clientOrderIdPrefix ? Number.POSITIVE_INFINITY : 1) });
      case 'skip-sequence':
        return void this.skips.push({ spec, left: spec.count ?? 1 });
      case 'bad-data':
        return void this.badData.push({ spec, left: spec.count ?? 1 });
      case 'latency':
        if (spec.ms === 0) return void this.latency.delete(key);
        return void this.latency.set(key, { ms: spec.ms, untilMs: spec.durationMs ? now + spec.durationMs : Number.POSITIVE_INFINITY });
      case 'stall-streams':
        return void this.stalls.set(key, spec.durationMs ? now + spec.durationMs : Number.POSITIVE_INFINITY);
      case 'resume-streams':
        return this.resume(spec.venue);
      case 'drop-sockets':
      case 'malformed-frame':
        return this.immediate(spec);
    }
  }

  private resume(venue: string | undefined): void {
    if (venue === undefined) this.stalls.clear();
    else this.stalls.delete(venue);
    this.resumed(venue);
  }

  /** Disarms everything (stalled streams resume). */
  clear(): void {
    this.http = [];
    this.rejections = [];
    this.skips = [];
    this.badData = [];
    this.latency.clear();
    if (this.stalls.size > 0) this.resume(undefined);
  }

  /** Ends timed stalls and latencies; called every tick. */
  expire(nowMs: number): void {
    for (const [key, until] of this.stalls) if (until <= nowMs) this.resume(key === '*' ? undefined : key);
    for (const [key, { untilMs }] of this.latency) if (untilMs <= nowMs) this.latency.delete(key);
  }

  /** The HTTP error to answer this request with, if one is armed (consumes it). */
  takeHttpError(venueId: string, path: string): HttpErrorFault | undefined {
    const armed = this.http.find((a) => appliesTo(a.spec.venue, venueId) && (!a.spec.pathPrefix || path.startsWith(a.spec.pathPrefix)));
    return armed ? consume(armed, () => (this.http = this.http.filter((a) => a.left > 0))) : undefined;
  }

  latencyMs(venueId: string): number {
    return this.latency.get(venueId)?.ms ?? this.latency.get('*')?.ms ?? 0;
  }

  /** The injected rejection for this order, if one is armed (consumes it). */
  takeOrderRejection(venueId: string, clientOrderId: string): Rejection | undefined {
    const armed = this.rejections.find(
      (a) => appliesTo(a.spec.venue, venueId) && (!a.spec.clientOrderIdPrefix || clientOrderId.startsWith(a.spec.clientOrderIdPrefix)),
    );
    if (!armed) return undefined;
    const spec = consume(armed, () => (this.rejections = this.rejections.filter((a) => a.left > 0)));
    return spec.reason === 'insufficient-balance'
      ? { reason: 'insufficient_balance', detail: 'injected fault' }
      : { reason: 'injected', detail: 'injected fault' };
  }

  isStalled(venueId: string): boolean {
    return this.stalls.has(venueId) || this.stalls.has('*');
  }

  /** True when this depth event must be swallowed (consumes one skip). */
  takeSequenceSkip(venueId: string, symbol: string): boolean {
    const armed = this.skips.find((a) => appliesTo(a.spec.venue, venueId) && (!a.spec.symbol || a.spec.symbol === symbol));
    if (!armed) return false;
    consume(armed, () => (this.skips = this.skips.filter((a) => a.left > 0)));
    return true;
  }

  /** The corruption to apply to this event, if one is armed for it (consumes one). Cheap when none is. */
  takeBadData(venueId: string, symbol: string, field: BadDataField): BadDataFault | undefined {
    if (this.badData.length === 0) return undefined;
    const armed = this.badData.find((a) => a.spec.field === field && appliesTo(a.spec.venue, venueId) && (!a.spec.symbol || a.spec.symbol === symbol));
    return armed ? consume(armed, () => (this.badData = this.badData.filter((a) => a.left > 0))) : undefined;
  }

  /** What is armed right now (for the control endpoint). */
  describe(): Record<string, unknown> {
    return {
      httpErrors: this.http.map((a) => ({ ...a.spec, left: a.left })),
      orderRejections: this.rejections.map((a) => ({ ...a.spec, left: Number.isFinite(a.left) ? a.left : 'unlimited' })),
      sequenceSkips: this.skips.map((a) => ({ ...a.spec, left: a.left })),
      badData: this.badData.map((a) => ({ ...a.spec, left: a.left })),
      latency: Object.fromEntries(this.latency),
      stalls: Object.fromEntries([...this.stalls].map(([key, until]) => [key, Number.isFinite(until) ? until : 'until resumed'])),
    };
  }
}

function consume<T>(armed: Armed<T>, prune: () => void): T {
  armed.left--;
  if (armed.left <= 0) prune();
  return armed.spec;
}
