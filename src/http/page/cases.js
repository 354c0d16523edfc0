// "Casos": post-sale cases for customer service and managers. The list with its due times (a
// breach in red and in words), a case's thread, the reply box, the status buttons, the visits, and
// the statistics (a chart, its numbers one tap away). Client text only ever reaches the DOM as text.
import { loadChartLibrary } from './charts.js';
import { $, el, fmt, getJson, postJson, session, showMessage } from './common.js';
import { t } from './i18n.js';

const CATEGORY = { consulta: 'Consulta', reclamo: 'Reclamo', sugerencia: 'Sugerencia', postventa: 'Postventa' };
const STATUS = { abierto: 'Abierto', en_espera: 'En espera del cliente', resuelto: 'Resuelto', cerrado: 'Cerrado' };
const VISIT = { tecnica: 'Visita técnica', regreso: 'Visita de regreso' };
const WRITERS = ['admin', 'gerente', 'atencion', 'atencion_supervisor'];
const PAGE = 50;

let built = false;
let offset = 0;
let openId = null;
let chart = null;
const canWrite = () => WRITERS.includes(session.me?.role);
const word = (map, v) => t(map[v] ?? v ?? '');
const hours = (m) => (m === null || m === undefined ? '–' : `${(m / 60).toLocaleString('es-CL', { maximumFractionDigits: 1 })} h`);
const pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)} %`);
const fail = (target) => (err) => showMessage(target, err.message ?? String(err));

function select(name, title, options, all = 'Todos') {
  return el('label', {}, t(title), el('select', { name }, el('option', { value: '' }, t(all)), ...options.map(([v, label]) => el('option', { value: v }, label))));
}

/** A due time: in red with the word "vencido" when breached, "en pausa" while waiting on the client. */
function due(iso, breached, paused) {
  if (paused && !iso) return el('span', { class: 'muted' }, t('en pausa'));
  return el('span', { class: breached ? 'overdue' : '' }, fmt(iso), breached ? ` · ${t('vencido')}` : '');
}

function build(options) {
  built = true;
  const form = el('form', { id: 'cases-filters', class: 'filters card', autocomplete: 'off' },
    select('status', 'Estado', options.statuses.map((s) => [s, word(STATUS, s)])),
    select('category', 'Categoría', options.categories.map((c) => [c, word(CATEGORY, c)]), 'Todas'),
    select('project', 'Proyecto', options.projects.map((p) => [p, p])),
    select('responsible', 'Responsable', [['ninguno', t('(sin responsable)')], ...options.people.map((p) => [String(p.id), p.name])]),
    el('label', {}, t('Desde'), el('input', { type: 'date', name: 'from' })),
    el('label', {}, t('Hasta'), el('input', { type: 'date', name: 'to' })),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'breached', value: 'true' }), t('Solo vencidos')),
    el('label', { class: 'grow' }, t('Buscar'), el('input', { type: 'search', name: 'q', maxlength: '100', placeholder: t('N° de caso, asunto, nombre o email') })),
    el('div', { class: 'buttons' },
      el('button', { type: 'submit' }, t('Buscar')),
      el('button', { type: 'button', class: 'secondary', onclick: () => { location.href = `/api/cases/export.xlsx?${params()}`; } }, t('Exportar Excel'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); offset = 0; render().catch(fail($('#cases-message'))); });
  const dialog = el('dialog', { id: 'case-detail', 'aria-labelledby': 'case-title' },
    el('div', { class: 'detail-head' }, el('h2', { id: 'case-title' }), el('button', { type: 'button', class: 'link', onclick: () => dialog.close() }, t('Cerrar ✕'))),
    el('div', { id: 'case-body', class: 'detail-grid' }));
  dialog.addEventListener('close', () => {
    openId = null;
    if (/^#casos\/\d+$/.test(location.hash)) history.replaceState(null, '', `${location.pathname}#casos`);
  });
  $('#cases-view').replaceChildren(
    el('h2', { class: 'visually-hidden' }, t('Casos')), form, el('p', { id: 'cases-message', class: 'error', role: 'alert' }),
    el('section', { class: 'card table-card' },
      el('div', { class: 'table-wrap' }, el('table', { id: 'cases' }, el('caption', { class: 'visually-hidden' }, t('Casos')),
        el('thead', {}, el('tr', {}, ...['Caso', 'Categoría', 'Estado', 'Asunto', 'Proyecto', 'Cliente', 'Responsable', 'Ingreso', 'Vence 1ª respuesta', 'Vence resolución'].map((h) => el('th', { scope: 'col' }, t(h))))),
        el('tbody'))),
      el('p', { id: 'cases-empty', class: 'muted', hidden: '' }, t('Sin casos para estos filtros.')),
      el('nav', { class: 'pager', 'aria-label': t('Páginas') },
        el('button', { type: 'button', class: 'secondary', id: 'cases-prev', onclick: () => { offset = Math.max(0, offset - PAGE); render().catch(fail($('#cases-message'))); } }, t('« Anterior')),
        el('span', { id: 'cases-page' }),
        el('button', { type: 'button', class: 'secondary', id: 'cases-next', onclick: () => { offset += PAGE; render().catch(fail($('#cases-message'))); } }, t('Siguiente »')))),
    el('section', { class: 'card', id: 'cases-stats', 'aria-labelledby': 'cases-stats-title' },
      el('h2', { id: 'cases-stats-title' }, t('Estadísticas')),
      el('div', { class: 'chart-box' }, el('canvas', { role: 'img', 'aria-label': t('Casos por categoría y estado') })),
      el('div', { id: 'cases-stats-tables' })),
    dialog);
}

