// The needs report on the staff desk: GET /staff/report (the page) and
// GET /staff/report.csv (the same figures to download). Registered inside the
// desk's plugin, so only signed-in staff reach them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCityId } from '../catalogue/types.ts';
import type { Catalogue } from '../catalogue/types.ts';
import type { Html } from '../staff/html.ts';
import { reportBody } from './page.ts';
import { defaultRange, parseRange, type Range } from './range.ts';
import type { ReportReader } from './types.ts';
import { buildView, toCsv } from './view.ts';

export interface ReportRouteDeps {
  reader: ReportReader;
  catalogue: () => Catalogue;
  clock: () => Date;
  /** The desk's page sender (layout, CSRF token for the sign-out form). */
  send: (req: FastifyRequest, reply: FastifyReply, title: string, body: (csrf: string) => Html, o: { status?: number; nav?: 'report' }) => unknown;
}

type Query = { from?: string; to?: string; city?: string };

/** '' every city, '-' people whose city was not known yet, or a city id. */
function cityFilter(q: Query): { form: string; filter: string | null } {
  const c = q.city ?? '';
  if (isCityId(c)) return { form: c, filter: c };
  if (c === '-') return { form: '-', filter: '' };
  return { form: '', filter: null };
}

export function registerReport(app: FastifyInstance, deps: ReportRouteDeps): void {
  const names = () => new Map(deps.catalogue().categories.map((c) => [c.id, c.name]));
  const load = async (q: Query) => {
    const now = deps.clock();
    const parsed = parseRange(q, now);
    const range: Range = 'range' in parsed ? parsed.range : defaultRange(now);
    const city = cityFilter(q);
    const rows = await deps.reader.rows(range);
    const view = buildView(rows, { ...range, city: city.filter, categoryNames: names() });
    return { range, city, view, error: 'error' in parsed ? parsed.error : null };
  };
  const query = (range: Range, city: string) => new URLSearchParams({ from: range.from, to: range.to, ...(city ? { city } : {}) }).toString();

  app.get<{ Querystring: Query }>('/report', async (req, reply) => {
    const { range, city, view, error } = await load(req.query);
    return deps.send(
      req,
      reply,
      'Needs report',
      () => reportBody({ view, from: range.from, to: range.to, city: city.form, error, csvHref: `/staff/report.csv?${query(range, city.form)}` }),
      { nav: 'report', status: error ? 400 : 200 },
    );
  });

  app.get<{ Querystring: Query }>('/report.csv', async (req, reply) => {
    const { range, city, view, error } = await load(req.query);
    if (error) return reply.code(400).type('text/plain; charset=utf-8').send(`${error}\n`);
    const name = `waymark-needs-${range.from}-to-${range.to}${city.filter ? `-${city.filter}` : city.filter === '' ? '-city-not-known' : ''}.csv`;
    return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${name}"`).send(toCsv(view));
  });
}
