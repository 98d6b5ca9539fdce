// The needs report's few rules, appended to the desk's stylesheet.
export const REPORT_CSS = `
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0 1.25rem; }
.filters .field { flex: 0 1 12rem; }
.filters select { min-width: 12rem; }
.filters button { margin-bottom: 1.25rem; }
figure.chart { margin: 1rem 0; overflow-x: auto; }
/* On a phone the chart keeps a readable size and scrolls sideways, like the tables. */
figure.chart svg { display: block; min-width: 36rem; height: auto; }
`;
