// The desk's part in keeping facts fresh: Needs attention (/staff/attention),
// Mark confirmed (by staff, with how and a note), and the verification
// contacts on a service's page (numbers masked, never shown whole). Routes
// are registered inside the staff desk plugin, behind its sign-in and CSRF.
import { findService } from '../catalogue/offered.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogueStore } from '../catalogue/store-types.ts';
import type { LiveCatalogue } from '../catalogue/live.ts';
import type { AssuredHow, Catalogue, Service } from '../catalogue/types.ts';
import { maskNumber } from '../reminders/sender.ts';
import { Html, csrfField, html } from '../staff/html.ts';
import { formatDate } from '../staff/pages.ts';
import { londonParts } from '../time/london.ts';
import { confirmer } from './confirm.ts';
import { contactName, contactNumber } from './contacts.ts';
import { DEFAULT_FRESH_DAYS, isFresh } from './line.ts';
import type { Contact, FreshnessStore, VerificationRequest } from './store.ts';

export interface FreshnessDeskContext {
  live: LiveCatalogue;
  catalogueStore: CatalogueStore;
  freshness: FreshnessStore;
  freshDays?: number;
  clock: () => Date;
  /** The desk's page sender: title, body (given the CSRF token), status. */
  send: (req: FastifyRequest, reply: FastifyReply, title: string, body: (csrf: string) => Html, o?: { status?: number; nav?: 'attention' }) => unknown;
  who: (req: FastifyRequest) => { email: string };
  field: (req: FastifyRequest, name: string) => string;
  notFound: (req: FastifyRequest, reply: FastifyReply) => unknown;
}

/** Flash messages after these routes' redirects (fixed words). */
export const FRESHNESS_DONE: Record<string, string> = {
  assured: 'Recorded: confirmed with the organisation today. Texters see "Checked" and this month.',
  'contact-added': 'Verification contact added. They are asked by SMS on a weekday at 10:00 when the service is due.',
  'contact-removed': 'Verification contact removed.',
};

const HOW: Record<AssuredHow, string> = { provider_sms: 'the provider, by SMS', staff_phone: 'by phone', staff_visit: 'by a visit' };

const dayOf = (at: Date) => londonParts(at).date;
const serviceLink = (s: Service | undefined, id: string) => html`<a href="/staff/services/${encodeURIComponent(id)}">${s?.name ?? id}</a>`;

function markConfirmedForm(id: string, csrf: string, label = 'Mark confirmed'): Html {
  return html`<form method="post" action="/staff/services/${encodeURIComponent(id)}/assure" class="inline">
  ${csrfField(csrf)}
  <label for="how-${id}" class="vh">How</label>
  <select id="how-${id}" name="how"><option value="staff_phone">by phone</option><option value="staff_visit">by a visit</option></select>
  <label for="note-${id}" class="vh">Note</label>
  <input type="text" id="note-${id}" name="note" placeholder="Who you spoke to, what they said" required>
  <button type="submit" class="secondary">${label}</button>
</form>`;
}

