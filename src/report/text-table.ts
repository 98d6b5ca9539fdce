// The report as plain text, for a terminal (npm run report): the same
// figures and the same hiding as the desk's page.
import { weekLabel } from './chart.ts';
import { cityName } from './page.ts';
import { label, type ReportView } from './view.ts';

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function reportText(view: ReportView, o: { cityLabel: string }): string {
  const first = view.weeks[0];
  const last = view.weeks[view.weeks.length - 1];
  const out = [`Needs report: ${o.cityLabel}, weeks starting ${first} to ${last} (Monday to Sunday, London time)`, ''];
  if (view.categories.length === 0) out.push('Nobody asked anything in these weeks.');
  else {
    out.push('People who asked, per need and week:');
    out.push(pad([['Need', ...view.weeks.map(weekLabel)], ...view.categories.map((c) => [c.name, ...c.perWeek.map(label)])]));
  }
  out.push('', 'Unmet needs (asked for, nothing listed in the city), people in these weeks:');
  if (view.unmet.length === 0) out.push('None.');
  else out.push(pad([['Need', 'City', 'People'], ...view.unmet.map((u) => [u.name, cityName(u.city), label(u.people)])]));
  out.push('', '<5: under 5. 5+: at least 5 (exact would let a figure under 5 be worked out). No totals.');
  return out.join('\n') + '\n';
}
