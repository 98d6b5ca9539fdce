// The needs report's counters in PostgreSQL: written in the turn's
// transaction (PostgresStore.saveTurn calls PostgresCounting.count()), read by the
// desk and the terminal. Tables (the Store's migration 2): report_counts, report_seen.
import type pg from 'pg';
import type { PoolClient } from 'pg';
import type { CountRow, ReportCount, ReportReader } from './types.ts';

export const REPORT_POSTGRES_MIGRATION = `CREATE TABLE report_counts (
     week text NOT NULL CHECK (week ~ '^\\d{4}-\\d{2}-\\d{2}$'),
     city text NOT NULL,
     language text NOT NULL,
     category text NOT NULL,
     outcome text NOT NULL CHECK (outcome IN ('answered', 'nothing_listed', 'not_understood', 'crisis')),
     channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
     people integer NOT NULL,
     PRIMARY KEY (week, city, language, category, outcome, channel)
   );
   CREATE TABLE report_seen (
     week text NOT NULL,
     hash text NOT NULL,
     PRIMARY KEY (week, hash)
   );`;

/** Writes counts inside the turn's transaction: one round trip (two when a week has just begun). */
export class PostgresCounting {
  /** The week whose older hashes this store has deleted already. */
  private closedBefore: string | null = null;

  async count(c: PoolClient, count: ReportCount): Promise<void> {
    const { cell } = count;
    if (this.closedBefore !== cell.week) {
      await c.query('DELETE FROM report_seen WHERE week < $1', [cell.week]);
      this.closedBefore = cell.week;
    }
    await c.query(
      `WITH s AS (INSERT INTO report_seen (week, hash) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1)
       INSERT INTO report_counts (week, city, language, category, outcome, channel, people)
       SELECT $1, $3, $4, $5, $6, $7, 1 FROM s
       ON CONFLICT (week, city, language, category, outcome, channel) DO UPDATE SET people = report_counts.people + 1`,
      [cell.week, count.seen, cell.city, cell.language, cell.category, cell.outcome, cell.channel],
    );
  }
}

export class PostgresCounters implements ReportReader {
  constructor(private readonly pool: pg.Pool) {}

  async rows(range: { from: string; to: string }): Promise<CountRow[]> {
    const { rows } = await this.pool.query<CountRow>(
      `SELECT week, city, language, category, outcome, channel, people FROM report_counts
       WHERE week >= $1 AND week <= $2 ORDER BY week, city, category, outcome, language, channel`,
      [range.from, range.to],
    );
    return rows;
  }
}
