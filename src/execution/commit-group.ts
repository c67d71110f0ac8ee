/**
 * Group commit: the journal writes of one unit of work (a ring batch, one venue response, one
 * timer tick) share one transaction, and what that work wants to do outside the process waits
 * for the commit. So the rule "journaled durably before sent" holds at whatever durability is
 * configured, with one commit (one fsync at `full`) per unit instead of one per write:
 *
 *   begin ─► writes (one transaction) ─► end: commit ─► events to strategies ─► venue requests
 *
 * Events to strategies wait too: a strategy never hears of a state the journal could still lose.
 * If the commit fails, the group's writes are rolled back and its events and requests are
 * dropped (nothing left the process), `onCommitFailed` is told (execution halts trading: its
 * memory is now ahead of the journal), and the error propagates to whoever ended the group.
 *
 * Outside a group (work nobody wrapped) every write commits on its own and everything is
 * delivered at once: the old behaviour, slower but equally safe.
 *
 * @example
 * group.run(() => ledger.applyView(order, view, nowMs)); // one commit for the whole response
 */
import type { Message } from '../protocol/index.js';
import type { EventSink } from './events.js';
import type { ExecutionJournal } from './journal-port.js';

/** Strategy id of a queued broadcast. */
const BROADCAST = '';
/** Prefix of a queued per-venue target (strategy ids are letters, digits, _ and -: never this). */
const VENUE = '\u0000';

export class CommitGroup implements EventSink {
  private open = false;
  /** Events held until the commit, as parallel arrays (no per-event wrapper object). */
  private readonly targets: string[] = [];
  private readonly messages: Message[] = [];
  private readonly actions: (() => void)[] = [];
  /** Groups that wrote something, each one commit (for status: commits, against the orders they carried). */
  commits = 0;

  constructor(
    private readonly journal: ExecutionJournal,
    private readonly sink: EventSink,
    private readonly onCommitFailed: (error: unknown) => void = () => undefined,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Opens a group unless one is open (the actor opens one at a batch's first message). */
  begin(): void {
    if (this.open) return;
    this.open = true;
    this.journal.beginGroup();
  }

  /** Commits the group, then delivers its events and runs its deferred actions, in order. */
  end(): void {
    if (!this.open) return;
    this.open = false;
    let wrote: boolean;
    try {
      wrote = this.journal.commitGroup();
    } catch (error) {
      this.targets.length = 0;
      this.messages.length = 0;
      this.actions.length = 0;
      this.onCommitFailed(error);
      throw error;
    }
    if (wrote) this.commits++;
    for (let i = 0; i < this.messages.length; i++) {
      const target = this.targets[i]!;
      if (target === BROADCAST) this.sink.broadcast(this.messages[i]!);
      else if (target.startsWith(VENUE)) this.sink.toVenue(target.slice(1), this.messages[i]!);
      else this.sink.toStrategy(target, this.messages[i]!);
    }
    this.targets.length = 0;
    this.messages.length = 0;
    // An action may open and end a group of its own (a paper venue answering at once): take the list first.
    const actions = this.actions.splice(0);
    for (const action of actions) action();
  }

  /** Runs `fn` in the open group, or as a group of its own (committed when `fn` returns or throws). */
  run<T>(fn: () => T): T {
    if (this.open) return fn();
    this.begin();
    try {
      return fn();
    } finally {
      this.end();
    }
  }

  /** Runs `action` once the open group has committed (at once outside a group): every venue request goes through here. */
  afterCommit(action: () => void): void {
    if (this.open) this.actions.push(action);
    else action();
  }

  toStrategy(strategyId: string, message: Message): void {
    if (!this.open) return this.sink.toStrategy(strategyId, message);
    this.targets.push(strategyId);
    this.messages.push(message);
  }

  broadcast(message: Message): void {
    if (!this.open) return this.sink.broadcast(message);
    this.targets.push(BROADCAST);
    this.messages.push(message);
  }

  toVenue(venue: string, message: Message): void {
    if (!this.open) return this.sink.toVenue(venue, message);
    this.targets.push(VENUE + venue);
    this.messages.push(message);
  }
}
