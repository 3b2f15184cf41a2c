/**
 * The report page: asks for a platform API key (kept in sessionStorage), reads the report API for a range and
 * draws the totals, the charts and the tables. Plain ES modules, no bundler.
 */
import { el, histogramChart, seriesChart, table, timelineChart } from './charts.js';

/**
 * @typedef {import('../../agent-api/api-types.js').Summary} Summary
 * @typedef {Summary['rows'][number]} SummaryRow
 * @typedef {import('../../agent-api/api-types.js').Series} Series
 * @typedef {import('../../agent-api/api-types.js').AgentStates} AgentStates
 */

const KEY = 'ucc.reports.key';
/** An element of the page by id. */
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** A form field of the page by id. */
const field = (/** @type {string} */ id) =>
  /** @type {HTMLInputElement | HTMLSelectElement} */ (document.getElementById(id));
const status = (/** @type {string} */ text) => {
  $('status').textContent = text;
};
const messageOf = (/** @type {unknown} */ error) => (error instanceof Error ? error.message : String(error));

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
/** A Date as the value of a datetime-local input (local time). */
const localValue = (/** @type {Date} */ d) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
const formatTime = (/** @type {string} */ iso) => {
  const d = new Date(iso);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/**
 * Reads a report route: the parsed JSON, or a Blob for another `accept`.
 * @param {string} path
 * @param {string} [accept]
 * @returns {Promise<unknown>}
 */
async function api(path, accept = 'application/json') {
  const res = await fetch(`/api/v1/reports/${path}`, {
    headers: { authorization: `Bearer ${sessionStorage.getItem(KEY)}`, accept },
  });
  if (res.status === 401 || res.status === 403) {
    sessionStorage.removeItem(KEY);
    showKeyForm();
    throw new Error('This key is not a valid platform key. Enter another.');
  }
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new Error(problem.detail ?? `The report API answered ${res.status}.`);
  }
  return accept === 'application/json' ? res.json() : res.blob();
}

function showKeyForm() {
  $('key-form').hidden = false;
  $('range-form').hidden = true;
  $('report').hidden = true;
  field('api-key').focus();
}

function rangeQuery() {
  const from = new Date(field('from').value).toISOString();
  const to = new Date(field('to').value).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

const seconds = (/** @type {number | null} */ ms) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const summaryRow = (/** @type {SummaryRow} */ r) => [
  r.name,
  r.offered,
  r.accepted,
  r.declined,
  r.timedOut,
  r.unreachable,
  r.withdrawn + r.takenByOther,
  r.abandoned.queued,
  r.abandoned.routing,
  r.abandoned.ringing,
  seconds(r.timeToAcceptMs.p50),
  seconds(r.timeToAcceptMs.p90),
  seconds(r.handleTimeMs.average),
  r.transfers.received,
  r.conferences,
];
const summaryHeaders = [
  'name',
  'offered',
  'accepted',
  'declined',
  'timed out',
  'unreachable',
  'withdrawn',
  'abandoned queued',
  'abandoned routing',
  'abandoned ringing',
  'accept p50',
  'accept p90',
  'handle avg',
  'transfers',
  'conferences',
];

/** @param {Summary['totals']} t */
function renderTotals(t) {
  /** @type {[string, string | number][]} */
  const items = [
    ['Offered', t.offered],
    ['Accepted', t.accepted],
    ['Declined', t.declined],
    ['Timed out', t.timedOut],
    ['Abandoned', t.abandoned.queued + t.abandoned.routing + t.abandoned.ringing],
    ['Accept p50', seconds(t.timeToAcceptMs.p50)],
    ['Accept p90', seconds(t.timeToAcceptMs.p90)],
    ['Handle time avg', seconds(t.handleTimeMs.average)],
  ];
  $('totals').replaceChildren(
    ...items.map(([label, value]) => {
      const d = el('div');
      d.append(el('dt', {}, label), el('dd', {}, String(value)));
      return d;
    }),
  );
}

async function show() {
  status('Loading…');
  try {
    const q = rangeQuery();
    const [byRp, byKw, series, states] = /** @type {[Summary, Summary, Series, AgentStates]} */ (
      await Promise.all([
        api(`summary?by=routing-point&${q}`),
        api(`summary?by=knowledge-worker&${q}`),
        api(`series?interval=${field('interval').value}&${q}`),
        api(`agent-states?${q}`),
      ])
    );
    renderTotals(byRp.totals);
    seriesChart($('series-chart'), series, formatTime);
    histogramChart($('tta-chart'), byKw.totals.timeToAcceptHistogram, byKw.totals.timeToAcceptMs);
    timelineChart($('states-chart'), states, formatTime);
    $('rp-table').replaceChildren(table('Per routing point', summaryHeaders, byRp.rows.map(summaryRow)));
    $('kw-table').replaceChildren(table('Per knowledge worker', summaryHeaders, byKw.rows.map(summaryRow)));
    $('report').hidden = false;
    status(`Showing ${formatTime(byRp.from)} to ${formatTime(byRp.to)}.`);
  } catch (error) {
    status(messageOf(error));
  }
}

/** @param {Event} event */
async function exportCsv(event) {
  event.preventDefault();
  try {
    const blob = /** @type {Blob} */ (await api(`facts?format=csv&${rangeQuery()}`, 'text/csv'));
    const a = /** @type {HTMLAnchorElement} */ (
      el('a', { href: URL.createObjectURL(blob), download: 'resource-facts.csv' })
    );
    a.click();
    URL.revokeObjectURL(a.href);
  } catch (error) {
    status(messageOf(error));
  }
}

function start() {
  const now = new Date();
  const params = new URLSearchParams(location.search);
  const to = params.get('to');
  const from = params.get('from');
  field('to').value = localValue(to !== null ? new Date(to) : now);
  field('from').value = localValue(from !== null ? new Date(from) : new Date(now.getTime() - 86_400_000));
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, field('api-key').value.trim());
    field('api-key').value = '';
    $('key-form').hidden = true;
    $('range-form').hidden = false;
    void show();
  });
  $('range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void show();
  });
  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    status('The key was forgotten.');
    showKeyForm();
  });
  $('csv-link').addEventListener('click', exportCsv);
  if (sessionStorage.getItem(KEY)) {
    $('range-form').hidden = false;
    void show();
  } else showKeyForm();
}

start();
