// The managers' screen: funnel counts, filters (reflected in the URL), the table with a column chooser.
import { $, ApiError, ROW_STATE, el, fmt, getJson, label, postJson, session, showMessage, shortDate, api } from './common.js';

// Dates in the table: short, so every column fits; the full date is in the cell's title.
const when = (iso) => (iso ? el('td', { title: fmt(iso), text: shortDate(iso) }) : el('td', { text: '—' }));
import { contactLink, currentLeadId, openLead } from './detail.js';
import { t } from './i18n.js';
import { highlightIfFresh } from './live.js';
import { duplicateBadge, loadDuplicateMarks } from './manager.js';

let pages = [null]; // cursors of the pages seen, for "Anterior"
let page = 0;
let nextCursor = null;
const ownerName = (id) => (id ? session.vendorNames.get(id) ?? id : '—');
const badge = (cls, text) => el('span', { class: `badge ${cls}`, text });

/** Every column the table can show; `hidden` ones start off (each person's choice is kept on the server). */
const COLUMNS = [
  { key: 'name', title: 'Nombre', cell: (l) => el('td', { class: 'name' }, l.fields.name ?? '(sin nombre)', ...[duplicateBadge(l.possibleDuplicate)].filter(Boolean)) },
  { key: 'nationalId', title: 'Documento', cell: (l) => el('td', { text: l.fields.nationalId }) },
  { key: 'phone', title: 'Teléfono', cell: (l) => el('td', {}, contactLink('tel', l.fields.phone)) },
  { key: 'email', title: 'Email', cell: (l) => el('td', {}, contactLink('mailto', l.fields.email)) },
  { key: 'project', title: 'Proyecto', cell: (l) => el('td', { text: l.project ?? l.projectText }) },
  { key: 'portal', title: 'Portal', cell: (l) => el('td', { text: session.portalName(l.parser) }) },
  { key: 'medium', title: 'Medio', hidden: true, cell: (l) => el('td', { text: label(l.medium) }) },
  { key: 'quality', title: 'Calidad', cell: (l) => el('td', {}, badge(`q-${l.quality}`, label(l.quality))) },
  { key: 'status', title: 'Estado', cell: (l) => el('td', {}, badge(`s-${l.status}`, ROW_STATE[l.status])) },
  { key: 'owner', title: 'Responsable', cell: (l) => el('td', { class: 'owner', text: ownerName(l.owner) }) },
  { key: 'receivedAt', title: 'Ingreso', cell: (l) => when(l.receivedAt) },
  { key: 'deadlineAt', title: 'Vence', cell: (l) => {
    const td = when(l.status === 'por_contactar' || l.status === 'no_contactado' ? l.deadlineAt : null);
    if (l.status === 'no_contactado') td.className = 'overdue';
    return td;
  } },
  { key: 'lastActionAt', title: 'Última interacción', cell: (l) => when(l.lastActionAt) },
  { key: 'lastContactAt', title: 'Último contacto', cell: (l) => when(l.lastContactAt) },
  { key: 'followUpAt', title: 'Seguimiento', hidden: true, cell: (l) => when(l.followUpAt) },
];
let shown = new Set(COLUMNS.filter((c) => !c.hidden).map((c) => c.key));

export function filterParams() {
  const params = new URLSearchParams();
  const values = new Map();
  for (const [k, v] of new FormData($('#filters'))) if (String(v).trim()) values.set(k, [...(values.get(k) ?? []), String(v).trim()]);
  for (const [k, list] of values) params.set(k, list.join(','));
  return params;
}

/** The address bar carries the filters and the open lead, so a manager can send the link. */
export function syncUrl() {
  if ($('#main').hidden || session.view !== 'contactos') return;
  const params = filterParams();
  const lead = currentLeadId();
  if (lead) params.set('lead', String(lead));
  history.replaceState(null, '', `${location.pathname}?${params}#contactos`);
}

function applyUrl() {
  const url = new URLSearchParams(location.search);
  const f = $('#filters');
  for (const [k, v] of url) {
    const input = f.elements.namedItem(k);
    if (!input) continue;
    if (input instanceof HTMLSelectElement && input.multiple) for (const o of input.options) o.selected = v.split(',').includes(o.value);
    else input.value = v;
  }
  return url.get('lead');
}

export async function refresh(resetPages = true) {
  if (resetPages) { pages = [null]; page = 0; }
  showMessage($('#message'), '');
  try {
    await Promise.all([loadStats(), loadPage()]);
    syncUrl();
  } catch (e) {
    if (e instanceof ApiError) showMessage($('#message'), e.message);
    else throw e;
  }
}

const atFirstPage = () => page === 0;
export { atFirstPage };

function card(kind, key, count, active) {
  return el('button', { type: 'button', class: `count ${kind}-${key}${active ? ' active' : ''}`, 'data-key': key, 'data-kind': kind, onclick: () => pickCard(kind, key) },
    el('span', { class: 'n', text: count.toLocaleString('es-CL') }), el('span', { class: 'l', text: key === '' ? 'Todos' : label(key) }));
}

