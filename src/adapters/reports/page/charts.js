/**
 * Small inline-SVG charts for the report page, each with a table fallback (for screen readers and for copying
 * numbers). Elements are built with the DOM, never from HTML strings, so names in the data cannot inject markup.
 */
const SVG = 'http://www.w3.org/2000/svg';

/**
 * @typedef {import('../../agent-api/api-types.js').Series} Series
 * @typedef {import('../../agent-api/api-types.js').AgentStates} AgentStates
 * @typedef {import('../../agent-api/api-types.js').Summary['totals']} Figures
 * @typedef {Figures['timeToAcceptHistogram'][number]} Bin
 * @typedef {(iso: string) => string} FormatTime
 */

/**
 * Creates an SVG element with attributes.
 * @param {string} name
 * @param {Record<string, string | number>} [attrs]
 * @param {string} [text]
 */
function svgEl(name, attrs = {}, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Creates an HTML element with attributes and text.
 * @param {string} name
 * @param {Record<string, string>} [attrs]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(name, attrs = {}, text) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A table: headers and rows of cells; wrapped in a <details> when `collapsed`.
 * @param {string} caption
 * @param {string[]} headers
 * @param {(string | number)[][]} rows
 */
export function table(caption, headers, rows, collapsed = false) {
  const t = el('table');
  t.append(el('caption', { class: 'visually-hidden' }, caption));
  const head = el('tr');
  for (const h of headers) head.append(el('th', { scope: 'col' }, h));
  const thead = el('thead');
  thead.append(head);
  t.append(thead);
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((cell, i) => {
      tr.append(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, String(cell)));
    });
    body.append(tr);
  }
  t.append(body);
  if (!collapsed) return t;
  const d = el('details');
  d.append(el('summary', {}, `${caption} (table)`), t);
  return d;
}

/** @param {[string, string][]} items label and color */
function legend(items) {
  const l = el('div', { class: 'legend', 'aria-hidden': 'true' });
  for (const [label, color] of items) {
    const item = el('span');
    const sw = el('span', { class: 'swatch' });
    sw.style.background = color;
    item.append(sw, label);
    l.append(item);
  }
  return l;
}

const color = (/** @type {string} */ name) =>
  getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim();

/**
 * Grouped bars: offered and accepted per interval.
 * @param {HTMLElement} figure
 * @param {Series} series
 * @param {FormatTime} formatTime
 */
export function seriesChart(figure, series, formatTime) {
  const w = 560;
  const h = 220;
  const pad = { l: 36, r: 8, t: 8, b: 36 };
  const buckets = series.buckets;
  const max = Math.max(1, ...buckets.map((b) => b.offered));
  const slot = (w - pad.l - pad.r) / Math.max(1, buckets.length);
  const bar = Math.max(1, slot / 2 - 2);
  const y = (/** @type {number} */ v) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-labelledby': 'series-desc' });
  const total = buckets.reduce((a, b) => ({ o: a.o + b.offered, a: a.a + b.accepted }), { o: 0, a: 0 });
  svg.append(
    svgEl('title', { id: 'series-desc' }, `Offered ${total.o}, accepted ${total.a} over ${buckets.length} intervals`),
  );
  svg.append(svgEl('line', { class: 'axis', x1: pad.l, x2: w - pad.r, y1: h - pad.b, y2: h - pad.b }));
  for (const tick of [0, Math.round(max / 2), max]) {
    svg.append(svgEl('text', { x: pad.l - 4, y: y(tick) + 4, 'text-anchor': 'end' }, String(tick)));
  }
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  buckets.forEach((b, i) => {
    const x = pad.l + i * slot + 1;
    svg.append(
      svgEl('rect', { x, y: y(b.offered), width: bar, height: h - pad.b - y(b.offered), fill: color('offered') }),
    );
    svg.append(
      svgEl('rect', {
        x: x + bar + 1,
        y: y(b.accepted),
        width: bar,
        height: h - pad.b - y(b.accepted),
        fill: color('accepted'),
      }),
    );
    if (i % every === 0) svg.append(svgEl('text', { x, y: h - pad.b + 14 }, formatTime(b.start)));
  });
  figure.replaceChildren(
    legend([
      ['offered', color('offered')],
      ['accepted', color('accepted')],
    ]),
    svg,
    table(
      'Offered and accepted per interval',
      ['interval', 'offered', 'accepted', 'abandoned'],
      buckets.map((b) => [formatTime(b.start), b.offered, b.accepted, b.abandoned]),
      true,
    ),
  );
}

const seconds = (/** @type {number} */ ms) => `${ms / 1000} s`;

/**
 * Histogram of time to accept.
 * @param {HTMLElement} figure
 * @param {Bin[]} bins
 * @param {Figures['timeToAcceptMs']} percentiles
 */
