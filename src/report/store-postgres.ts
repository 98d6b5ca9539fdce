// The needs report's counters in PostgreSQL: written by the turn itself
// (waymark_turn(), the Store's migration 3, takes the count as a parameter),
// read by the desk and the terminal. Tables (the Store's migration 2):
// report_counts, report_seen.
import type pg from 'pg';
import type { CountRow, ReportReader } from './types.ts';

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