function params() {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData($('#cases-filters'))) if (v) p.set(k, v);
  return p;
}

function row(c) {
  const cell = (label, ...content) => el('td', { 'data-label': t(label) }, ...content);
  const tr = el('tr', { 'data-id': String(c.id), class: c.breached.firstResponse || c.breached.resolution ? 'breached' : '' },
    cell('Caso', el('button', { type: 'button', class: 'link', onclick: () => openCase(c.id) }, `#${c.number}`)),
    cell('Categoría', word(CATEGORY, c.category)),
    cell('Estado', el('span', { class: `badge cs-${c.status}` }, word(STATUS, c.status))),
    cell('Asunto', c.subject),
    cell('Proyecto', c.project ?? c.projectText ?? '–'),
    cell('Cliente', c.contact.name ?? c.contact.email ?? '–'),
    cell('Responsable', c.responsible?.name ?? t('(sin responsable)')),
    cell('Ingreso', fmt(c.createdAt)),
    cell('Vence 1ª respuesta', c.firstResponseAt ? el('span', { class: c.breached.firstResponse ? 'overdue' : '' }, `${t('respondido')} ${fmt(c.firstResponseAt)}`) : due(c.due.firstResponse, c.breached.firstResponse, false)),
    cell('Vence resolución', c.resolvedAt ? el('span', { class: c.breached.resolution ? 'overdue' : '' }, `${t('resuelto')} ${fmt(c.resolvedAt)}`) : due(c.due.resolution, c.breached.resolution, c.paused)));
  return tr;
}

async function render() {
  const p = params();
  p.set('limit', String(PAGE));
  p.set('offset', String(offset));
  const data = await getJson(`/api/cases?${p}`);
  $('#cases tbody').replaceChildren(...data.items.map(row));
  $('#cases-empty').hidden = data.items.length > 0;
  $('#cases-page').textContent = data.total ? `${offset + 1}–${offset + data.items.length} ${t('de')} ${data.total}` : '';
  $('#cases-prev').disabled = offset === 0;
  $('#cases-next').disabled = offset + data.items.length >= data.total;
  p.delete('limit');
  p.delete('offset');
  await renderStats(await getJson(`/api/cases/stats?${p}`));
}

function table(caption, head, rows) {
  // A wide table scrolls inside its own box, which the keyboard can reach (axe: scrollable-region-focusable).
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t(caption) }, el('table', { class: 'small' }, el('caption', {}, t(caption)),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, t(h))))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v, i) => (i === 0 ? el('th', { scope: 'row' }, v) : el('td', {}, v))))))));
}

