import { describe, expect, it } from 'vitest';
import { ReportLimiter } from '../../src/base/report-limiter.js';

describe('ReportLimiter', () => {
  it('admits one report per reason per interval and says how many it held back', () => {
    const limiter = new ReportLimiter(1_000);
    expect(limiter.admit('stale', 0)).toBe(0);
    expect(limiter.admit('stale', 10)).toBeUndefined();
    expect(limiter.admit('stale', 999)).toBeUndefined();
    expect(limiter.admit('crossed', 500)).toBe(0);
    expect(limiter.admit('stale', 1_000)).toBe(2);
    expect(limiter.admit('stale', 2_500)).toBe(0);
  });
});
