// What a run prints: a table (one figure column, or SQLite | PostgreSQL),
// notes and errors, and last one JSON line with the figures.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { PgBench } from './postgres.ts';
import type { DispatchResults, DueResults } from './reminders.ts';
import {
  CONNECTIONS,
  DISPATCH_MPS,
  DISPATCH_SUBS,
  DURATION_S,
  GOAL_DUE_MS,
  GOAL_P99_MS,
  GOAL_RATIO,
  LOAD_AT_START,
  PG_POOL_SIZE,
  SENDERS,
  WARMUP_S,
} from './settings.ts';
import type { BaselineResults, WebhookResults } from './webhook.ts';

export const fmt = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const round = (n: number | null | undefined, digits = 2): number | null =>
  n === null || n === undefined || Number.isNaN(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

export interface Results {
  b: BaselineResults;
  w: WebhookResults;
  wp: WebhookResults | null;
  d: DueResults | null;
  x: DispatchResults | null;
  xp: DispatchResults | null;
  pgb: PgBench | null;
  /** performance.now() at the start of the run. */
  startedAt: number;
}

/** Prints the report; returns the number of errors found (a missed goal is not one). */
export function report({ b, w, wp, d, x, xp, pgb, startedAt }: Results): number {
  const errors: string[] = [];
  const ratioOf = (r: WebhookResults) => r.webhook.rps / b.baseline.rps;
  const ratio = ratioOf(w);
  const pf = (ok: boolean) => (ok ? 'PASS' : 'MISS');

  // One figure column, or two (SQLite | PostgreSQL) when DATABASE_URL is set.
  const two = pgb !== null;
  const rows: string[][] = [two ? ['measure', 'SQLite', 'PostgreSQL', 'goal', 'result'] : ['measure', 'figure', 'goal', 'result']];
  /** A row measured on each store. */
  const each = <T>(measure: string, a: T, p: T | null, figure: (r: T) => string, goal: string, result: (r: T) => string) => {
    if (!two) return void rows.push([measure, figure(a), goal, result(a)]);
    const results = p === null ? result(a) : result(a) || result(p) ? `${result(a)} / ${result(p)}` : '';
    rows.push([measure, figure(a), p === null ? 'n/a' : figure(p), goal, results]);
  };
  /** A row that does not depend on the store. */
  const one = (measure: string, figure: string, goal: string, result: string, pgCell = '') =>
    void rows.push(two ? [measure, figure, pgCell, goal, result] : [measure, figure, goal, result]);
  const hookOk = (r: WebhookResults) => r.webhook.non2xx + r.check.bad.count + r.webhook.errors + r.webhook.timeouts === 0;

  one('baseline (bare Fastify)', `${fmt(b.baseline.rps, 0)} req/s, p50 ${fmt(b.baseline.p50, 2)} ms, p99 ${fmt(b.baseline.p99, 2)} ms`, '', '', '(the same baseline)');
  each('webhook (real server)', w, wp, (r) => `${fmt(r.webhook.rps, 0)} req/s, p50 ${fmt(r.webhook.p50, 2)} ms, p90 ${fmt(r.webhook.p90, 2)} ms, p99 ${fmt(r.webhook.p99, 2)} ms, max ${fmt(r.webhook.max, 1)} ms`, '', () => '');
  each('webhook / baseline', w, wp, (r) => fmt(ratioOf(r), 3), `>= ${GOAL_RATIO}`, (r) => pf(ratioOf(r) >= GOAL_RATIO));
  each('webhook p99', w, wp, (r) => `${fmt(r.webhook.p99, 2)} ms`, `< ${GOAL_P99_MS} ms at ${CONNECTIONS} conns`, (r) => pf(r.webhook.p99 < GOAL_P99_MS));
  each('webhook non-2xx / bad answers', w, wp, (r) => `${r.webhook.non2xx} / ${r.check.bad.count} (errors ${r.webhook.errors}, timeouts ${r.webhook.timeouts})`, '0', (r) => (hookOk(r) ? 'ok' : 'ERROR'));
  each('conversation checks', w, wp, (r) => `${r.check.responses} answers, ${r.check.detailsChecked} service details checked, ${r.check.mismatches.count} unexpected`, '0 unexpected', (r) => (r.check.mismatches.count === 0 ? 'ok' : 'WARN'));
  each('webhook mix (measured run)', w, wp, (r) => `${fmt(r.mix.returning * 100, 0)}% from people already known, ${fmt(r.mix.firstContacts * 100, 0)}% first contacts`, '', () => '');
  if (wp) one('PostgreSQL round trips per message', '(in process)', '1', wp.pgRoundTripsPerTurn !== null && wp.pgRoundTripsPerTurn <= 1.05 ? 'PASS' : 'MISS', fmt(wp.pgRoundTripsPerTurn, 3));
  each('webhook peak RSS (VmHWM)', w, wp, (r) => `${fmt(r.peakRssMb, 1)} MB (sampled VmRSS max ${fmt(r.sampledRssMb, 1)} MB; baseline ${fmt(b.baselinePeakRssMb, 1)} MB)`, '', () => '');
  if (d) {
    one('due() 100k, all due', `${fmt(d.allDueMs, 1)} ms best of 3 (${d.allDueRuns.map((r) => fmt(r, 1)).join(' / ')}), ${d.allDueItems} items`, `< ${GOAL_DUE_MS} ms`, pf(d.allDueMs < GOAL_DUE_MS));
    one('due() 100k, bench/due.ts mix', `${fmt(d.mixedMs, 1)} ms best of 3, ${d.mixedItems} items`, `< ${GOAL_DUE_MS} ms`, pf(d.mixedMs < GOAL_DUE_MS));
  }
  if (x) {
    each('dispatch', x, xp, (r) => `${r.sent} sent in ${fmt(r.elapsedS, 2)} s = ${fmt(r.mps, 1)} msg/s (limit ${DISPATCH_MPS}/s); dispatcher + stand-in used ${fmt(r.selfCpuPct, 0)}% of a CPU`, '', () => '');
    each('dispatch max in any 1 s', x, xp, (r) => `${r.maxInWindow} (rate limit honoured: ${r.rateHonoured ? 'yes' : 'no'})`, `<= ${DISPATCH_MPS} + 1`, (r) => pf(r.rateHonoured));
    each('dispatch duplicates', x, xp, (r) => String(r.duplicates), '0', (r) => (r.duplicates === 0 ? 'ok' : 'ERROR'));
    each('second dispatcher tick', x, xp, (r) => `${r.secondTickSent} sent`, '0', (r) => (r.secondTickSent === 0 ? 'ok' : 'ERROR'));
    each('outbox after', x, xp, (r) => `${JSON.stringify(r.outboxStatus)}, ${r.distinctSids} distinct SIDs`, `${DISPATCH_SUBS} sent`, (r) => (r.outboxStatus.sent === DISPATCH_SUBS ? 'ok' : 'ERROR'));
  }
  const others = [b.baselineOtherCpuPct, w.otherCpuPct, x?.otherCpuPct ?? 0];
  const othersPg = xp ? [wp?.otherCpuPct ?? NaN, xp.otherCpuPct] : [wp?.otherCpuPct ?? NaN];
  if (pgb && wp) {
    const pgCpu =
      pgb.postmaster === null
        ? 'not measured (not on this machine)'
        : `${fmt(wp.dbCpuPct, 0)}% of a CPU during the webhook run` + (xp ? `, ${fmt(xp.dbCpuPct, 0)}% during dispatch` : '');
    one('database server CPU', '(in process: SQLite is a library)', '', '', pgCpu);
  }
  one(
    'other processes\' CPU (incl. kernel)',
    `${others.map((p) => `${fmt(p, 0)}%`).join(' / ')} of the machine during baseline / webhook / dispatch`,
    'about 0%',
    Math.max(...[...others, ...(two ? othersPg : [])].filter((p) => !Number.isNaN(p))) > 10 ? 'WARN: figures skewed' : 'ok',
    (xp ? `${othersPg.map((p) => `${fmt(p, 0)}%`).join(' / ')} during webhook / dispatch` : `${fmt(othersPg[0], 0)}% during webhook`) + ' (the PostgreSQL server not counted)',
  );
  console.log('');
  console.log(
    `Waymark bench: node ${process.version}, ${os.cpus().length} CPUs, ${CONNECTIONS} connections, ${DURATION_S} s per load run (after ${WARMUP_S} s warm-up); ` +
      `load average at start ${LOAD_AT_START.map((l) => l.toFixed(2)).join(' ')}, now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  if (pgb) {
    console.log(
      `PostgreSQL ${pgb.version} at ${pgb.where}${pgb.postmaster === null ? '' : ' (this machine)'}: each run in an empty schema of its own ` +
        `(${pgb.hookSchema}, ${pgb.dispatchSchema}; dropped at the end), pool of ${PG_POOL_SIZE} connections`,
    );
  }
  console.log(table(rows));
  if (!pgb) console.log('PostgreSQL: set DATABASE_URL=postgres://… to add a PostgreSQL column');

  for (const [pre, r] of [['', w], ['PostgreSQL ', wp]] as const) {
    if (!r) continue;
    if (r.webhook.non2xx > 0) errors.push(`${pre}webhook: ${r.webhook.non2xx} non-2xx responses`);
    if (r.check.bad.count > 0) errors.push(`${pre}webhook: ${r.check.bad.count} answers not 200 text/xml, e.g.:\n    ${r.check.bad.samples.join('\n    ')}`);
    if (r.webhook.errors + r.webhook.timeouts > 0) errors.push(`${pre}webhook: ${r.webhook.errors} socket errors, ${r.webhook.timeouts} timeouts`);
    if (pre === '' && b.baseline.non2xx + b.baseline.errors + b.baseline.timeouts > 0) {
      errors.push(`baseline: ${b.baseline.non2xx} non-2xx, ${b.baseline.errors} errors, ${b.baseline.timeouts} timeouts`);
    }
    if (r.check.mismatches.count > 0) console.log(`WARN ${pre}conversation: ${r.check.mismatches.count} unexpected replies, e.g.:\n    ${r.check.mismatches.samples.join('\n    ')}`);
    if (r.sendersUsed > SENDERS) console.log(`note: the ${pre}run used more than the ${SENDERS} precomputed senders (${r.sendersUsed})`);
    if (r.serverLogLines > 0) console.log(`note: the ${pre}server child wrote ${r.serverLogLines} log lines at level warn or above; last:\n${r.serverLogTail.split('\n').slice(-5).join('\n')}`);
  }
  for (const [pre, r] of [['', x], ['PostgreSQL ', xp]] as const) {
    if (!r) continue;
    if (r.duplicates > 0) errors.push(`${pre}dispatch: ${r.duplicates} (To, Body) pairs received more than once`);
    if (r.secondTickSent > 0) errors.push(`${pre}dispatch: the second tick sent ${r.secondTickSent} more`);
    if (r.sent !== DISPATCH_SUBS) errors.push(`${pre}dispatch: the stand-in received ${r.sent} messages, expected ${DISPATCH_SUBS} (report ${JSON.stringify(r.report)})`);
    if (r.rejected > 0) errors.push(`${pre}dispatch: the stand-in refused ${r.rejected} requests`);
  }
  if (w.profileSummary) console.log('\n' + w.profileSummary);
  if (wp?.profileSummary) console.log('\n' + wp.profileSummary);
  for (const e of errors) console.log(`ERROR ${e}`);
  console.log(`total time ${fmt((performance.now() - startedAt) / 1000, 1)} s`);

  console.log(
    JSON.stringify({
      baseline_rps: round(b.baseline.rps, 0),
      webhook_rps: round(w.webhook.rps, 0),
      ratio: round(ratio, 3),
      webhook_p50_ms: round(w.webhook.p50, 3),
      webhook_p90_ms: round(w.webhook.p90, 3),
      webhook_p99_ms: round(w.webhook.p99, 3),
      webhook_max_ms: round(w.webhook.max, 3),
      baseline_p50_ms: round(b.baseline.p50, 3),
      baseline_p99_ms: round(b.baseline.p99, 3),
      webhook_requests: w.webhook.total,
      webhook_non2xx: w.webhook.non2xx,
      webhook_bad_answers: w.check.bad.count,
      conversation_mismatches: w.check.mismatches.count,
      due_100k_ms: round(d?.allDueMs, 2),
      due_100k_items: d?.allDueItems ?? null,
      due_100k_mixed_ms: round(d?.mixedMs, 2),
      dispatch_mps: round(x?.mps, 1),
      dispatch_limit_mps: DISPATCH_MPS,
      dispatch_sent: x?.sent ?? null,
      dispatch_max_in_1s: x?.maxInWindow ?? null,
      rate_limit_honoured: x ? x.rateHonoured : null,
      duplicates: x?.duplicates ?? null,
      second_tick_sent: x?.secondTickSent ?? null,
      peak_rss_mb: round(w.peakRssMb, 1),
      mix: { first_contacts: round(w.mix.firstContacts, 3), returning: round(w.mix.returning, 3) },
      other_cpu_pct: { baseline: round(b.baselineOtherCpuPct, 1), webhook: round(w.otherCpuPct, 1), dispatch: round(x?.otherCpuPct, 1) },
      goals: {
        ratio_ge_0_5: ratio >= GOAL_RATIO,
        p99_lt_10ms: w.webhook.p99 < GOAL_P99_MS,
        due_lt_1000ms: d ? d.allDueMs < GOAL_DUE_MS : null,
      },
      errors: errors.length,
      postgres: wp
        ? {
            webhook_rps: round(wp.webhook.rps, 0),
            ratio: round(ratioOf(wp), 3),
            webhook_p50_ms: round(wp.webhook.p50, 3),
            webhook_p99_ms: round(wp.webhook.p99, 3),
            pg_round_trips_per_turn: round(wp.pgRoundTripsPerTurn, 3),
            mix: { first_contacts: round(wp.mix.firstContacts, 3), returning: round(wp.mix.returning, 3) },
            peak_rss_mb: round(wp.peakRssMb, 1),
            dispatch_mps: round(xp?.mps, 1),
            duplicates: xp?.duplicates ?? null,
            rate_limit_honoured: xp ? xp.rateHonoured : null,
            second_tick_sent: xp?.secondTickSent ?? null,
            webhook_non2xx: wp.webhook.non2xx,
            conversation_mismatches: wp.check.mismatches.count,
            server_cpu_pct: { webhook: round(wp.dbCpuPct, 1), dispatch: round(xp?.dbCpuPct, 1) },
            other_cpu_pct: { webhook: round(wp.otherCpuPct, 1), dispatch: round(xp?.otherCpuPct, 1) },
            goals: { ratio_ge_0_5: ratioOf(wp) >= GOAL_RATIO, p99_lt_10ms: wp.webhook.p99 < GOAL_P99_MS },
          }
        : null,
    }),
  );
  return errors.length;
}