async function renderStats(s) {
  const times = (g) => [g.key ?? t('(sin responsable)'), String(g.cases), hours(g.firstResponse.p50Minutes), hours(g.firstResponse.p90Minutes), pct(g.firstResponse.compliance),
    hours(g.resolution.p50Minutes), hours(g.resolution.p90Minutes), pct(g.resolution.compliance)];
  const head = ['', 'Casos', '1ª respuesta p50', 'p90', 'En plazo', 'Resolución p50', 'p90', 'En plazo'];
  const sat = s.satisfaction;
  $('#cases-stats-tables').replaceChildren(
    table('Por categoría', ['Categoría', 'Casos'], Object.entries(s.byCategory).map(([k, n]) => [word(CATEGORY, k), String(n)])),
    table('Por estado', ['Estado', 'Casos'], Object.entries(s.byStatus).map(([k, n]) => [word(STATUS, k), String(n)])),
    table('Por proyecto', ['Proyecto', 'Casos'], s.byProject.map((p) => [p.project ?? t('Sin proyecto'), String(p.n)])),
    table('Tiempos y plazos por responsable (horas hábiles)', ['Responsable', ...head.slice(1)], s.byPerson.map(times)),
    table('Tiempos y plazos por mes (horas hábiles)', ['Mes', ...head.slice(1)], s.byMonth.map(times)),
    el('p', { id: 'cases-satisfaction' }, `${t('Satisfacción')}: ${sat.average === null ? t('sin respuestas') : `${sat.average.toLocaleString('es-CL')} / 5 (${sat.answers} ${t('respuestas')})`}`));
  const canvas = $('#cases-stats canvas');
  const summary = Object.entries(s.byCategory).map(([k, n]) => `${word(CATEGORY, k)}: ${n}`).join(', ') || t('Sin casos para estos filtros.');
  canvas.setAttribute('aria-label', `${t('Casos por categoría')}: ${summary}`);
  try {
    const Chart = await loadChartLibrary();
    chart?.destroy();
    const cats = Object.keys(CATEGORY);
    chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: cats.map((c) => word(CATEGORY, c)), datasets: [{ label: t('Casos'), data: cats.map((c) => s.byCategory[c] ?? 0), backgroundColor: ['#1f6feb', '#c62828', '#1a7f37', '#b35900'] }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    $('#cases-stats').dataset.drawn = 'true';
  } catch (e) {
    showMessage($('#cases-message'), e.message);
  }
}

function facts(c) {
  const dl = el('dl');
  const add = (k, v) => dl.append(el('dt', {}, t(k)), el('dd', {}, v));
  add('Categoría', word(CATEGORY, c.category));
  add('Estado', word(STATUS, c.status));
  add('Cliente', [c.contact.name, c.contact.email, c.contact.phone].filter(Boolean).join(' · ') || '–');
  add('Proyecto', `${c.project ?? c.projectText ?? '–'}${c.unit ? ` · ${c.unit}` : ''}`);
  add('Responsable', c.responsible?.name ?? t('(sin responsable)'));
  add('Ingreso', fmt(c.createdAt));
  add('Vence 1ª respuesta', c.firstResponseAt ? `${t('respondido')} ${fmt(c.firstResponseAt)}${c.breached.firstResponse ? ` · ${t('fuera de plazo')}` : ''}` : due(c.due.firstResponse, c.breached.firstResponse, false));
  add('Vence resolución', c.resolvedAt ? `${t('resuelto')} ${fmt(c.resolvedAt)}${c.breached.resolution ? ` · ${t('fuera de plazo')}` : ''}` : due(c.due.resolution, c.breached.resolution, c.paused));
  if (c.escalatedAt) add('Escalado', fmt(c.escalatedAt));
  if (c.satisfaction) add('Satisfacción', `${c.satisfaction.score} / 5`);
  return dl;
}

function thread(c) {
  return el('ol', { class: 'thread', 'aria-label': t('Conversación') }, ...c.messages.map((m) =>
    el('li', { class: `msg ${m.direction === 'out' ? 'out' : 'in'}` },
      el('p', { class: 'meta' }, `${m.direction === 'out' ? t('Enviado') : t('Recibido')} · ${fmt(m.at)} · ${m.direction === 'out' ? m.to ?? '' : m.from ?? ''}`),
      el('p', { class: 'subject' }, m.subject),
      el('p', { class: 'text' }, m.text),
      m.attachments.length ? el('ul', { class: 'attachments' }, ...m.attachments.map((a, i) => el('li', {},
        // An incoming email's attachments download from the stored email (parsed again off the main thread).
        m.direction === 'in' ? el('a', { href: `/api/cases/${c.id}/messages/${m.id}/attachments/${i}`, download: a.filename ?? '' }, a.filename ?? t('adjunto')) : (a.filename ?? t('adjunto')),
        ` (${a.contentType ?? ''})`))) : '')));
}

function writeForms(c, message) {
  const reply = el('form', { class: 'action-form', id: 'case-reply' },
    el('label', { class: 'span' }, t('Respuesta al cliente'), el('textarea', { name: 'text', required: '', maxlength: '20000' })),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'waitForClient' }), t('Quedar esperando respuesta del cliente')),
    el('button', { type: 'submit' }, t('Enviar respuesta')));
  if (!c.contact.email) reply.querySelector('button').disabled = true;
  reply.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { text: reply.elements.text.value, waitForClient: reply.elements.waitForClient.checked };
    postJson(`/api/cases/${c.id}/reply`, body).then(() => done('Respuesta enviada.')).catch(fail(message));
  });
  const buttons = el('div', { class: 'action-buttons', role: 'group', 'aria-label': t('Cambiar estado') },
    ...Object.keys(STATUS).map((s) => el('button', { type: 'button', class: s === c.status ? '' : 'secondary', 'aria-pressed': String(s === c.status), 'data-status': s,
      onclick: () => postJson(`/api/cases/${c.id}/status`, { status: s }).then(() => done(`${t('Estado')}: ${word(STATUS, s)}.`)).catch(fail(message)) }, word(STATUS, s))));
  const visit = el('form', { class: 'action-form', id: 'case-visit' },
    el('label', {}, t('Tipo'), el('select', { name: 'kind' }, ...Object.entries(VISIT).map(([k, v]) => el('option', { value: k }, t(v))))),
    el('label', {}, t('Fecha'), el('input', { type: 'datetime-local', name: 'scheduledAt', required: '' })),
    el('label', {}, t('Quién visita'), el('input', { name: 'who', required: '', maxlength: '200' })),
    el('label', {}, t('Realizada el'), el('input', { type: 'datetime-local', name: 'doneAt' })),
    el('label', { class: 'span' }, t('Resultado'), el('textarea', { name: 'outcome', maxlength: '2000' })),
    el('button', { type: 'submit' }, t('Registrar visita')));
  visit.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = visit.elements;
    const body = { kind: f.kind.value, scheduledAt: f.scheduledAt.value, who: f.who.value, ...(f.doneAt.value ? { doneAt: f.doneAt.value } : {}), ...(f.outcome.value ? { outcome: f.outcome.value } : {}) };
    postJson(`/api/cases/${c.id}/visits`, body).then(() => done('Visita registrada.')).catch(fail(message));
  });
  async function done(text) {
    await openCase(c.id, false);
    showMessage($('#case-message'), text, true);
    render().catch(() => {});
  }
  const people = session.caseOptions?.people ?? [];
  const holder = el('select', { name: 'responsible', id: 'case-responsible' }, el('option', { value: '' }, t('(sin responsable)')),
    ...people.map((p) => el('option', { value: String(p.id) }, p.name)));
  holder.value = c.responsible ? String(c.responsible.id) : '';
  holder.addEventListener('change', () => {
    postJson(`/api/cases/${c.id}/assign`, { userId: holder.value ? Number(holder.value) : null }).then(() => done('Responsable guardado.')).catch(fail(message));
  });
  // A misfiled category is corrected here; its due times follow the new category's targets.
  const category = el('select', { name: 'category', id: 'case-category' }, ...Object.keys(CATEGORY).map((k) => el('option', { value: k }, word(CATEGORY, k))));
  category.value = c.category;
  category.addEventListener('change', () => {
    postJson(`/api/cases/${c.id}/category`, { category: category.value }).then(() => done('Categoría guardada.')).catch(fail(message));
  });
  return [el('section', { class: 'span' }, el('h3', {}, t('Responder')), reply),
    el('section', {}, el('h3', {}, t('Estado')), buttons, el('label', {}, t('Responsable'), holder), el('label', {}, t('Categoría'), category)),
    el('section', {}, el('h3', {}, t('Registrar visita')), visit)];
}

