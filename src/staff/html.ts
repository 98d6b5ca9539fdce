// HTML for the desk: a tagged template that escapes every value unless it is
// already Html (made by this same tag), so a service name, a note or an
// error can never become markup. No script anywhere: the desk works without
// JavaScript and its Content-Security-Policy forbids scripts.

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof Html) return v.value;
  return escape(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

export interface PageOptions {
  title: string;
  /** The signed-in staff member, for the header (null on the sign-in page). */
  who: { email: string; role: string } | null;
  csrf: string;
  body: Html;
  /** A message shown at the top after a POST/redirect/GET ("Saved."). */
  flash?: string | null;
  /** Which navigation link is the current page. */
  nav?: 'services' | 'history' | 'accounts' | 'report' | 'attention' | null;
}

export function page(o: PageOptions): string {
  const link = (href: string, label: string, key: PageOptions['nav']) =>
    html`<a href="${href}"${o.nav === key ? new Html(' aria-current="page"') : ''}>${label}</a>`;
  const header = o.who
    ? html`<header class="top">
  <p class="brand"><a href="/staff">Waymark staff desk</a></p>
  <nav aria-label="Desk">
    ${link('/staff', 'Services', 'services')}
    ${link('/staff/attention', 'Needs attention', 'attention')}
    ${link('/staff/history', 'History', 'history')}
    ${link('/staff/report', 'Needs report', 'report')}
    ${o.who.role === 'admin' ? link('/staff/accounts', 'Accounts', 'accounts') : ''}
  </nav>
  <form method="post" action="/staff/logout" class="signout">
    <input type="hidden" name="_csrf" value="${o.csrf}">
    <span class="who">${o.who.email}</span>
    <button type="submit">Sign out</button>
  </form>
</header>`
    : html`<header class="top"><p class="brand">Waymark staff desk</p></header>`;
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · Waymark staff desk</title>
<link rel="stylesheet" href="/staff/desk.css">
</head>
<body>
${header}
<main id="main">
${o.flash ? html`<p class="flash" role="status">${o.flash}</p>` : ''}
${o.body}
</main>
</body>
</html>`}
`;
}

/** A hidden CSRF field for a form. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** An error beside a field, tied to it by id for screen readers. */
export function fieldError(id: string, message: string | undefined): Html {
  return message ? html`<p class="error" id="${id}-error">${message}</p>` : html``;
}

/** aria attributes for a field that has an error. */
export function invalidAttrs(id: string, message: string | undefined): Html {
  return message ? new Html(` aria-invalid="true" aria-describedby="${escape(id)}-error"`) : new Html('');
}
