// The needs report's counters in SQLite: written in the turn's transaction
// (SqliteStore.saveTurn calls count()), read by the desk and the terminal.
// Tables (the Store's migration 6): report_counts, report_seen.
import type Database from 'better-sqlite3';
import type { CountRow, ReportCount, ReportReader } from './types.ts';

export const REPORT_SQLITE_MIGRATION = `CREATE TABLE report_counts (
     week TEXT NOT NULL,
     city TEXT NOT NULL,
     language TEXT NOT NULL,
     category TEXT NOT NULL,
     outcome TEXT NOT NULL,
     channel TEXT NOT NULL,
     people INTEGER NOT NULL,
     PRIMARY KEY (week, city, language, category, outcome, channel)
   ) WITHOUT ROWID;
   CREATE TABLE report_seen (
     week TEXT NOT NULL,
     hash TEXT NOT NULL,
     PRIMARY KEY (week, hash)
   ) WITHOUT ROWID;`;

export class SqliteCounters implements ReportReader {
  private readonly seen;
  private readonly bump;
  private readonly close;
  /** The week whose older hashes this process has deleted already. */
  private closedBefore: string | null = null;

  constructor(private readonly db: Database.Database) {
    this.seen = db.prepare('INSERT INTO report_seen (week, hash) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.bump = db.prepare(
      `INSERT INTO report_counts (week, city, language, category, outcome, channel, people) VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (week, city, language, category, outcome, channel) DO UPDATE SET people = people + 1`,
    );
    this.close = db.prepare('DELETE FROM report_seen WHERE week < ?');
  }

  /** Inside the turn's transaction. A person already seen in this cell this week changes nothing. */
  count(c: ReportCount): void {
    const { cell } = c;
    if (this.closedBefore !== cell.week) {
      this.close.run(cell.week);
      this.closedBefore = cell.week;
    }
    if (this.seen.run(cell.week, c.seen).changes === 0) return;
    this.bump.run(cell.week, cell.city, cell.language, cell.category, cell.outcome, cell.channel);
  }

  /** The week closed: its people hashes go (the counters stay). */
  closeWeeks(before: string): number {
    return this.close.run(before).changes;
  }

  async rows(range: { from: string; to: string }): Promise<CountRow[]> {
    return this.db
      .prepare<[string, string], CountRow>(
        `SELECT week, city, language, category, outcome, channel, people FROM report_counts
         WHERE week >= ? AND week <= ? ORDER BY week, city, category, outcome, language, channel`,
      )
      .all(range.from, range.to);
  }
}
