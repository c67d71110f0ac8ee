/**
 * Stamps a ccxt request's way out, on the monotonic clock, without changing what ccxt sends:
 *
 * - `builtNs`: ccxt's `fetch(url, method, headers, body)` is entered, i.e. the request is built
 *   and signed (ccxt signs in `sign()`, before `fetch`). A multi-leg leg waits at its barrier
 *   here, so every leg is signed before any is written.
 * - `wroteNs`: undici (ccxt's HTTP client in Node) writes the request head to the socket. undici
 *   publishes that on the `undici:client:sendHeaders` diagnostics channel; the request it names
 *   is matched to ours through `undici:request:create`, which fires in our async context.
 *
 * Which order a request belongs to travels in an AsyncLocalStorage around `createOrder`, so
 * concurrent orders (the legs of one command) never mix their stamps.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { Exchange } from 'ccxt';
import { monoNowNs } from '../../base/clock.js';
import type { SendTiming } from '../../execution/send-timing.js';

/** Marks a call whose request must be built and signed but never sent (the warm-up). */
const DRY_RUN = Symbol('arbiter.dryRun');
/** What a dry run's fetch throws instead of sending. */
class NotSent extends Error {}

const current = new AsyncLocalStorage<SendTiming | typeof DRY_RUN>();
const byRequest = new WeakMap<object, SendTiming>();
let subscribed = false;

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    const timing = current.getStore();
    if (timing !== undefined && timing !== DRY_RUN) byRequest.set((message as { request: object }).request, timing);
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const timing = byRequest.get((message as { request: object }).request);
    if (timing !== undefined && timing.wroteNs === 0) timing.wroteNs = monoNowNs();
  });
}

/** Takes part in `timing`'s barrier once, if it has one: arrive (request built) or withdraw. */
function settleBarrier(timing: SendTiming, arrived: boolean): Promise<void> | undefined {
  if (timing.barrierDone || timing.barrier === null) return undefined;
  timing.barrierDone = true;
  if (arrived) return timing.barrier.arrive();
  timing.barrier.withdraw();
  return undefined;
}

/** Wraps `exchange.fetch` (once per instance) so requests made under `withSendTiming` are stamped. */
export function stampRequests(exchange: Exchange): void {
  subscribeOnce();
  const hooks = exchange as unknown as { fetch: (...args: unknown[]) => Promise<unknown> };
  const fetch = hooks.fetch;
  hooks.fetch = async function (this: unknown, ...args: unknown[]) {
    const timing = current.getStore();
    if (timing === DRY_RUN) throw new NotSent('dry run: built and signed, not sent');
    if (timing !== undefined && timing.builtNs === 0) {
      timing.builtNs = monoNowNs();
      const barrier = settleBarrier(timing, true);
      if (barrier !== undefined) await barrier;
    }
    return fetch.apply(this, args);
  };
}

/** Runs `request` (one ccxt call) with its requests stamped into `timing`; leaves the barrier if it never got that far. */
export async function withSendTiming<T>(timing: SendTiming | undefined, request: () => Promise<T>): Promise<T> {
  if (timing === undefined) return request();
  try {
    return await current.run(timing, request);
  } finally {
    settleBarrier(timing, false);
  }
}

/**
 * Runs `request` (one ccxt call that sends an order) up to the point where its request is built
 * and signed, and stops it there: nothing is written to the socket. Resolves true when it got
 * that far, false when ccxt refused earlier (the warm-up then warmed less, nothing more).
 */
export async function buildWithoutSending(request: () => Promise<unknown>): Promise<boolean> {
  try {
    await current.run(DRY_RUN, request);
    return false; // never reached: a dry run cannot complete
  } catch (error) {
    return error instanceof NotSent;
  }
}
