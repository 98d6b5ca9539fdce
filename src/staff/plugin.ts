// The staff desk: server-rendered pages under /staff, its own Fastify plugin
// (registered with that prefix), so that its hooks (sign-in, CSRF, security
// headers, no caching) apply to the desk alone.
//
// Routes: GET/POST /staff/login, POST /staff/logout, GET /staff (services),
// GET/POST /staff/services/:id, POST …/confirm, …/publish (a draft), …/closures, …/closures/remove,
// …/messages/preview, …/messages, GET /staff/history, POST
// /staff/history/:id/revert, GET/POST /staff/accounts (admins), GET /staff/desk.css,
// GET /staff/report and /staff/report.csv (src/report/routes.ts).
import { findService } from '../catalogue/offered.ts';
import { isRealDate } from '../catalogue/schema.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import type { LiveCatalogue } from '../catalogue/live.ts';
import { revertRevision, serviceRevision } from '../catalogue/revisions.ts';
import type { CatalogueStore, StaffRole } from '../catalogue/store-types.ts';
import { staffMessageText } from '../catalogue/store-types.ts';
import type { Service } from '../catalogue/types.ts';
import { segmentInfo } from '../text/segments.ts';
import { addDays, londonParts } from '../time/london.ts';
import { IDLE_MS, SESSION_COOKIE, signIn, tokenHash } from './auth.ts';
import { html, page, type Html } from './html.ts';
import { accountsBody, formatDate, historyBody, loginBody, messageBody, previewBody, serviceBody, servicesBody, type ServicePageData } from './pages.ts';
import { hashPassword, normaliseEmail, passwordProblem } from './password.ts';
import { addDeskSource, applyForm, confirmService, formFromService, parseForm, type Errors, type FormValues } from './service-form.ts';
import { DESK_CSS } from './style.ts';
import { registerReport } from '../report/routes.ts';
import type { ReportReader } from '../report/types.ts';

import type { FreshnessStore } from '../freshness/store.ts';
import { FRESHNESS_DONE, contactError, contactsSection, freshnessRoutes } from '../freshness/desk.ts';

export interface StaffDeskOptions {
  live: LiveCatalogue;
  catalogueStore: CatalogueStore;
  /** Secure cookies: PUBLIC_BASE_URL is https. */
  secureCookies: boolean;
  clock?: () => Date;
  /** The needs report's counters (/staff/report); the page is absent without them. */
  report?: ReportReader;
  /** Verification contacts and providers' answers (Needs attention); none: no such pages. */
  freshness?: FreshnessStore;
  /** FRESH_DAYS (default 90). */
  freshDays?: number;
}

interface Who {
  email: string;
  role: StaffRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: Who | null;
  }
}

/** Messages after a POST/redirect/GET: fixed words, never what someone typed. */
const DONE: Record<string, string> = {
  saved: 'Saved. The bot gives the new facts from now on.',
  unchanged: 'Nothing had changed, so nothing was saved.',
  confirmed: 'Recorded: the facts were confirmed today.',
  published: 'Published. The bot offers it and the Open Referral feed lists it from now on.',
  'closure-added': 'Closure added. Subscribers will be told it is closed that day.',
  'closure-removed': 'Closure removed.',
  sent: 'Message queued for every subscriber. It goes out within a minute.',
  reverted: 'Reverted. The change is undone, and the undoing is in the history too.',
  'account-added': 'Account added.',
  'account-removed': 'Account removed.',
  ...FRESHNESS_DONE,
};

const MAX_MESSAGE = 640;

