/** A simulator clock that moves only when told to (unit tests of the matching engine and market model). */
import type { SimClock } from '../../src/sim/clock.js';

export class ManualClock implements SimClock {
  constructor(
    private currentMs: number,
    readonly timeScale = 1,
  ) {}

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): void {
    this.currentMs += ms;
  }
}
