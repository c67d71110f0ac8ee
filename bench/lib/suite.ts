/** The shape every suite in bench/ has, and the knobs they share. */
import type { Measurement } from './rows.js';

export interface SuiteOptions {
  /** A smoke run of a few seconds instead of the full run (under a minute per suite). */
  quick: boolean;
  /** Progress lines (the CLI prints them; the test silences them). */
  log(line: string): void;
}

export interface BenchSuite {
  readonly name: string;
  readonly summary: string;
  run(options: SuiteOptions): Promise<Measurement[]>;
}

/** Picks the full or the quick value of a knob. */
export function scaled<T>(options: SuiteOptions, full: T, quick: T): T {
  return options.quick ? quick : full;
}
