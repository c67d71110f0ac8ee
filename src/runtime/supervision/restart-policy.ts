/**
 * Restart supervision for one actor: exponential backoff between restarts, and a restart
 * intensity limit (at most `maxRestarts` crashes within `withinMs`, as in Erlang/OTP). Past the
 * limit the failure escalates instead of restarting forever. Time is injected for tests; the
 * supervisor waits out the delay on its injectable timers (SupervisorOptions.timers).
 */
import { exponentialDelayMs } from '../../base/backoff.js';

export interface RestartPolicy {
  maxRestarts: number;
  withinMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  maxRestarts: 5,
  withinMs: 60_000,
  initialBackoffMs: 50,
  maxBackoffMs: 5_000,
});

export type RestartDecision =
  | { decision: 'restart'; delayMs: number; recentCrashes: number }
  | { decision: 'escalate'; recentCrashes: number; withinMs: number };

export class RestartTracker {
  private crashTimesMs: number[] = [];

  constructor(
    private readonly policy: RestartPolicy,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Records a crash and decides what to do about it. */
  onCrash(): RestartDecision {
    const now = this.nowMs();
    this.crashTimesMs = this.crashTimesMs.filter((t) => now - t < this.policy.withinMs);
    this.crashTimesMs.push(now);
    const recentCrashes = this.crashTimesMs.length;
    if (recentCrashes > this.policy.maxRestarts) {
      return { decision: 'escalate', recentCrashes, withinMs: this.policy.withinMs };
    }
    const delayMs = exponentialDelayMs(recentCrashes - 1, this.policy.initialBackoffMs, this.policy.maxBackoffMs);
    return { decision: 'restart', delayMs, recentCrashes };
  }

  get crashesInWindow(): number {
    const now = this.nowMs();
    return this.crashTimesMs.filter((t) => now - t < this.policy.withinMs).length;
  }
}