export function histogramChart(figure, bins, percentiles) {
  const w = 560;
  const h = 200;
  const pad = { l: 36, r: 8, t: 8, b: 32 };
  const max = Math.max(1, ...bins.map((b) => b.count));
  const slot = (w - pad.l - pad.r) / bins.length;
  const y = (/** @type {number} */ v) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const label = (/** @type {Bin} */ b) =>
    b.toMs === null ? `≥ ${seconds(b.fromMs)}` : `${b.fromMs / 1000}–${seconds(b.toMs)}`;
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-labelledby': 'tta-desc' });
  const p = (/** @type {number | null} */ v) => (v === null ? 'none' : seconds(v));
  svg.append(
    svgEl(
      'title',
      { id: 'tta-desc' },
      `Time to accept: median ${p(percentiles.p50)}, 90th percentile ${p(percentiles.p90)}`,
    ),
  );
  svg.append(svgEl('line', { class: 'axis', x1: pad.l, x2: w - pad.r, y1: h - pad.b, y2: h - pad.b }));
  svg.append(svgEl('text', { x: pad.l - 4, y: y(max) + 4, 'text-anchor': 'end' }, String(max)));
  bins.forEach((b, i) => {
    const x = pad.l + i * slot + 2;
    svg.append(
      svgEl('rect', { x, y: y(b.count), width: slot - 4, height: h - pad.b - y(b.count), fill: color('offered') }),
    );
    svg.append(svgEl('text', { x: x + (slot - 4) / 2, y: h - pad.b + 14, 'text-anchor': 'middle' }, label(b)));
  });
  figure.replaceChildren(
    el('p', { class: 'hint' }, `Median ${p(percentiles.p50)} · 90th percentile ${p(percentiles.p90)}`),
    svg,
    table(
      'Accepted offers by time to accept',
      ['time to accept', 'accepted'],
      bins.map((b) => [label(b), b.count]),
      true,
    ),
  );
}

const stateColor = (/** @type {string} */ kind) => color(kind === 'not-ready' ? 'not-ready' : kind);

/**
 * One row per knowledge worker: their state periods along the range.
 * @param {HTMLElement} figure
 * @param {AgentStates} data
 * @param {FormatTime} formatTime
 */
export function timelineChart(figure, data, formatTime) {
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const w = 560;
  const row = 22;
  const pad = { l: 110, r: 8, t: 4, b: 24 };
  const h = pad.t + pad.b + row * Math.max(1, data.knowledgeWorkers.length);
  const x = (/** @type {number} */ t) => pad.l + ((t - from) / (to - from)) * (w - pad.l - pad.r);
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-labelledby': 'states-desc' });
  svg.append(
    svgEl('title', { id: 'states-desc' }, `Agent states of ${data.knowledgeWorkers.length} knowledge workers`),
  );
  data.knowledgeWorkers.forEach((kw, i) => {
    const top = pad.t + i * row;
    svg.append(svgEl('text', { x: pad.l - 6, y: top + 15, 'text-anchor': 'end' }, kw.name));
    for (const p of kw.periods) {
      const x1 = x(Date.parse(p.startedAt));
      const rect = svgEl('rect', {
        x: x1,
        y: top + 3,
        width: Math.max(1, x(Date.parse(p.endedAt)) - x1),
        height: row - 6,
        fill: stateColor(p.kind),
      });
      rect.append(svgEl('title', {}, `${kw.name}: ${p.state} ${formatTime(p.startedAt)}–${formatTime(p.endedAt)}`));
      svg.append(rect);
    }
  });
  svg.append(svgEl('text', { x: pad.l, y: h - 6 }, formatTime(data.from)));
  svg.append(svgEl('text', { x: w - pad.r, y: h - 6, 'text-anchor': 'end' }, formatTime(data.to)));
  const minutes = (/** @type {number} */ ms) => Math.round(ms / 60_000);
  const states = [...new Set(data.knowledgeWorkers.flatMap((k) => Object.keys(k.stateMs)))].sort();
  figure.replaceChildren(
    legend(
      /** @type {[string, string][]} */ ([
        ['Ready', 'ready'],
        ['NotReady', 'not-ready'],
        ['Busy', 'busy'],
        ['LoggedOut', 'logged-out'],
        ['Unknown', 'unknown'],
      ]).map(([label, kind]) => /** @type {[string, string]} */ ([label, stateColor(kind)])),
    ),
    svg,
    table(
      'Minutes in each state',
      ['knowledge worker', ...states],
      data.knowledgeWorkers.map((k) => [k.name, ...states.map((s) => minutes(k.stateMs[s] ?? 0))]),
      true,
    ),
  );
}