export function attentionBody(o: { catalogue: Catalogue; requests: VerificationRequest[]; contacts: Contact[]; now: Date; freshDays: number; csrf: string }): Html {
  const { catalogue, requests, now, csrf } = o;
  const svc = (id: string) => findService(catalogue, id);
  const replies = requests.filter((r) => r.status === 'changes' && !r.handledAt);
  const unanswered = requests.filter((r) => (r.status === 'unanswered' || r.status === 'not_sent' || r.status === 'stopped') && !r.handledAt);
  const open = requests.filter((r) => r.status === 'open');
  const stale = catalogue.services.filter((s) => s.status !== 'closed' && !isFresh(s, now, o.freshDays));
  const contactsOf = (id: string) => o.contacts.filter((c) => c.serviceId === id && c.status === 'active').length;
  const why: Record<string, string> = { unanswered: 'no answer in 28 days', not_sent: 'the text could not be sent', stopped: 'the contact opted out' };
  return html`<h1>Needs attention</h1>
<p class="lead">Services whose facts the organisation has not confirmed lately, what providers answered, and requests nobody answered. Texters see "Not confirmed since…" on these until they are confirmed.</p>

<h2 id="replies">Providers' replies waiting (${replies.length})</h2>
${replies.length
  ? html`<div class="table-wrap"><table>
  <caption class="vh">Replies from providers that were not YES</caption>
  <thead><tr><th scope="col">Service</th><th scope="col">From</th><th scope="col">Received</th><th scope="col">What they said</th><th scope="col">Action</th></tr></thead>
  <tbody>${replies.map((r) => html`<tr><td>${serviceLink(svc(r.serviceId), r.serviceId)}</td><td>${r.contactName}</td><td>${formatDate(r.answeredAt ? dayOf(r.answeredAt) : null)}</td><td class="reply">${r.answerText ?? ''}</td>
  <td><a href="/staff/services/${encodeURIComponent(r.serviceId)}#facts">Edit</a> ${markConfirmedForm(r.serviceId, csrf)}</td></tr>`)}</tbody>
</table></div>`
  : html`<p class="muted">None.</p>`}

<h2 id="unanswered">Requests unanswered (${unanswered.length})</h2>
${unanswered.length
  ? html`<div class="table-wrap"><table>
  <caption class="vh">Requests to providers that got no answer</caption>
  <thead><tr><th scope="col">Service</th><th scope="col">Asked</th><th scope="col">Contact</th><th scope="col">Why</th><th scope="col">Action</th></tr></thead>
  <tbody>${unanswered.map((r) => html`<tr><td>${serviceLink(svc(r.serviceId), r.serviceId)}</td><td>${formatDate(r.openedDate)}</td><td>${r.contactName}</td><td>${why[r.status] ?? r.status}</td>
  <td><a href="/staff/services/${encodeURIComponent(r.serviceId)}#facts">Edit</a> ${markConfirmedForm(r.serviceId, csrf)}</td></tr>`)}</tbody>
</table></div>`
  : html`<p class="muted">None.</p>`}
${open.length ? html`<p class="muted">${open.length} request${open.length === 1 ? '' : 's'} waiting for an answer (a reminder goes after 14 days).</p>` : ''}

<h2 id="unconfirmed">Not confirmed lately (${stale.length})</h2>
<p class="muted">Never confirmed with the organisation, or not within ${o.freshDays} days. With a verification contact, the bot asks them by SMS; without one, phone or visit and mark it confirmed.</p>
<div class="table-wrap"><table>
  <caption class="vh">Services not confirmed with their organisation lately</caption>
  <thead><tr><th scope="col">Service</th><th scope="col">Last confirmed</th><th scope="col">Contacts</th><th scope="col">Action</th></tr></thead>
  <tbody>${stale.map((s) => html`<tr><td>${serviceLink(s, s.id)}</td><td>${formatDate(s.assured_date)}${s.assured_how ? html` <span class="muted">(${HOW[s.assured_how]})</span>` : ''}</td><td>${contactsOf(s.id)}</td>
  <td><a href="/staff/services/${encodeURIComponent(s.id)}#facts">Edit</a> ${markConfirmedForm(s.id, csrf)}</td></tr>`)}</tbody>
</table></div>`;
}

/** The service page's section: when the organisation last confirmed it, and its verification contacts. */
export function contactsSection(service: Service, contacts: Contact[], csrf: string, error: string | null = null): Html {
  const base = `/staff/services/${encodeURIComponent(service.id)}`;
  const label: Record<string, string> = { active: 'active', opted_out: 'opted out (STOP)', invalid: 'not a mobile number' };
  return html`<h2 id="verification">Confirmed with the organisation</h2>
<p>Last confirmed with the organisation: <strong>${formatDate(service.assured_date)}</strong>${service.assured_how ? html` (${HOW[service.assured_how]}${service.assurer_email ? html`, ${service.assurer_email}` : ''}${service.assured_note ? html`: ${service.assured_note}` : ''})` : ''}</p>
${markConfirmedForm(service.id, csrf)}
<h3>Verification contacts</h3>
<p class="muted">Who the bot asks by SMS whether these facts are still right. Numbers are stored encrypted and never shown whole.</p>
${contacts.length
  ? html`<ul class="contacts">${contacts.map((c) => html`<li>${c.name}, ${maskNumber(c.address)} <span class="muted">${label[c.status]}</span>
  <form method="post" action="${base}/contacts/remove" class="inline">${csrfField(csrf)}<input type="hidden" name="contact" value="${c.id}"><button type="submit" class="secondary">Remove<span class="vh"> ${c.name}</span></button></form></li>`)}</ul>`
  : html`<p>None yet.</p>`}
${error ? html`<div class="errors" role="alert"><p>${error}</p></div>` : ''}
<form method="post" action="${base}/contacts" class="panel" novalidate>
  ${csrfField(csrf)}
  <div class="field"><label for="contact-name">Name</label><input type="text" id="contact-name" name="name" autocomplete="off"></div>
  <div class="field"><label for="contact-number">Mobile number</label><input type="tel" id="contact-number" name="number" autocomplete="off" placeholder="07xxx xxxxxx"></div>
  <button type="submit" class="secondary">Add contact</button>
</form>`;
}

