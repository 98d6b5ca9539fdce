// The desk's report page: the filter, the chart, the same figures as a
// table, and the unmet needs. Counts only; small numbers hidden (view.ts).
import { CITY_IDS, CITY_NAMES } from '../catalogue/types.ts';
import { Html, html } from '../staff/html.ts';
import { chartSvg, weekLabel } from './chart.ts';
import { label, type ReportView } from './view.ts';

export const CITY_CHOICES: Array<{ id: string; name: string }> = [
  { id: '', name: 'All cities' },
  ...CITY_IDS.map((id) => ({ id, name: CITY_NAMES[id] })),
  { id: '-', name: 'City not known yet' },
];

export function cityName(id: string): string {
  return id === '' ? 'Not known yet' : (CITY_CHOICES.find((c) => c.id === id)?.name ?? id);
}

export interface ReportPageData {
  view: ReportView;
  from: string;
  to: string;
  /** The form's city value ('' all, '-' not known). */
  city: string;
  error: string | null;
  csvHref: string;
}

export function reportBody(d: ReportPageData): Html {
  const { view } = d;
  const cityLabel = CITY_CHOICES.find((c) => c.id === d.city)?.name ?? 'All cities';
  const range = `${weekLabel(view.weeks[0])} to ${weekLabel(view.weeks[view.weeks.length - 1])} ${view.weeks[view.weeks.length - 1].slice(0, 4)}`;
  const title = `People who asked, per need and week: ${cityLabel}, weeks starting ${range}`;
  const options = CITY_CHOICES.map((c) => html`<option value="${c.id}"${c.id === d.city ? new Html(' selected') : ''}>${c.name}</option>`);
  const filter = html`<form method="get" action="/staff/report" class="panel filters">
  <div class="field">
    <label for="from">From the week of</label>
    <input type="date" id="from" name="from" value="${d.from}" class="short">
  </div>
  <div class="field">
    <label for="to">To the week of</label>
    <input type="date" id="to" name="to" value="${d.to}" class="short">
  </div>
  <div class="field">
    <label for="city">City</label>
    <select id="city" name="city">${options}</select>
  </div>
  <button type="submit">Show</button>
</form>`;
  const chart = view.categories.length
    ? html`<figure class="panel chart">${chartSvg(view, title)}<figcaption class="muted">${title}. The table below gives the same figures.</figcaption></figure>`
    : html`<p class="panel">Nobody asked anything in these weeks${d.city ? ` in ${cityLabel}` : ''}.</p>`;
  const table = view.categories.length
    ? html`<div class="table-wrap"><table>
  <caption>People who asked, per need and week (${cityLabel})</caption>
  <thead><tr><th scope="col">Need</th>${view.weeks.map((w) => html`<th scope="col" class="num">${weekLabel(w)}</th>`)}</tr></thead>
  <tbody>${view.categories.map((c) => html`<tr><th scope="row">${c.name}</th>${c.perWeek.map((s) => html`<td class="num">${label(s)}</td>`)}</tr>`)}</tbody>
</table></div>`
    : html``;
  const unmet = view.unmet.length
    ? html`<div class="table-wrap"><table>
  <caption>Asked for, and nothing listed in the city (people, weeks starting ${range})</caption>
  <thead><tr><th scope="col">Need</th><th scope="col">City</th><th scope="col" class="num">People</th></tr></thead>
  <tbody>${view.unmet.map((u) => html`<tr><td>${u.name}</td><td>${cityName(u.city)}</td><td class="num">${label(u.people)}</td></tr>`)}</tbody>
</table></div>`
    : html`<p>No one asked for something that is not listed in their city in these weeks.</p>`;
  return html`<h1>Needs report</h1>
<p class="lead">How many people asked Waymark for each kind of help, week by week (Monday to Sunday, London time), and what they asked for that nothing listed answers. Counts only: no numbers, no messages, no one person.</p>
${d.error ? html`<div class="errors" role="alert"><p>${d.error}</p></div>` : ''}
${filter}
<p><a href="${d.csvHref}" download>Download these figures (CSV)</a></p>
${chart}
${table}
<p class="muted">A figure under 5 is shown as &lt;5. A figure shown as 5+ is at least 5, but giving it exactly would let someone work out a figure under 5 from the rest. There are no totals. A person is counted once a week for each need, city, language, outcome and channel: someone who asked in two languages counts in both.</p>
<h2>Unmet needs</h2>
${unmet}`;
}
