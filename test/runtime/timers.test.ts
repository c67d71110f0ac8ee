/** Virtual timers: replay's time line fires in due order, only when moved. */
import { describe, expect, it } from 'vitest';
import { VirtualClock, VirtualTimers } from '../../src/runtime/actor/timers.js';

describe('VirtualTimers', () => {
  it('fires nothing until moved, then every due timer in (due time, creation) order', () => {
    const timers = new VirtualTimers(1_000);
    const fired: string[] = [];
    timers.every(100, () => fired.push(`a@${timers.nowMs}`));
    timers.after(100, () => fired.push(`b@${timers.nowMs}`));
    timers.after(50, () => fired.push(`c@${timers.nowMs}`));
    expect(fired).toEqual([]);
    while (timers.fireNext(1_250));
    expect(fired).toEqual(['c@1050', 'a@1100', 'b@1100', 'a@1200']);
    expect(timers.nowMs).toBe(1_250);
    expect(timers.nextDueMs()).toBe(1_300);
  });

  it('cancels, and never moves time backwards', () => {
    const timers = new VirtualTimers(0);
    let count = 0;
    const handle = timers.every(10, () => count++);
    while (timers.fireNext(35));
    timers.cancel(handle);
    while (timers.fireNext(100));
    expect(count).toBe(3);
    expect(timers.fireNext(50)).toBe(false);
    expect(timers.nowMs).toBe(100);
  });

  it('gives a clock whose wall and monotonic readings move together', () => {
    const timers = new VirtualTimers(1_800_000_000_000);
    const clock = new VirtualClock(timers);
    const mono0 = clock.monoNs();
    timers.after(1_500, () => {});
    const dayMs = 86_400_000;
    while (timers.fireNext(1_800_000_000_000 + dayMs));
    expect(clock.wallMs()).toBe(1_800_000_000_000 + dayMs);
    expect(clock.monoNs() - mono0).toBe(dayMs * 1e6);
    expect(Number.isSafeInteger(clock.monoNs())).toBe(true);
  });
});
