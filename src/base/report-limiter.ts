/**
 * Rate-limits reports per reason: a reason that keeps recurring (a venue sending the same bad
 * field every second) is reported at most once per interval, and the report that gets through
 * says how many were held back since the last one. Counting stays with the caller: everything is
 * counted, only the log line is limited.
 */
export class ReportLimiter {
  private readonly lastMs = new Map<string, number>();
  private readonly held = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** The number held back since the last report of `reason` when this one may be reported, else `undefined`. */
  admit(reason: string, nowMs: number): number | undefined {
    const last = this.lastMs.get(reason);
    if (last !== undefined && nowMs - last < this.intervalMs) {
      this.held.set(reason, (this.held.get(reason) ?? 0) + 1);
      return undefined;
    }
    this.lastMs.set(reason, nowMs);
    const held = this.held.get(reason) ?? 0;
    this.held.delete(reason);
    return held;
  }
}
