// Charts of the Embudo: Chart.js, served by the daemon itself (/vendor/chart.js), loaded on first use.
// Every chart sits in a card with its numbers one tap away ("Ver números" shows the table).
import { el } from './common.js';
import { t } from './i18n.js';

let loading = null;
/** Chart.js's UMD build, loaded once as a same-origin script (the page's CSP allows 'self' only). */
export function loadChartLibrary() {
  loading ??= new Promise((resolve, reject) => {
    if (window.Chart) return resolve(window.Chart);
    const script = el('script', { src: '/vendor/chart.js' });
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => { loading = null; reject(new Error(t('No se pudo cargar la librería de gráficos.'))); });
    document.head.append(script);
  });
  return loading;
}

// Colours distinguishable from each other and dark enough on white.
export const PALETTE = ['#1f6feb', '#1a7f37', '#b35900', '#8250df', '#c62828', '#0a7c86', '#7d4e00', '#bf3989', '#57606a', '#2f4f9f'];
export const QUALITY_COLOURS = { bueno: '#1a7f37', con_problemas: '#b35900', malo: '#c62828' };

/**
 * A chart card: a title, the canvas (an image for assistive technology, described by `summary`)
 * and a "Ver números" button that shows or hides the same numbers as a table.
 */
export function chartCard(id, title) {
  const tableId = `${id}-numbers`;
  const toggle = el('button', { type: 'button', class: 'secondary numbers-toggle', 'aria-expanded': 'false', 'aria-controls': tableId }, t('Ver números'));
  const numbers = el('div', { id: tableId, class: 'table-wrap numbers', hidden: '', tabindex: '0', role: 'region', 'aria-label': t(title) }, el('table', { class: 'small' }, el('caption', { class: 'visually-hidden' }, t(title)), el('thead'), el('tbody')));
  toggle.addEventListener('click', () => {
    const open = numbers.hidden;
    numbers.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = t(open ? 'Ocultar números' : 'Ver números');
  });
  return el('section', { class: 'card chart-card', id, 'aria-labelledby': `${id}-title` },
    el('div', { class: 'chart-head' }, el('h3', { id: `${id}-title` }, t(title)), toggle),
    el('p', { class: 'muted chart-note', id: `${id}-note` }),
    el('div', { class: 'chart-box' }, el('canvas', { role: 'img', 'aria-label': t(title) })),
    numbers);
}

const charts = new Map();

/**
 * Draws (or redraws) the chart of card `id`: `config` is Chart.js's; `rows` (the first one the
 * header) fill the numbers table; `summary` is what the canvas says to a screen reader.
 */
export async function drawChart(id, config, rows, summary) {
  const Chart = await loadChartLibrary();
  const card = document.getElementById(id);
  const canvas = card.querySelector('canvas');
  canvas.setAttribute('aria-label', summary);
  charts.get(id)?.destroy();
  const options = { responsive: true, maintainAspectRatio: false, animation: false, ...config.options };
  charts.set(id, new Chart(canvas, { ...config, options }));
  const [head, ...body] = rows;
  card.querySelector('thead').replaceChildren(el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))));
  card.querySelector('tbody').replaceChildren(...body.map((r) => el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', { class: 'n' }, c))))));
  card.dataset.drawn = 'true';
}

export function setNote(id, text) {
  document.getElementById(`${id}-note`).textContent = text;
}