export async function staffDesk(app: FastifyInstance, opts: StaffDeskOptions): Promise<void> {
  const { live, catalogueStore: store } = opts;
  const clock = opts.clock ?? (() => new Date());
  const today = () => londonParts(clock()).date;

  // The desk's forms (the app has no body parser outside its plugins).
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(cookie);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'waymark_csrf',
    cookieOpts: { path: '/staff', httpOnly: true, sameSite: 'strict', secure: opts.secureCookies },
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: opts.secureCookies,
  });

  app.decorateRequest('staff', null);

  const cookieOpts = { path: '/staff', httpOnly: true, sameSite: 'strict' as const, secure: opts.secureCookies };

  // Who is signed in; anyone else goes to the sign-in page (303).
  app.addHook('onRequest', async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const path = req.url.split('?')[0];
    if (path === '/staff/desk.css') return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const session = await store.touchSession(tokenHash(token), clock(), IDLE_MS);
      if (session) req.staff = { email: session.email, role: session.role };
    }
    if (!req.staff && path !== '/staff/login') return reply.code(303).redirect('/staff/login');
  });
  // Every POST carries a CSRF token (after the body is parsed: it is a form field).
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method !== 'POST') return done();
    app.csrfProtection(req, reply, done);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.routeOptions.url }, 'desk request failed');
    const csrfFailed = typeof err.code === 'string' && err.code.startsWith('FST_CSRF');
    const body = csrfFailed
      ? messageBody('This form has expired', 'Nothing was changed. Go back, reload the page and try again.', { href: '/staff', label: 'Back to the services' })
      : status >= 500
        ? messageBody('Something went wrong', 'Nothing was changed. Try again; if it keeps happening, tell whoever runs Waymark.', { href: '/staff', label: 'Back to the services' })
        : messageBody('That did not work', 'The request was not understood. Nothing was changed.', { href: '/staff', label: 'Back to the services' });
    void reply.code(status).type('text/html; charset=utf-8').send(page({ title: 'Error', who: req.staff, csrf: '', body }));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Not found', who: req.staff, csrf: '', body: messageBody('Page not found', 'There is no such page on the desk.', { href: '/staff', label: 'Back to the services' }) }));
  });

  const send = (req: FastifyRequest, reply: FastifyReply, title: string, body: (csrf: string) => Html, o: { status?: number; nav?: 'services' | 'history' | 'accounts' | 'report' | 'attention' } = {}) => {
    const token = reply.generateCsrf();
    const q = req.query as Record<string, string | undefined>;
    const flash = q.done ? (DONE[q.done] ?? null) : null;
    return reply
      .code(o.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(page({ title, who: req.staff, csrf: token, body: body(token), flash, nav: o.nav ?? null }));
  };
  const who = (req: FastifyRequest) => req.staff!;
  const form = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
  const field = (req: FastifyRequest, name: string) => {
    const v = form(req)[name];
    return typeof v === 'string' ? v : '';
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    send(req, reply, 'Not found', () => messageBody('Service not found', 'There is no service with that id.', { href: '/staff', label: 'Back to the services' }), { status: 404 });

  app.get('/desk.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(DESK_CSS));

  // ---- signing in and out ----
  app.get('/login', async (req, reply) => {
    if (req.staff) return reply.code(303).redirect('/staff');
    return send(req, reply, 'Sign in', (t) => loginBody({ csrf: t, email: '', error: null }));
  });

  app.post('/login', async (req, reply) => {
    const email = field(req, 'email');
    const result = await signIn(store, email, field(req, 'password'), req.ip, clock());
    if (!result.ok) {
      req.log.info({ locked: result.locked ?? false }, 'staff sign-in refused');
      return send(req, reply, 'Sign in', (t) => loginBody({ csrf: t, email, error: result.message }), { status: 401 });
    }
    const old = req.cookies[SESSION_COOKIE];
    if (old) await store.deleteSession(tokenHash(old));
    void reply.setCookie(SESSION_COOKIE, result.token, cookieOpts);
    return reply.code(303).redirect('/staff');
  });

  app.post('/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await store.deleteSession(tokenHash(token));
    await store.audit(who(req).email, 'signed out', '', clock());
    void reply.clearCookie(SESSION_COOKIE, cookieOpts);
    return reply.code(303).redirect('/staff/login');
  });

  // ---- services ----
  app.get('/', async (req, reply) => send(req, reply, 'Services', () => servicesBody(live.current()), { nav: 'services' }));

  const servicePage = async (req: FastifyRequest, reply: FastifyReply, service: Service, extra: Partial<ServicePageData> = {}, status = 200) => {
    const values: FormValues = extra.values ?? formFromService(service);
    const data: ServicePageData = {
      service,
      values,
      errors: {},
      existingRows: extra.existingRows ?? values.rows.length,
      subscribers: await store.subscriberCount(service.id),
      messages: await store.staffMessages(service.id, 5),
      revisions: await store.revisions({ serviceId: service.id, limit: 5 }),
      today: today(),
      categories: live.current().categories,
      ...extra,
    };
    const contacts = opts.freshness ? await opts.freshness.contacts(service.id) : null;
    const q = req.query as Record<string, string | undefined>;
    return send(req, reply, service.name, (t) => (contacts ? html`${serviceBody(data, t)}${contactsSection(service, contacts, t, contactError(q))}` : serviceBody(data, t)), {
      status,
      nav: 'services',
    });
  };
  if (opts.freshness) {
    freshnessRoutes(app, { live, catalogueStore: store, freshness: opts.freshness, freshDays: opts.freshDays, clock, send, who, field, notFound });
  }

  app.get<{ Params: { id: string } }>('/services/:id', async (req, reply) => {
    const service = findService(live.current(), req.params.id);
    if (!service) return notFound(req, reply);
    return servicePage(req, reply, service);
  });

  const back = (reply: FastifyReply, id: string, done: string) => reply.code(303).redirect(`/staff/services/${encodeURIComponent(id)}?done=${done}`);

  app.post<{ Params: { id: string } }>('/services/:id', async (req, reply) => {
    const id = req.params.id;
    const values = parseForm(form(req));
    const date = today();
    let fieldErrors: Errors | null = null;
    let changed = false;
    const result = await live.change((cat) => {
      const service = findService(cat, id);
      if (!service) return { errors: ['the service is no longer in the catalogue'] };
      const sourceId = addDeskSource(cat, date, values.note || 'no note');
      const out = applyForm(service, values, { today: date, sourceId });
      if (!out.ok) {
        fieldErrors = out.errors;
        return { errors: Object.values(out.errors) };
      }
      changed = out.changed;
      if (!out.changed) return { errors: [] };
      cat.services[cat.services.indexOf(service)] = out.service;
      // The new source (the editor's note) stays in the catalogue's sources even if the edit is reverted.
      const rev = serviceRevision(who(req).email, 'edit', service, out.service, values.note);
      return { catalogue: cat, revisions: rev ? [rev] : [] };
    }, clock());
    const current = findService(live.current(), id);
    if (!current) return notFound(req, reply);
    if (fieldErrors) return servicePage(req, reply, current, { values, errors: fieldErrors, existingRows: countExisting(values) }, 400);
    if (!result.ok) {
      if (!changed && result.errors.length === 0) return back(reply, id, 'unchanged');
      return servicePage(req, reply, current, { values, errors: { note: `Not saved: ${result.errors.slice(0, 3).join('; ')}` }, existingRows: countExisting(values) }, 400);
    }
    req.log.info({ service: id, by: who(req).email }, 'service edited at the desk');
    return back(reply, id, 'saved');
  });

  app.post<{ Params: { id: string } }>('/services/:id/confirm', async (req, reply) => {
    const id = req.params.id;
    const date = today();
    const result = await live.change((cat) => {
      const service = findService(cat, id);
      if (!service) return { errors: ['the service is no longer in the catalogue'] };
      const next = confirmService(service, date, addDeskSource(cat, date, 'confirmed unchanged'));
      cat.services[cat.services.indexOf(service)] = next;
      return { catalogue: cat, revisions: [serviceRevision(who(req).email, 'confirm', service, next, null)!] };
    }, clock());
    if (!result.ok) return notFound(req, reply);
    return back(reply, id, 'confirmed');
  });

  // A draft (from import-hsds) is published by a person, with at least one category.
  app.post<{ Params: { id: string } }>('/services/:id/publish', async (req, reply) => {
    const id = req.params.id;
    const raw = form(req).category;
    const chosen = (Array.isArray(raw) ? raw : [raw]).filter((c): c is string => typeof c === 'string' && c !== '');
    const known = live.current().categories.map((c) => c.id);
    const categories = known.filter((c) => chosen.includes(c));
    const current = findService(live.current(), id);
    if (!current) return notFound(req, reply);
    if (!current.draft) return back(reply, id, 'unchanged');
    if (categories.length === 0) return servicePage(req, reply, current, { publishError: 'Choose at least one category' }, 400);
    const result = await live.change((cat) => {
      const service = findService(cat, id);
      if (!service?.draft) return { errors: ['the draft is no longer in the catalogue'] };
      const { draft: _draft, ...published } = service;
      const next: Service = { ...published, categories };
      cat.services[cat.services.indexOf(service)] = next;
      return { catalogue: cat, revisions: [serviceRevision(who(req).email, 'edit', service, next, 'published the draft')!] };
    }, clock());
    if (!result.ok) return servicePage(req, reply, current, { publishError: `Not published: ${result.errors.slice(0, 3).join('; ')}` }, 400);
    req.log.info({ service: id, by: who(req).email }, 'draft published at the desk');
    return back(reply, id, 'published');
  });

  // ---- closures ----
  app.post<{ Params: { id: string } }>('/services/:id/closures', async (req, reply) => {
    const id = req.params.id;
    const date = field(req, 'date').trim();
    let error: string | null = null;
    const result = await live.change((cat) => {
      const service = findService(cat, id);
      if (!service) return { errors: ['the service is no longer in the catalogue'] };
      if (!isRealDate(date)) {
        error = 'Enter a date, like 2026-12-24';
      } else if (date < today()) error = 'Choose today or a later date';
      else if (service.holiday_schedules.some((h) => h.closed && h.start_date <= date && date <= h.end_date)) error = `It is already closed on ${formatDate(date)}`;
      if (error) return { errors: [error] };
      const next = structuredClone(service);
      next.holiday_schedules.push({ closed: true, start_date: date, end_date: date, opens_at: null, closes_at: null, note: null });
      next.holiday_schedules.sort((a, b) => a.start_date.localeCompare(b.start_date));
      cat.services[cat.services.indexOf(service)] = next;
      return { catalogue: cat, revisions: [serviceRevision(who(req).email, 'closure_add', service, next, `closed on ${date}`)!] };
    }, clock());
    const current = findService(live.current(), id);
    if (!current) return notFound(req, reply);
    if (!result.ok) return servicePage(req, reply, current, { closureError: error ?? result.errors.join('; '), closureValue: date }, 400);
    return back(reply, id, 'closure-added');
  });

  app.post<{ Params: { id: string } }>('/services/:id/closures/remove', async (req, reply) => {
    const id = req.params.id;
    const index = Number(field(req, 'index'));
    const date = field(req, 'date');
    const result = await live.change((cat) => {
      const service = findService(cat, id);
      if (!service) return { errors: ['the service is no longer in the catalogue'] };
      const h = service.holiday_schedules[index];
      // The index and the date must agree: the list may have changed since the page was shown.
      if (!h || !h.closed || h.start_date !== date) return { errors: ['that closure is no longer there'] };
      const next = structuredClone(service);
      next.holiday_schedules.splice(index, 1);
      cat.services[cat.services.indexOf(service)] = next;
      return { catalogue: cat, revisions: [serviceRevision(who(req).email, 'closure_remove', service, next, `no longer closed on ${date}`)!] };
    }, clock());
    if (!result.ok) return back(reply, id, 'closure-removed');
    return back(reply, id, 'closure-removed');
  });

  // ---- messages to subscribers ----
  const messageProblem = (m: string): string | null =>
    !m ? 'Write the message first' : [...m].length > MAX_MESSAGE ? `Keep it under ${MAX_MESSAGE} characters` : null;

  app.post<{ Params: { id: string } }>('/services/:id/messages/preview', async (req, reply) => {
    const service = findService(live.current(), req.params.id);
    if (!service) return notFound(req, reply);
    const message = field(req, 'message').trim().replace(/\r\n/g, '\n');
    const problem = messageProblem(message);
    if (problem) return servicePage(req, reply, service, { messageError: problem, messageValue: message }, 400);
    const text = staffMessageText(service.name, message);
    const info = segmentInfo(text);
    const people = await store.subscriberCount(service.id);
    return send(req, reply, 'Check the message', (t) => previewBody({ service, message, text, people, encoding: info.encoding, segments: info.segments, csrf: t }), { nav: 'services' });
  });

  app.post<{ Params: { id: string } }>('/services/:id/messages', async (req, reply) => {
    const service = findService(live.current(), req.params.id);
    if (!service) return notFound(req, reply);
    const message = field(req, 'message').trim().replace(/\r\n/g, '\n');
    const problem = messageProblem(message);
    if (problem) return servicePage(req, reply, service, { messageError: problem, messageValue: message }, 400);
    const now = clock();
    const m = await store.createStaffMessage({ serviceId: service.id, body: message, who: who(req).email, at: now, sendAt: now, validUntil: addDays(today(), 1) });
    await store.audit(who(req).email, 'message to subscribers', `${service.name}: message #${m.id} queued for ${m.recipients} ${m.recipients === 1 ? 'person' : 'people'}`, now);
    req.log.info({ service: service.id, message: m.id, recipients: m.recipients, by: who(req).email }, 'message to subscribers queued');
    return back(reply, service.id, 'sent');
  });

  // ---- history ----
  const historyPage = async (req: FastifyRequest, reply: FastifyReply, error: string | null = null, status = 200) => {
    const revisions = await store.revisions({ limit: 200 });
    const audit = await store.auditLog(100);
    return send(req, reply, 'History', (t) => historyBody(revisions, audit, live.current(), t, error), { nav: 'history', status });
  };
  app.get('/history', async (req, reply) => historyPage(req, reply));

  app.post<{ Params: { id: string } }>('/history/:id/revert', async (req, reply) => {
    const rev = /^\d{1,12}$/.test(req.params.id) ? await store.revision(Number(req.params.id)) : null;
    if (!rev) return historyPage(req, reply, 'There is no such change.', 404);
    let error: string | null = null;
    const result = await live.change((cat) => {
      const out = revertRevision(cat, rev);
      if (!out.ok) {
        error = `Could not revert #${rev.id}: ${out.error}.`;
        return { errors: [error] };
      }
      const revisions =
        rev.serviceId === null
          ? [{ who: who(req).email, serviceId: null, action: 'revert' as const, fields: rev.fields, old: rev.new, new: rev.old, note: `revert of #${rev.id}`, revertOf: rev.id }]
          : [serviceRevision(who(req).email, 'revert', findService(cat, rev.serviceId) ?? null, findService(out.catalogue, rev.serviceId) ?? null, `revert of #${rev.id}`, rev.id)].filter((r) => r !== null);
      if (revisions.length === 0) {
        error = `Nothing to revert: #${rev.id} is already undone.`;
        return { errors: [error] };
      }
      return { catalogue: out.catalogue, revisions };
    }, clock());
    if (!result.ok) return historyPage(req, reply, error ?? `Could not revert #${rev.id}: ${result.errors.slice(0, 3).join('; ')}`, 409);
    return reply.code(303).redirect('/staff/history?done=reverted');
  });

  // ---- needs report (src/report) ----
  if (opts.report) registerReport(app, { reader: opts.report, catalogue: () => live.current(), clock, send });

  // ---- accounts (administrators) ----
  const adminOnly = (req: FastifyRequest, reply: FastifyReply) =>
    send(req, reply, 'Not allowed', () => messageBody('Administrators only', 'Only administrators manage accounts.', { href: '/staff', label: 'Back to the services' }), { status: 403 });
  app.get('/accounts', async (req, reply) => {
    if (who(req).role !== 'admin') return adminOnly(req, reply);
    const accounts = await store.listStaff();
    return send(req, reply, 'Accounts', (t) => accountsBody(accounts, who(req).email, t, {}), { nav: 'accounts' });
  });

  app.post('/accounts', async (req, reply) => {
    if (who(req).role !== 'admin') return adminOnly(req, reply);
    const emailIn = field(req, 'email');
    const role = field(req, 'role') === 'admin' ? 'admin' : 'editor';
    const email = normaliseEmail(emailIn);
    const problem = !email ? 'Enter an email address, like name@example.org' : passwordProblem(field(req, 'password'));
    const fail = async (error: string) => {
      const accounts = await store.listStaff();
      return send(req, reply, 'Accounts', (t) => accountsBody(accounts, who(req).email, t, { error, email: emailIn, role }), { nav: 'accounts', status: 400 });
    };
    if (problem) return fail(problem.charAt(0).toUpperCase() + problem.slice(1));
    const added = await store.addStaff({ email: email!, role, passwordHash: await hashPassword(field(req, 'password')), createdAt: clock() });
    if (!added) return fail('There is already an account with that email');
    await store.audit(who(req).email, 'account added', `${email} (${role})`, clock());
    return reply.code(303).redirect('/staff/accounts?done=account-added');
  });

  app.post('/accounts/remove', async (req, reply) => {
    if (who(req).role !== 'admin') return adminOnly(req, reply);
    const email = field(req, 'email');
    if (email !== who(req).email && (await store.removeStaff(email))) await store.audit(who(req).email, 'account removed', email, clock());
    return reply.code(303).redirect('/staff/accounts?done=account-removed');
  });
}

/** Rows that were not blank when posted (the rest are shown as blank rows again). */
function countExisting(v: FormValues): number {
  let n = v.rows.length;
  while (n > 0 && !v.rows[n - 1].day && !v.rows[n - 1].opens && !v.rows[n - 1].closes && !v.rows[n - 1].note) n--;
  return n;
}
