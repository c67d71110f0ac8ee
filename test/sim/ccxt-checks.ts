/** Checks shared by the ccxt venue tests: book sanity, book vs truth, a raw WebSocket probe. */
import { once } from 'node:events';
import type { Exchange, OrderBook } from 'ccxt';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { Simulator } from '../../src/sim/simulator.js';

/** Why a book is wrong (one-sided, crossed, unsorted), or undefined when it is fine. */
export function bookProblem(book: OrderBook): string | undefined {
  const bids = book.bids.map((level) => level[0] as number);
  const asks = book.asks.map((level) => level[0] as number);
  if (bids.length === 0 || asks.length === 0) return 'one-sided';
  if ((bids[0] as number) >= (asks[0] as number)) return `crossed ${bids[0]} >= ${asks[0]}`;
  if (bids.some((price, i) => i > 0 && price >= (bids[i - 1] as number))) return 'bids unsorted';
  if (asks.some((price, i) => i > 0 && price <= (asks[i - 1] as number))) return 'asks unsorted';
  return undefined;
}

export const round8 = (levels: readonly (readonly (number | undefined)[])[]): number[][] =>
  levels.map(([price, quantity]) => [Number((price as number).toFixed(8)), Number((quantity as number).toFixed(8))]);

/** The book ccxt keeps for `symbol` (updated as frames arrive, without awaiting a watch). */
export function localBook(exchange: Exchange, symbol: string): OrderBook | undefined {
  return (exchange as unknown as { orderbooks: Record<string, OrderBook | undefined> }).orderbooks[symbol];
}

/** Waits (bounded) until ccxt's local book equals the simulator's, level for level. */
export async function expectBookMatchesTruth(exchange: Exchange, sim: Simulator, venue: string, symbol: string, scale = 1): Promise<void> {
  const truth = await sim.control.book(venue, symbol, 1000);
  const scaled = (levels: readonly (readonly [number, number])[]): number[][] => round8(levels.map(([price, quantity]) => [price, quantity / scale]));
  const local = (): { bids: number[][]; asks: number[][] } => {
    const book = localBook(exchange, symbol);
    return { bids: round8(book?.bids ?? []), asks: round8(book?.asks ?? []) };
  };
  await expect.poll(local, { timeout: 3_000, interval: 10 }).toEqual({ bids: scaled(truth.bids), asks: scaled(truth.asks) });
}

/** A raw WebSocket to the simulator that records every JSON (or text) frame it receives. */
export class RawSocket {
  readonly frames: unknown[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = String(data);
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push(text);
      }
    });
  }

  static async open(sim: Simulator, path: string): Promise<RawSocket> {
    const raw = new RawSocket(new WebSocket(`${sim.url.replace('http', 'ws')}${path}`));
    await once(raw.socket, 'open');
    return raw;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first recorded frame matching `predicate`, waiting for it (bounded). */
  async next<T>(predicate: (frame: unknown) => frame is T): Promise<T>;
  async next(predicate: (frame: unknown) => boolean): Promise<unknown>;
  async next(predicate: (frame: unknown) => boolean): Promise<unknown> {
    await expect.poll(() => this.frames.some(predicate), { timeout: 3_000, interval: 5 }).toBe(true);
    return this.frames.find(predicate);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = once(this.socket, 'close').then(() => undefined);
    this.socket.close();
    return closed;
  }
}