export function freshnessRoutes(app: FastifyInstance, ctx: FreshnessDeskContext): void {
  const { live, freshness, clock, send, who, field } = ctx;
  const freshDays = ctx.freshDays ?? DEFAULT_FRESH_DAYS;
  const confirm = confirmer(live);
  const find = (id: string) => findService(live.current(), id);

  app.get('/attention', async (req, reply) => {
    const [requests, contacts] = await Promise.all([freshness.requests(), freshness.contacts()]);
    return send(req, reply, 'Needs attention', (csrf) => attentionBody({ catalogue: live.current(), requests, contacts, now: clock(), freshDays, csrf }), { nav: 'attention' });
  });

  app.post<{ Params: { id: string } }>('/services/:id/assure', async (req, reply) => {
    const id = req.params.id;
    if (!find(id)) return ctx.notFound(req, reply);
    const how = field(req, 'how') === 'staff_visit' ? 'staff_visit' : 'staff_phone';
    const note = field(req, 'note').replace(/\s+/g, ' ').trim().slice(0, 300) || null;
    const email = who(req).email;
    const now = clock();
    const result = await confirm(id, { how, email, note }, now);
    if (!result.ok) return ctx.notFound(req, reply);
    await freshness.markHandled(id, email, now);
    await ctx.catalogueStore.audit(email, 'assured', `${id}: ${how}`, now);
    req.log.info({ service: id, by: email, how }, 'service confirmed with the organisation at the desk');
    return reply.code(303).redirect('/staff/attention?done=assured');
  });

  app.post<{ Params: { id: string } }>('/services/:id/contacts', async (req, reply) => {
    const id = req.params.id;
    const service = find(id);
    if (!service) return ctx.notFound(req, reply);
    const address = contactNumber(field(req, 'number'));
    const name = contactName(field(req, 'name'));
    if (!address || !name) return reply.code(303).redirect(`/staff/services/${encodeURIComponent(id)}?contact_error=${!name ? 'name' : 'number'}#verification`);
    const c = await freshness.addContact(id, name, address, clock());
    await ctx.catalogueStore.audit(who(req).email, 'contact_add', `${id}: contact ${c.id} (${name})`, clock());
    return reply.code(303).redirect(`/staff/services/${encodeURIComponent(id)}?done=contact-added#verification`);
  });

  app.post<{ Params: { id: string } }>('/services/:id/contacts/remove', async (req, reply) => {
    const id = req.params.id;
    const contactId = Number(field(req, 'contact'));
    const mine = (await freshness.contacts(id)).some((c) => c.id === contactId);
    if (!mine || !(await freshness.removeContact(contactId, clock()))) return ctx.notFound(req, reply);
    await ctx.catalogueStore.audit(who(req).email, 'contact_remove', `${id}: contact ${contactId}`, clock());
    return reply.code(303).redirect(`/staff/services/${encodeURIComponent(id)}?done=contact-removed#verification`);
  });
}

/** The error a contact form redirect names (fixed words, never what was typed). */
export function contactError(q: Record<string, string | undefined>): string | null {
  if (q.contact_error === 'name') return 'Not added: give the contact a name (who answers at that number).';
  if (q.contact_error === 'number') return 'Not added: give a mobile number such as 07700 900555 or +447700900555.';
  return null;
}
