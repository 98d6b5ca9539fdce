// The desk's one stylesheet, served as /staff/desk.css (a file of its own, so
// that the Content-Security-Policy needs no inline style). Kept in code so
// that a build to dist/ carries it.
import { REPORT_CSS } from '../report/style.ts';

export const DESK_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
  color: #1d2327;
  background: #f6f7f4;
}
a { color: #1a5e8a; text-underline-offset: 0.15em; }
a:hover { color: #0f3d5c; }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; box-shadow: 0 0 0 5px #1d2327; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f2a900; outline-offset: 0; box-shadow: inset 0 0 0 2px #1d2327; }

.top {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem;
  padding: 0.75rem max(1rem, calc((100% - 60rem) / 2));
  background: #234e52; color: #fff;
}
.top a { color: #fff; }
.brand { margin: 0; font-weight: 700; font-size: 1.05rem; }
.brand a { text-decoration: none; }
.top nav { display: flex; gap: 1rem; flex: 1; }
.top nav a { text-decoration: none; padding: 0.15rem 0; border-bottom: 3px solid transparent; }
.top nav a[aria-current="page"] { border-bottom-color: #b8e0d2; }
.signout { display: flex; align-items: center; gap: 0.75rem; margin: 0; }
.who { font-size: 0.9rem; opacity: 0.9; overflow-wrap: anywhere; }
.top .signout button { background: transparent; color: #fff; border-color: #b8e0d2; padding: 0.3rem 0.8rem; }
.top .signout button:hover { background: #183a3d; }

main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0.5rem 0 0.75rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 0.75rem; padding-top: 1.5rem; border-top: 1px solid #d5d9d2; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.5rem; }
p { margin: 0 0 1rem; max-width: 42rem; }
.lead { color: #4a5459; }
.meta { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; color: #4a5459; margin-bottom: 1.5rem; }

.flash { background: #e3f1e9; border-left: 5px solid #2e7d4f; padding: 0.75rem 1rem; }
.errors { background: #fbeaea; border-left: 5px solid #b3261e; padding: 0.75rem 1rem; margin-bottom: 1.5rem; }
.errors h2 { border: 0; margin: 0 0 0.5rem; padding: 0; font-size: 1.1rem; }
.errors ul { margin: 0; padding-left: 1.25rem; }
.error { color: #b3261e; font-weight: 600; margin: 0.25rem 0 0; }
[aria-invalid="true"] { border-color: #b3261e !important; border-width: 2px !important; }

.field { margin-bottom: 1.25rem; }
label, legend { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.hint { display: block; color: #4a5459; font-weight: 400; font-size: 0.92rem; margin: 0 0 0.35rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="url"], input[type="tel"], input[type="date"], input[type="time"], select, textarea {
  font: inherit; color: inherit;
  width: 100%; max-width: 32rem;
  padding: 0.5rem 0.6rem;
  border: 1px solid #6b7479; border-radius: 4px; background: #fff;
}
textarea { min-height: 6rem; resize: vertical; }
input.short { max-width: 10rem; }
fieldset { border: 0; padding: 0; margin: 0 0 1.25rem; min-width: 0; }

.rows { display: grid; gap: 0.5rem; }
.row {
  display: grid; grid-template-columns: minmax(8rem, 1.2fr) minmax(5.5rem, 0.8fr) minmax(5.5rem, 0.8fr) minmax(8rem, 2fr) auto;
  gap: 0.5rem; align-items: start; padding: 0.5rem 0.75rem; background: #fff; border: 1px solid #d5d9d2; border-radius: 4px;
}
.row label { font-weight: 500; font-size: 0.9rem; }
.row .field { margin: 0; }
.row .check { display: flex; align-items: center; gap: 0.35rem; padding-top: 2.1rem; }
.row .check label { margin: 0; }
.row.blank { background: #fafbf9; border-style: dashed; }
@media (max-width: 40rem) {
  .row { grid-template-columns: 1fr 1fr; }
  .row .check { padding-top: 0; }
  .row .wide, .row .day { grid-column: 1 / -1; }
}
.vh { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

button {
  font: inherit; font-weight: 600; cursor: pointer;
  padding: 0.55rem 1.2rem; border-radius: 4px;
  border: 2px solid #234e52; background: #234e52; color: #fff;
}
button:hover { background: #183a3d; }
button.secondary { background: #fff; color: #234e52; }
button.secondary:hover { background: #eef3f1; }
button.danger { background: #fff; color: #b3261e; border-color: #b3261e; }
button.link { background: none; border: 0; color: #1a5e8a; text-decoration: underline; padding: 0; font-weight: 400; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-top: 1.5rem; }
.inline { display: inline; margin: 0; }

.panel { background: #fff; border: 1px solid #d5d9d2; border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.table-wrap { overflow-x: auto; position: relative; margin: 1.25rem 0 0.75rem; }
td.when { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
th, td { text-align: left; vertical-align: top; padding: 0.55rem 0.6rem; border-bottom: 1px solid #e2e5df; }
th { background: #eef1ec; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; white-space: nowrap; }
.status-active { background: #e3f1e9; color: #1f5e3a; }
.status-temporarily_closed { background: #fff3d6; color: #6b4a00; }
.status-draft { background: #e8e8f4; color: #2d2d6b; }
.status-closed { background: #eceeef; color: #3d4549; }
.closures { list-style: none; padding: 0; margin: 0 0 1rem; }
.closures li { display: flex; align-items: center; justify-content: space-between; gap: 1rem; max-width: 28rem; padding: 0.4rem 0.75rem; background: #fff; border: 1px solid #e2e5df; margin-bottom: 0.35rem; border-radius: 4px; }
.preview { white-space: pre-wrap; background: #fff; border: 1px solid #d5d9d2; border-left: 5px solid #234e52; padding: 0.75rem 1rem; max-width: 32rem; }
dl.figures { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
dl.figures dt { font-weight: 600; }
dl.figures dd { margin: 0; }
.muted { color: #4a5459; font-size: 0.92rem; }
${REPORT_CSS}`;
