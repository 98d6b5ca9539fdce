// The needs report's shared types. A counter is keyed by week, city,
// language, category, outcome and channel; it holds how many people that
// week asked and got that outcome. Nothing in it is about one person.
import type { Channel, Outcome } from '../conversation/types.ts';

export type { Outcome };

/** One counter's key. `week` is the Monday (London time) that starts the ISO week, 'YYYY-MM-DD'. */
export interface Cell {
  week: string;
  /** '' when the city was not known yet. */
  city: string;
  language: string;
  /** '' when not understood; 'crisis' for danger. */
  category: string;
  outcome: Outcome;
  channel: Channel;
}

/** What one handled message adds, written in the turn's transaction. */
export interface ReportCount {
  cell: Cell;
  /**
   * A keyed hash of (the person, the cell), under a key of that week only:
   * the first time it is seen that week the cell's people count goes up.
   * The set of them is deleted when the week closes.
   */
  seen: string;
}

export interface CountRow extends Cell {
  people: number;
}

/** Reading the counters (the desk, the CSV, the terminal). Weeks inclusive. */
export interface ReportReader {
  rows(range: { from: string; to: string }): Promise<CountRow[]>;
}
