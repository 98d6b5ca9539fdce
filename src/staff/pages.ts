// The desk's pages, as HTML bodies (page() in html.ts wraps them). Every
// value is escaped by the html tag. Counts only: no page ever shows who
// subscribed or what anyone texted.
import { findService } from '../catalogue/offered.ts';
import type { Catalogue, Service } from '../catalogue/types.ts';
import type { AuditEntry, MessageCounts, Revision, StaffAccount, StaffMessage } from '../catalogue/store-types.ts';
import { FIELD_NAMES, shownFields } from '../catalogue/revisions.ts';
import { CITY_NAMES, WEEKDAYS as WEEKDAY_ORDER } from '../catalogue/types.ts';
import { Html, csrfField, fieldError, html, invalidAttrs } from './html.ts';
import { BLANK_ROWS, DAY_NAMES, STATUSES, lastConfirmed, statusLabel, type Errors, type FormValues } from './service-form.ts';

const PLACE_NAMES: Record<string, string> = { ...CITY_NAMES, national: 'National' };

export function cityOf(s: Service): string {
  return PLACE_NAMES[s.location?.city ?? s.area] ?? s.area;
}

export function formatDate(d: string | null | undefined): string {
  if (!d) return 'never';
  const [y, m, day] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, day)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function formatTime(at: Date): string {
  return at.toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const statusBadge = (status: string) => html`<span class="status status-${status}">${statusLabel(status)}</span>`;
const draftBadge = (s: Service) => (s.draft ? html` <span class="status status-draft">Draft</span>` : '');

export function loginBody(o: { csrf: string; email: string; error: string | null }): Html {
  return html`<h1>Sign in</h1>
<p class="lead">For the staff and volunteers who keep Waymark's services up to date.</p>
${o.error ? html`<div class="errors" role="alert"><p>${o.error}</p></div>` : ''}
<form method="post" action="/staff/login" class="panel" novalidate>
  ${csrfField(o.csrf)}
  <div class="field">
    <label for="email">Email</label>
    <input type="email" id="email" name="email" autocomplete="username" spellcheck="false" value="${o.email}" required>
  </div>
  <div class="field">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
  </div>
  <button type="submit">Sign in</button>
</form>
<p class="muted">No account? Ask an administrator. Accounts are created with <code>npm run staff -- add</code>.</p>`;
}

export function servicesBody(catalogue: Catalogue): Html {
  const rows = catalogue.services.map(
    (s) => html`<tr>
  <td><a href="/staff/services/${encodeURIComponent(s.id)}">${s.name}</a></td>
  <td>${cityOf(s)}</td>
  <td>${statusBadge(s.status)}${draftBadge(s)}</td>
  <td>${formatDate(lastConfirmed(s))}</td>
</tr>`,
  );
  return html`<h1>Services</h1>
<p class="lead">${catalogue.services.length} services. Open one to correct its facts, close it for a day or tell its subscribers something.</p>
<div class="table-wrap">
<table>
  <caption class="vh">Every service, with when its facts were last confirmed</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">City</th><th scope="col">Status</th><th scope="col">Last confirmed</th></tr></thead>
  <tbody>${rows}</tbody>
</table>
</div>`;
}

function textField(o: { id: string; label: string; value: string; error?: string; hint?: string; type?: string; autocomplete?: string; cls?: string }): Html {
  return html`<div class="field">
  <label for="${o.id}">${o.label}</label>
  ${o.hint ? html`<span class="hint" id="${o.id}-hint">${o.hint}</span>` : ''}
  <input type="${o.type ?? 'text'}" id="${o.id}" name="${o.id}" value="${o.value}"${o.cls ? new Html(` class="${o.cls}"`) : ''}${invalidAttrs(o.id, o.error)} autocomplete="${o.autocomplete ?? 'off'}">
  ${fieldError(o.id, o.error)}
</div>`;
}

function timeRow(i: number, r: { day: string; opens: string; closes: string; note: string; remove: boolean }, errors: Errors, blank: boolean): Html {
  const n = i + 1;
  const day = `day-${i}`;
  const opens = `opens-${i}`;
  const closes = `closes-${i}`;
  const note = `rownote-${i}`;
  const options = [
    html`<option value="">${blank ? 'Choose a day' : '—'}</option>`,
    ...WEEKDAY_ORDER.map((d) => html`<option value="${d}"${r.day === d ? new Html(' selected') : ''}>${DAY_NAMES[d]}</option>`),
  ];
  const unknownDay = r.day && !WEEKDAY_ORDER.includes(r.day as never) ? html`<option value="${r.day}" selected>${r.day}</option>` : '';
  return html`<div class="row${blank ? ' blank' : ''}">
  <div class="field day"><label for="${day}">Day<span class="vh">, row ${n}</span></label>
    <select id="${day}" name="${day}"${invalidAttrs(day, errors[day])}>${options}${unknownDay}</select>${fieldError(day, errors[day])}</div>
  <div class="field"><label for="${opens}">Opens<span class="vh">, row ${n}</span></label>
    <input type="text" inputmode="numeric" placeholder="09:30" id="${opens}" name="${opens}" value="${r.opens}" class="short"${invalidAttrs(opens, errors[opens])}>${fieldError(opens, errors[opens])}</div>
  <div class="field"><label for="${closes}">Closes<span class="vh">, row ${n}</span></label>
    <input type="text" inputmode="numeric" placeholder="14:00" id="${closes}" name="${closes}" value="${r.closes}" class="short"${invalidAttrs(closes, errors[closes])}>${fieldError(closes, errors[closes])}</div>
  <div class="field wide"><label for="${note}">Note<span class="vh">, row ${n}</span></label>
    <input type="text" id="${note}" name="${note}" value="${r.note}"${invalidAttrs(note, errors[note])}>${fieldError(note, errors[note])}</div>
  ${blank ? html`<div></div>` : html`<div class="check"><input type="checkbox" id="remove-${i}" name="remove-${i}" value="1"${r.remove ? new Html(' checked') : ''}><label for="remove-${i}">Remove<span class="vh"> row ${n}</span></label></div>`}
</div>`;
}

export interface ServicePageData {
  service: Service;
  values: FormValues;
  errors: Errors;
  /** Rows that came from the service (the rest are blank rows for adding). */
  existingRows: number;
  closureError?: string;
  closureValue?: string;
  subscribers: number;
  messages: Array<StaffMessage & { counts: MessageCounts }>;
  revisions: Revision[];
  messageError?: string;
  messageValue?: string;
  today: string;
  /** The catalogue's categories, for a draft's Publish form. */
  categories?: Array<{ id: string; name: string }>;
  publishError?: string;
}

/** A draft's panel: it reaches nobody until a person publishes it, with at least one category. */
function publishPanel(d: ServicePageData, base: string, csrf: string): Html {
  const s = d.service;
  return html`<div class="panel" id="draft">
<h2>Draft</h2>
<p>Imported from an Open Referral (HSDS) feed. Not offered to anyone and not in Waymark's own feed until you publish it. Check its facts first.</p>
<form method="post" action="${base}/publish" novalidate>
  ${csrfField(csrf)}
  <fieldset>
    <legend>Categories</legend>
    ${d.publishError ? html`<span class="error-message" id="categories-error">${d.publishError}</span>` : ''}
    ${(d.categories ?? []).map(
      (c) => html`<div class="check"><input type="checkbox" id="category-${c.id}" name="category" value="${c.id}"${s.categories.includes(c.id) ? new Html(' checked') : ''}><label for="category-${c.id}">${c.name}</label></div>`,
    )}
  </fieldset>
  <div class="actions"><button type="submit">Publish</button></div>
</form>
</div>`;
}

export function serviceBody(d: ServicePageData, csrf: string): Html {
  const s = d.service;
  const v = d.values;
  const e = d.errors;
  const base = `/staff/services/${encodeURIComponent(s.id)}`;
  const errorList = Object.entries(e);
  const rows = [...v.rows];
  while (rows.length < d.existingRows + BLANK_ROWS) rows.push({ day: '', opens: '', closes: '', note: '', remove: false });
  const closures = s.holiday_schedules
    .map((h, i) => ({ h, i }))
    .filter(({ h }) => h.closed)
    .sort((a, b) => a.h.start_date.localeCompare(b.h.start_date));
  return html`<p><a href="/staff">← All services</a></p>
<h1>${s.name}</h1>
<p class="meta"><span>${cityOf(s)}</span> ${statusBadge(s.status)}${draftBadge(s)} <span>Last confirmed: ${formatDate(lastConfirmed(s))}</span></p>
${s.draft ? publishPanel(d, base, csrf) : ''}
${errorList.length ? html`<div class="errors" role="alert" tabindex="-1"><h2>Nothing was saved: please correct ${errorList.length === 1 ? 'this' : 'these'}</h2><ul>${errorList.map(([k, m]) => html`<li><a href="#${k}">${m}</a></li>`)}</ul></div>` : ''}

<h2 id="facts">Facts</h2>
<form method="post" action="${base}" novalidate>
  ${csrfField(csrf)}
  <input type="hidden" name="rows" value="${rows.length}">
  ${textField({ id: 'name', label: 'Name', value: v.name, error: e.name })}
  ${textField({ id: 'phone', label: 'Phone', value: v.phone, error: e.phone, type: 'tel', hint: 'Leave empty if there is no number to call.' })}
  ${textField({ id: 'address', label: 'Address', value: v.address, error: e.address, hint: 'Street and area, without the postcode.' })}
  ${textField({ id: 'postcode', label: 'Postcode', value: v.postcode, error: e.postcode, cls: 'short' })}
  ${textField({ id: 'website', label: 'Website', value: v.website, error: e.website, type: 'url', hint: 'For example https://example.org' })}
  <div class="field">
    <label for="status">Status</label>
    <span class="hint" id="status-hint">Temporarily closed: not offered, and subscribers are told it is closed instead of each reminder.</span>
    <select id="status" name="status"${invalidAttrs('status', e.status)}>
      ${STATUSES.map((o) => html`<option value="${o.value}"${v.status === o.value ? new Html(' selected') : ''}>${o.label}</option>`)}
    </select>
    ${fieldError('status', e.status)}
  </div>
  <fieldset>
    <legend>Weekly opening times</legend>
    <span class="hint">One row per day, 24-hour clock (09:30, 14:00). Leave the times empty if they are not known. Fill in an empty row to add a day; tick Remove to take a row away.</span>
    <div class="rows">${rows.map((r, i) => timeRow(i, r, e, i >= d.existingRows))}</div>
  </fieldset>
  <div class="field">
    <label for="note">Source note</label>
    <span class="hint" id="note-hint">Where the new facts came from: "phoned the centre", "poster on the door", "their website".</span>
    <textarea id="note" name="note" rows="2"${invalidAttrs('note', e.note)}>${v.note}</textarea>
    ${fieldError('note', e.note)}
  </div>
  <div class="actions"><button type="submit">Save</button></div>
</form>
<form method="post" action="${base}/confirm" class="actions">
  ${csrfField(csrf)}
  <button type="submit" class="secondary">Confirm unchanged</button>
  <span class="muted">Checked and nothing has changed? This records that you confirmed the facts today.</span>
</form>

<h2 id="closures">Closures</h2>
<p>On a closed day the bot says the service is closed, and its subscribers get a "closed" notice instead of their reminder.</p>
${closures.length
    ? html`<ul class="closures">${closures.map(
        ({ h, i }) => html`<li><span>${formatDate(h.start_date)}${h.end_date !== h.start_date ? html` to ${formatDate(h.end_date)}` : ''}</span>
  <form method="post" action="${base}/closures/remove" class="inline">${csrfField(csrf)}<input type="hidden" name="index" value="${i}"><input type="hidden" name="date" value="${h.start_date}">
  <button type="submit" class="link">Remove<span class="vh"> closure on ${formatDate(h.start_date)}</span></button></form></li>`,
      )}</ul>`
    : html`<p class="muted">No closures.</p>`}
<form method="post" action="${base}/closures" novalidate>
  ${csrfField(csrf)}
  <div class="field">
    <label for="closed-on">Closed on</label>
    <input type="date" id="closed-on" name="date" min="${d.today}" value="${d.closureValue ?? ''}" class="short"${invalidAttrs('closed-on', d.closureError)}>
    ${fieldError('closed-on', d.closureError)}
  </div>
  <button type="submit" class="secondary">Add closure</button>
</form>

<h2 id="tell">Tell subscribers</h2>
<p>${d.subscribers === 1 ? '1 person gets' : `${d.subscribers} people get`} reminders for this service. A message goes to each of them once, by SMS or WhatsApp, starting with the service's name.</p>
<form method="post" action="${base}/messages/preview" novalidate>
  ${csrfField(csrf)}
  <div class="field">
    <label for="message">Message to subscribers</label>
    <span class="hint" id="message-hint">Short and plain: one SMS is 160 letters. Avoid curly quotes and emoji, which make every part cost more.</span>
    <textarea id="message" name="message" rows="3"${invalidAttrs('message', d.messageError)}>${d.messageValue ?? ''}</textarea>
    ${fieldError('message', d.messageError)}
  </div>
  <button type="submit" class="secondary">Preview</button>
</form>
${d.messages.length ? messagesTable(d.messages) : ''}

<h2 id="changes">Recent changes</h2>
${d.revisions.length ? revisionsTable(d.revisions, null, csrf, false) : html`<p class="muted">No changes yet.</p>`}
<p><a href="/staff/history">All changes</a></p>`;
}

function messagesTable(list: Array<StaffMessage & { counts: MessageCounts }>): Html {
  return html`<div class="table-wrap"><table>
  <caption>Messages sent</caption>
  <thead><tr><th scope="col">When</th><th scope="col">By</th><th scope="col">Message</th><th scope="col">People</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Waiting</th><th scope="col">Not sent</th></tr></thead>
  <tbody>${list.map(
    (m) => html`<tr><td class="when">${formatTime(m.at)}</td><td>${m.who}</td><td>${m.body}</td><td class="num">${m.recipients}</td><td class="num">${m.counts.sent}</td><td class="num">${m.counts.failed}</td><td class="num">${m.counts.queued}</td><td class="num">${m.counts.notSent}</td></tr>`,
  )}</tbody>
</table></div>
<p class="muted">Messages go out within a minute; reload this page to see the counts move. "Not sent": the person stopped messages meanwhile, or WhatsApp's 24-hour rule did not allow it.</p>`;
}

export function previewBody(o: { service: Service; message: string; text: string; people: number; encoding: string; segments: number; csrf: string }): Html {
  const base = `/staff/services/${encodeURIComponent(o.service.id)}`;
  return html`<p><a href="${base}#tell">← Back to ${o.service.name}</a></p>
<h1>Check the message</h1>
<p>This is what each subscriber of <strong>${o.service.name}</strong> will get:</p>
<p class="preview">${o.text}</p>
<dl class="figures">
  <dt>People</dt><dd>${o.people}</dd>
  <dt>Encoding</dt><dd>${o.encoding}${o.encoding === 'UCS-2' ? ' (a character outside the plain SMS alphabet: 70 characters a part)' : ' (160 characters a part)'}</dd>
  <dt>SMS parts each</dt><dd>${o.segments}</dd>
  <dt>Total SMS parts</dt><dd>${o.people * o.segments}</dd>
</dl>
${o.people === 0 ? html`<p><strong>Nobody subscribes to this service yet, so sending reaches no one.</strong></p>` : ''}
<form method="post" action="${base}/messages" class="actions">
  ${csrfField(o.csrf)}
  <input type="hidden" name="message" value="${o.message}">
  <button type="submit">Send</button>
</form>
<h2>Change it</h2>
<form method="post" action="${base}/messages/preview" novalidate>
  ${csrfField(o.csrf)}
  <div class="field">
    <label for="message">Message to subscribers</label>
    <textarea id="message" name="message" rows="3">${o.message}</textarea>
  </div>
  <button type="submit" class="secondary">Preview</button>
</form>`;
}

function describeChange(r: Revision): string {
  const fields = shownFields(r.fields).map((f) => FIELD_NAMES[f] ?? f);
  switch (r.action) {
    case 'seed':
      return 'catalogue loaded from data/services.json';
    case 'confirm':
      return 'confirmed unchanged';
    case 'assure':
      return `confirmed with the organisation (${String(r.new.assured_how ?? '').replace('_', ' ')})`;
    case 'closure_add':
    case 'closure_remove': {
      const dates = (list: unknown) => ((list ?? []) as Array<{ start_date: string }>).map((h) => h.start_date);
      const [from, to] = r.action === 'closure_add' ? [dates(r.old.holiday_schedules), dates(r.new.holiday_schedules)] : [dates(r.new.holiday_schedules), dates(r.old.holiday_schedules)];
      const changed = to.filter((d) => !from.includes(d)).map(formatDate).join(', ');
      return `${r.action === 'closure_add' ? 'closed on' : 'no longer closed on'} ${changed}`;
    }
    case 'create':
      return 'service added';
    case 'delete':
      return 'service removed';
    case 'revert':
      return `undid #${r.revertOf}: ${fields.join(', ') || 'no visible fields'}`;
    default:
      return fields.join(', ') || (r.fields.length ? 'sources and dates' : 'nothing');
  }
}

export function revisionsTable(list: Revision[], catalogue: Catalogue | null, csrf: string, withService: boolean): Html {
  const name = (id: string | null) => (id === null ? 'whole catalogue' : ((catalogue && findService(catalogue, id)?.name) ?? id));
  return html`<div class="table-wrap"><table>
  <caption class="vh">Changes, newest first</caption>
  <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th>${withService ? html`<th scope="col">Service</th>` : ''}<th scope="col">What changed</th><th scope="col">Source note</th><th scope="col"><span class="vh">Action</span></th></tr></thead>
  <tbody>${list.map(
    (r) => html`<tr>
  <td class="num">${r.id}</td>
  <td class="when">${formatTime(r.at)}</td>
  <td>${r.who}</td>
  ${withService ? html`<td>${r.serviceId && catalogue?.services.some((s) => s.id === r.serviceId) ? html`<a href="/staff/services/${encodeURIComponent(r.serviceId)}">${name(r.serviceId)}</a>` : name(r.serviceId)}</td>` : ''}
  <td>${describeChange(r)}</td>
  <td>${r.note ?? ''}</td>
  <td>${r.action !== 'seed' && r.action !== 'confirm' && r.fields.length > 0
      ? html`<form method="post" action="/staff/history/${r.id}/revert" class="inline">${csrfField(csrf)}<button type="submit" class="link">Revert<span class="vh"> change #${r.id}</span></button></form>`
      : ''}</td>
</tr>`,
  )}</tbody>
</table></div>`;
}

export function historyBody(revisions: Revision[], audit: AuditEntry[], catalogue: Catalogue, csrf: string, error: string | null): Html {
  return html`<h1>History</h1>
<p class="lead">Every change to the services, newest first. Revert undoes one change by making a new one; nothing is ever deleted from this list.</p>
${error ? html`<div class="errors" role="alert"><p>${error}</p></div>` : ''}
${revisionsTable(revisions, catalogue, csrf, true)}
<h2>Other desk actions</h2>
<div class="table-wrap"><table>
  <caption class="vh">Sign-ins, messages and accounts, newest first</caption>
  <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
  <tbody>${audit.map((a) => html`<tr><td class="when">${formatTime(a.at)}</td><td>${a.who}</td><td>${a.action}</td><td>${a.detail}</td></tr>`)}</tbody>
</table></div>`;
}

export function accountsBody(accounts: StaffAccount[], me: string, csrf: string, o: { error?: string; email?: string; role?: string }): Html {
  return html`<h1>Accounts</h1>
<p class="lead">Editors change services, closures and messages. Administrators also manage accounts here.</p>
<div class="table-wrap"><table>
  <caption class="vh">Staff accounts</caption>
  <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"><span class="vh">Action</span></th></tr></thead>
  <tbody>${accounts.map(
    (a) => html`<tr><td>${a.email}</td><td>${a.role}</td><td>${formatTime(a.createdAt)}</td><td>${a.email === me
      ? html`<span class="muted">you</span>`
      : html`<form method="post" action="/staff/accounts/remove" class="inline">${csrfField(csrf)}<input type="hidden" name="email" value="${a.email}"><button type="submit" class="link">Remove<span class="vh"> ${a.email}</span></button></form>`}</td></tr>`,
  )}</tbody>
</table></div>
<h2>Add an account</h2>
${o.error ? html`<div class="errors" role="alert"><p>${o.error}</p></div>` : ''}
<form method="post" action="/staff/accounts" novalidate>
  ${csrfField(csrf)}
  <div class="field"><label for="new-email">Email</label><input type="email" id="new-email" name="email" value="${o.email ?? ''}" autocomplete="off"></div>
  <div class="field"><label for="new-role">Role</label><select id="new-role" name="role">
    <option value="editor"${o.role !== 'admin' ? new Html(' selected') : ''}>Editor</option>
    <option value="admin"${o.role === 'admin' ? new Html(' selected') : ''}>Administrator</option>
  </select></div>
  <div class="field"><label for="new-password">Password</label><span class="hint">At least 12 characters. Give it to them in person or by phone, not by email.</span><input type="password" id="new-password" name="password" autocomplete="new-password"></div>
  <button type="submit" class="secondary">Add account</button>
</form>`;
}

export function messageBody(title: string, text: string, link: { href: string; label: string } | null): Html {
  return html`<h1>${title}</h1><p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`;
}
