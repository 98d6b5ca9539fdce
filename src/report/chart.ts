// The report's chart, drawn on the server as SVG: one row of bars per
// category, one bar per week, each labelled with what the table shows
// ("<5" draws no bar; "5+" a dashed bar of 5). No script, no library, no CDN.
import { Html, html } from '../staff/html.ts';
import { label, type ReportView, type Shown } from './view.ts';

const W = 760;
const LEFT = 170;
const RIGHT = 10;
const ROW = 70;
const BAR_MAX = 44;
const TOP = 10;
const AXIS = 40;

function weekLabel(monday: string): string {
  const [y, m, d] = monday.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

const value = (s: Shown) => (s.kind === 'exact' ? s.n : s.kind === 'atLeast' ? 5 : 0);

export function chartSvg(view: ReportView, title: string): Html {
  const rows = view.categories;
  const n = view.weeks.length;
  const h = TOP + rows.length * ROW + AXIS;
  const slot = (W - LEFT - RIGHT) / Math.max(n, 1);
  const barW = Math.max(4, Math.min(44, slot * 0.62));
  const max = Math.max(5, ...rows.flatMap((r) => r.perWeek.map(value)));
  const x = (i: number) => LEFT + slot * i + (slot - barW) / 2;
  const parts: Html[] = [];
  rows.forEach((r, ri) => {
    const base = TOP + ri * ROW + ROW - 8;
    parts.push(html`<text x="${LEFT - 10}" y="${base - 6}" text-anchor="end" font-size="15" font-weight="600" fill="#1d2327">${r.name}</text>`);
    parts.push(html`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${base}" y2="${base}" stroke="#c9cec6" stroke-width="1"/>`);
    r.perWeek.forEach((s, i) => {
      const v = value(s);
      const bh = v === 0 ? 0 : Math.max(2, (v / max) * BAR_MAX);
      const cx = x(i) + barW / 2;
      if (bh > 0) {
        parts.push(
          s.kind === 'atLeast'
            ? html`<rect x="${x(i).toFixed(1)}" y="${(base - bh).toFixed(1)}" width="${barW.toFixed(1)}" height="${bh.toFixed(1)}" fill="#dbe9f4" stroke="#1a5e8a" stroke-dasharray="3 2"/>`
            : html`<rect x="${x(i).toFixed(1)}" y="${(base - bh).toFixed(1)}" width="${barW.toFixed(1)}" height="${bh.toFixed(1)}" fill="#1a5e8a"/>`,
        );
      }
      const shown = label(s);
      if (!(s.kind === 'exact' && s.n === 0)) {
        parts.push(html`<text x="${cx.toFixed(1)}" y="${(base - bh - 3).toFixed(1)}" text-anchor="middle" font-size="13" fill="${s.kind === 'exact' ? '#1d2327' : '#4a5459'}">${shown}</text>`);
      }
    });
  });
  const axisY = TOP + rows.length * ROW + 14;
  const every = n > 16 ? Math.ceil(n / 12) : 1;
  view.weeks.forEach((w, i) => {
    if (i % every === 0) parts.push(html`<text x="${(x(i) + barW / 2).toFixed(1)}" y="${axisY}" text-anchor="middle" font-size="13" fill="#4a5459">${weekLabel(w)}</text>`);
  });
  parts.push(html`<text x="${LEFT}" y="${axisY + 18}" font-size="13" fill="#4a5459">Week starting (Monday)</text>`);
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-labelledby="chart-title" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif">
<title id="chart-title">${title}</title>
${parts}
</svg>`;
}

export { weekLabel };