function pickCard(kind, key) {
  const select = $('#filters')[kind];
  select.value = select.value === key ? '' : key;
  refresh();
}

async function loadStats() {
  const s = await getJson(`/api/stats?${filterParams()}`);
  const f = $('#filters');
  $('#status-cards').replaceChildren(card('status', '', s.total, !f.status.value),
    ...['por_contactar', 'no_contactado', 'contactado', 'abortado', 'descartado'].map((k) => card('status', k, s.status[k], f.status.value === k)));
  $('#quality-cards').replaceChildren(...Object.keys(s.quality).map((k) => card('quality', k, s.quality[k], f.quality.value === k)));
  $('#medium-cards').replaceChildren(...Object.keys(s.medium).map((k) => card('medium', k, s.medium[k], f.medium.value === k)));
}

function renderHead() {
  const idTitle = session.idLabel;
  $('#leads thead tr').replaceChildren(...COLUMNS.filter((c) => shown.has(c.key)).map((c) => el('th', { scope: 'col', class: `c-${c.key}`, text: c.key === 'nationalId' ? idTitle : t(c.title) })));
}

async function loadPage() {
  const params = filterParams();
  params.set('limit', '50');
  if (pages[page]) params.set('cursor', pages[page]);
  const data = await getJson(`/api/leads?${params}`);
  nextCursor = data.nextCursor;
  renderHead();
  const cols = COLUMNS.filter((c) => shown.has(c.key));
  await loadDuplicateMarks().catch(() => {});
  const rows = data.items.map((l) => {
    const tr = el('tr', { 'data-id': String(l.id), tabindex: '0', onclick: () => openLead(l.id), onkeydown: (e) => e.key === 'Enter' && openLead(l.id) });
    for (const c of cols) {
      const td = c.cell(l);
      td.dataset.label = c.key === 'nationalId' ? session.idLabel : c.title; // the phone's card layout labels each value
      tr.append(td);
    }
    return highlightIfFresh(tr, l.id);
  });
  $('#leads tbody').replaceChildren(...rows);
  $('#empty').hidden = rows.length > 0;
  $('#prev').disabled = page === 0;
  $('#next').disabled = !nextCursor;
  $('#page-info').textContent = `Página ${page + 1}`;
}

function renderChooser() {
  $('#columns-list').replaceChildren(...COLUMNS.map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', 'data-column': c.key, ...(shown.has(c.key) ? { checked: '' } : {}), onchange: (e) => toggleColumn(c.key, e.target.checked) }), c.key === 'nationalId' ? session.idLabel : c.title)));
}

async function toggleColumn(key, on) {
  if (on) shown.add(key);
  else shown.delete(key);
  await loadPage();
  postJson('/api/me/prefs', { columns: [...shown] }).catch(() => {});
}

async function download(kind) {
  try {
    const res = await api(`/api/leads/export.${kind}?${filterParams()}`);
    const name = /filename="([\w.-]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `contactos.${kind}`;
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showMessage($('#message'), e.message);
  }
}

const fillSelect = (select, values, text = label) => { for (const v of values) select.append(el('option', { value: v, text: text(v) })); };

/** Filters from the options, the person's columns, the URL's filters and open lead. */
export async function startTable() {
  const { options } = session;
  const f = $('#filters');
  if (f.quality.options.length === 1) {
    fillSelect(f.quality, options.qualities);
    fillSelect(f.status, options.statuses);
    fillSelect(f.medium, options.media);
    fillSelect(f.parser, options.parsers, (p) => session.portalName(p === '_generic' ? null : p));
    for (const v of options.vendors ?? []) f.elements.namedItem('owner').append(el('option', { value: v.id, text: v.active ? v.name : `${v.name} (inactivo)` }));
    for (const p of options.projects) {
      f.project.append(el('option', { value: p, text: p }));
      $('#project-list').append(el('option', { value: p }));
    }
  }
  const prefs = await getJson('/api/me/prefs').catch(() => ({}));
  if (Array.isArray(prefs.columns) && prefs.columns.length) shown = new Set(prefs.columns.filter((k) => COLUMNS.some((c) => c.key === k)));
  renderChooser();
  const lead = applyUrl();
  await refresh();
  // A lead that does not exist or is not the person's: said at the top, in Spanish.
  if (lead && /^\d+$/.test(lead)) await openLead(Number(lead)).catch((e) => { showMessage($('#page-message'), e.message); $('#page-message').scrollIntoView({ block: 'start' }); });
}

export function wireTable() {
  $('#filters').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  $('#clear').addEventListener('click', () => { $('#filters').reset(); refresh(); });
  $('#prev').addEventListener('click', () => { page = Math.max(0, page - 1); loadPage().catch((e) => showMessage($('#message'), e.message)); });
  $('#next').addEventListener('click', () => {
    if (!nextCursor) return;
    pages[page + 1] = nextCursor;
    page += 1;
    loadPage().catch((e) => showMessage($('#message'), e.message));
  });
  $('#export-xlsx').addEventListener('click', () => download('xlsx'));
  $('#export-csv').addEventListener('click', () => download('csv'));
}