/** Opens a case in the dialog (its address is #casos/ID, a link a person can send). */
export async function openCase(id, push = true) {
  const c = await getJson(`/api/cases/${id}`);
  openId = id;
  $('#case-title').textContent = `${t('Caso')} ${c.number} · ${c.subject}`;
  const message = el('p', { id: 'case-message', class: 'error', role: 'status' });
  const visits = c.visits.length
    ? el('ul', { class: 'history' }, ...c.visits.map((v) => el('li', {}, `${word(VISIT, v.kind)} · ${fmt(v.scheduledAt)} · ${v.who}${v.doneAt ? ` · ${t('realizada')} ${fmt(v.doneAt)}` : ''}${v.outcome ? ` · ${v.outcome}` : ''}`)))
    : el('p', { class: 'muted' }, t('Sin visitas.'));
  $('#case-body').replaceChildren(
    el('section', {}, el('h3', {}, t('Datos del caso')), facts(c)),
    el('section', {}, el('h3', {}, t('Visitas')), visits),
    el('section', { class: 'span' }, el('h3', {}, t('Conversación')), thread(c)),
    message,
    ...(canWrite() ? writeForms(c, message) : [el('p', { class: 'muted span' }, t('Solo lectura.'))]));
  const dialog = $('#case-detail');
  if (!dialog.open) dialog.showModal();
  if (push) history.replaceState(null, '', `${location.pathname}#casos/${id}`);
}

/** The view's switch: true when it is the one shown. */
export async function showCases(view) {
  const section = $('#cases-view');
  const on = view === 'casos' || /^casos\/\d+$/.test(view);
  section.hidden = !on;
  if (!on) return false;
  if (!built) build(session.caseOptions ?? (session.caseOptions = await getJson('/api/cases/options')));
  const wanted = /^casos\/(\d+)$/.exec(view);
  if (!wanted && location.hash !== '#casos') history.replaceState(null, '', `${location.pathname}#casos`);
  await render();
  if (wanted && openId !== Number(wanted[1])) await openCase(Number(wanted[1]), false);
  return true;
}
