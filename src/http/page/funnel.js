// "Embudo": Lead → Cotización → Separación → Minuta → Desembolso for a period and filters, each
// stage's states and table, the return of each portal, a client's ficha, and walk-in registration.
import { chartCard, drawChart, PALETTE, QUALITY_COLOURS, setNote } from './charts.js';
import { $, el, fmt, getJson, label, postJson, problemText, session, showMessage } from './common.js';
import { t } from './i18n.js';

const STAGE_NAMES = { lead: 'Lead', cotizacion: 'Cotización', separacion: 'Separación', minuta: 'Minuta', desembolso: 'Desembolso' };
const STAGES = Object.keys(STAGE_NAMES);
const STATE_NAMES = {
  por_contactar: 'Por contactar', no_contactado: 'No contactados', contactado: 'Contactados', abortado: 'Abortados', descartado: 'Descartados',
  emitida: 'Emitida', aprobada: 'Aprobada', cancelada: 'Cancelada', caducada: 'Caducada', rechazada: 'Rechazada', modificada: 'Modificada',
  modificada_en_minuta: 'Modificada en minuta CV', fuera_de_plazo: 'Fuera de plazo', inconclusa: 'Inconclusa', pendiente: 'Pendiente',
};
const SOURCE_NAMES = { sala_de_ventas: 'Sala de ventas', centralizador: 'Centralizador', cotizador_web: 'Cotizador web', api: 'API' };
const stateName = (s) => STATE_NAMES[s] ?? label(s);
const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toLocaleString('es-CL', { maximumFractionDigits: 1 })} %`);
const num = (n) => Number(n ?? 0).toLocaleString('es-CL');
const portalName = (p) => (p === '_sin_lead' ? 'Sin lead (sala / ERP)' : session.portalName?.(p === '_generic' ? null : p) ?? p);

let built = false;
let stage = 'lead';
let state = '';
let data = null;

function select(name, title, options, all = 'Todos') {
  return el('label', {}, title, el('select', { name }, el('option', { value: '' }, all), ...options.map(([v, t]) => el('option', { value: v }, t))));
}

function build() {
  built = true;
  const o = session.options ?? {};
  const form = el('form', { id: 'funnel-filters', class: 'filters card', autocomplete: 'off' },
    el('label', {}, 'Desde', el('input', { type: 'date', name: 'from' })),
    el('label', {}, 'Hasta', el('input', { type: 'date', name: 'to' })),
    select('project', 'Proyecto', (o.projects ?? []).map((p) => [p, p])),
    select('parser', 'Portal', (o.parsers ?? []).map((p) => [p, portalName(p)])),
    select('medium', 'Medio', (o.media ?? []).map((m) => [m, label(m)])),
    session.me?.role === 'vendedor' ? '' : select('owner', 'Responsable', (o.vendors ?? []).map((v) => [v.id, v.name])),
    el('div', { class: 'buttons' }, el('button', { type: 'submit' }, 'Aplicar')));
  form.addEventListener('submit', (e) => { e.preventDefault(); render().catch(fail); });
  const walkIn = el('details', { class: 'card' }, el('summary', {}, 'Registrar visita en sala de ventas'),
    el('form', { id: 'walk-in', class: 'action-form' },
      el('label', {}, 'Nombre', el('input', { name: 'name', maxlength: '200', required: '' })),
      el('label', {}, session.idLabel ?? 'Documento', el('input', { name: 'nationalId', maxlength: '100' })),
      el('label', {}, 'Email', el('input', { name: 'email', type: 'email', maxlength: '254' })),
      el('label', {}, 'Teléfono', el('input', { name: 'phone', maxlength: '64' })),
      select('project', 'Proyecto', (o.projects ?? []).map((p) => [p, p]), 'Elegir…'),
      el('label', { class: 'span' }, 'Comentario', el('textarea', { name: 'message', maxlength: '2000' })),
      el('button', { type: 'submit' }, 'Registrar'),
      el('p', { id: 'walk-in-message', role: 'status' })));
  walkIn.querySelector('form').addEventListener('submit', (e) => { e.preventDefault(); registerWalkIn(e.target).catch(fail); });
  const dialog = el('dialog', { id: 'funnel-client', 'aria-labelledby': 'fc-title' },
    el('div', { class: 'detail-head' }, el('h2', { id: 'fc-title' }), el('button', { type: 'button', class: 'link', onclick: () => dialog.close() }, 'Cerrar ✕')),
    el('div', { class: 'detail-grid' }, el('section', { class: 'span' }, el('dl', { id: 'fc-facts' }),
      el('table', { id: 'fc-timeline', class: 'small' }, el('thead', {}, el('tr', {}, ...['Fecha', 'Tipo de interacción', 'Proyecto', 'Producto', 'Modelo', 'Estado', 'Tipo de contacto', 'Expectativa', 'Vía de ingreso', 'Medio de llegada'].map((t) => el('th', {}, t)))), el('tbody')))));
  $('#funnel-view').replaceChildren(
    el('h2', { class: 'visually-hidden' }, 'Embudo de ventas'), form, el('p', { id: 'funnel-message', class: 'error', role: 'alert' }),
    el('section', { class: 'group' }, el('h2', {}, 'Embudo de ventas'), el('div', { id: 'funnel-stages', class: 'cards' })),
    el('div', { class: 'chart-grid' }, ...CHARTS.map(([id, title]) => chartCard(id, title))),
    el('section', { class: 'group' }, el('h2', { id: 'funnel-states-title' }), el('div', { id: 'funnel-states', class: 'cards' })),
    el('section', { class: 'card table-card' }, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'funnel-states-title' }, el('table', { id: 'funnel-items' }, el('thead'), el('tbody')))),
    ...[['byPortal', 'Retorno por portal'], ['byMedium', 'Por medio de llegada'], ['byProject', 'Por proyecto'], ['byVendor', 'Por responsable']].map(([key, title]) =>
      // A table wider than the screen scrolls inside its box, which a keyboard can focus and scroll.
      el('section', { class: 'card table-card' }, el('h2', { id: `funnel-${key}-title` }, title),
        el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `funnel-${key}-title` }, el('table', { id: `funnel-${key}` }, el('thead'), el('tbody'))))),
    walkIn, dialog);
  $('#logout')?.addEventListener('click', () => { $('#funnel-view').hidden = true; });
  const previous = session.onUnauthorized;
  session.onUnauthorized = (why) => { $('#funnel-view').hidden = true; previous(why); };
}

const fail = (err) => showMessage($('#funnel-message'), err.message ?? String(err));

function params() {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData($('#funnel-filters'))) if (v) p.set(k, v);
  return p;
}

function stageCard(s) {
  const active = s.stage === stage;
  return el('button', { type: 'button', class: `count stage-${s.stage}${active ? ' active' : ''}`, 'data-stage': s.stage, onclick: () => { stage = s.stage; state = ''; draw().catch(fail); } },
    el('span', { class: 'n', text: num(s.count) }), el('span', { class: 'l', text: STAGE_NAMES[s.stage] }),
    el('span', { class: 'l conv', text: s.conversion === null ? '' : `→ ${pct(s.conversion)}` }));
}

function breakdown(id, rows, head, name) {
  const table = $(`#funnel-${id}`);
  table.querySelector('thead').replaceChildren(el('tr', {}, el('th', {}, head), ...STAGES.map((s) => el('th', {}, STAGE_NAMES[s]))));
  table.querySelector('tbody').replaceChildren(...rows.map((r) => el('tr', {}, el('td', { class: 'name', text: name(r) }), ...STAGES.map((s) => el('td', { class: `n ${s}`, text: num(r[s]) })))));
}

export async function render() {
  showMessage($('#funnel-message'), '');
  data = await getJson(`/api/funnel?${params()}`);
  breakdown('byPortal', data.byPortal, 'Portal', (r) => portalName(r.parser));
  breakdown('byMedium', data.byMedium, 'Medio', (r) => label(r.medium));
  breakdown('byProject', data.byProject, 'Proyecto', (r) => r.project ?? 'Sin proyecto');
  breakdown('byVendor', data.byVendor, 'Responsable', (r) => r.name ?? r.vendorId ?? 'Sin responsable');
  await draw();
  await drawCharts(data, await getJson(`/api/team?${params()}`));
}

const CHARTS = [
  ['chart-funnel', 'Embudo de ventas'], ['chart-conversion', 'Conversión por portal'],
  ['chart-weekly-portal', 'Leads por semana, por portal'], ['chart-weekly-quality', 'Leads por semana, por calidad'],
  ['chart-speed', 'Velocidad de primer contacto por vendedor'], ['chart-teams', 'Velocidad de primer contacto por equipo'],
  ['chart-overdue', 'Seguimientos vencidos por vendedor'],
];
const dayMonth = new Intl.DateTimeFormat('es-CL', { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
const weekLabel = (w) => dayMonth.format(new Date(`${w}T00:00:00Z`));
/** 35 min, 5 h 10 min, 2 d 3 h. */
function duration(minutes) {
  if (minutes === null || minutes === undefined) return '–';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}
const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => `${v} %` } };
const share = (part, whole) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);

/** Leads per week stacked by `key` (portal or quality). */
function weekly(id, rows, name, colour) {
  const weeks = [...new Set(rows.map((r) => r.week))];
  const keys = [...new Set(rows.map((r) => r.key))];
  const count = new Map(rows.map((r) => [`${r.week}|${r.key}`, r.n]));
  const datasets = keys.map((k, i) => ({ label: name(k), data: weeks.map((w) => count.get(`${w}|${k}`) ?? 0), backgroundColor: colour(k, i), stack: 'w' }));
  const total = rows.reduce((s, r) => s + r.n, 0);
  return drawChart(id, { type: 'bar', data: { labels: weeks.map(weekLabel), datasets }, options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } },
    [[t('Semana (lunes)'), ...keys.map(name), t('Total')], ...weeks.map((w) => [weekLabel(w), ...keys.map((k) => num(count.get(`${w}|${k}`) ?? 0)), num(keys.reduce((s, k) => s + (count.get(`${w}|${k}`) ?? 0), 0))])],
    `${t('Leads por semana')}: ${num(total)} ${t('en')} ${weeks.length} ${t(weeks.length === 1 ? 'semana' : 'semanas')}`);
}

/** Share contacted within 1 h and 24 h per row (vendor or team), the median in the table. */
function speed(id, rows, who) {
  const names = rows.map((r) => r.name ?? '–');
  const data = { labels: names, datasets: [
    { label: t('% en 1 h'), data: rows.map((r) => share(r.within1h, r.leads)), backgroundColor: PALETTE[1] },
    { label: t('% en 24 h'), data: rows.map((r) => share(r.within24h, r.leads)), backgroundColor: PALETTE[0] },
  ] };
  return drawChart(id, { type: 'bar', data, options: { indexAxis: 'y', scales: { x: percentAxis } } },
    [[t(who), t('Leads'), t('Contactados'), t('Mediana (p50)'), t('En 1 h'), t('En 24 h')],
      ...rows.map((r) => [r.name ?? '–', num(r.leads), num(r.contacted), duration(r.p50Minutes), `${num(r.within1h)} (${pct(r.share1h)})`, `${num(r.within24h)} (${pct(r.share24h)})`])],
    rows.map((r) => `${r.name}: ${t('mediana')} ${duration(r.p50Minutes)}, ${pct(r.share1h)} ${t('en 1 h')}`).join('; ') || t('Sin datos'));
}

/** The Embudo's pictures: the funnel, conversion by portal, leads per week, speed to first contact, overdue follow-ups. */
async function drawCharts(funnelData, team) {
  const from = team.period.from ? fmt(team.period.from).slice(0, 10) : '';
  const period = `${t('Desde')} ${from}${team.period.to ? ` ${t('hasta')} ${fmt(team.period.to).slice(0, 10)}` : ''}`;
  const stages = funnelData.stages;
  await drawChart('chart-funnel', { type: 'bar', data: { labels: stages.map((s) => t(STAGE_NAMES[s.stage])), datasets: [{ label: t('Cantidad'), data: stages.map((s) => s.count), backgroundColor: stages.map((_, i) => PALETTE[i % PALETTE.length]) }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } },
  [[t('Etapa'), t('Cantidad'), t('Pasa a la siguiente')], ...stages.map((s) => [t(STAGE_NAMES[s.stage]), num(s.count), pct(s.conversion)])],
  stages.map((s) => `${t(STAGE_NAMES[s.stage])} ${num(s.count)}`).join(', '));
  const portals = funnelData.byPortal.filter((r) => r.lead > 0);
  const later = STAGES.slice(1);
  await drawChart('chart-conversion', { type: 'bar', data: { labels: portals.map((r) => portalName(r.parser)),
    datasets: later.map((s, i) => ({ label: t(STAGE_NAMES[s]), data: portals.map((r) => share(r[s], r.lead)), backgroundColor: PALETTE[i] })) },
  options: { scales: { y: percentAxis } } },
  [[t('Portal'), t('Leads'), ...later.map((s) => t(STAGE_NAMES[s]))], ...portals.map((r) => [portalName(r.parser), num(r.lead), ...later.map((s) => `${num(r[s])} (${share(r[s], r.lead).toLocaleString('es-CL')} %)`)])],
  portals.map((r) => `${portalName(r.parser)}: ${num(r.lead)} leads, ${share(r.cotizacion, r.lead)} % ${t('a cotización')}`).join('; ') || t('Sin datos'));
  setNote('chart-conversion', t('Porcentaje de los leads de cada portal que llegó a cada etapa.'));
  await weekly('chart-weekly-portal', team.weeklyByPortal, (k) => portalName(k ?? '_generic'), (_, i) => PALETTE[i % PALETTE.length]);
  await weekly('chart-weekly-quality', team.weeklyByQuality, (k) => label(k), (k, i) => QUALITY_COLOURS[k] ?? PALETTE[i]);
  for (const id of ['chart-weekly-portal', 'chart-weekly-quality']) setNote(id, period);
  await speed('chart-speed', team.contactSpeed.vendors, 'Vendedor');
  const all = team.contactSpeed.all;
  setNote('chart-speed', `${period}. ${t('Desde la llegada hasta el primer contacto registrado.')}${all ? ` ${t('Todos')}: ${t('mediana')} ${duration(all.p50Minutes)}, ${pct(all.share1h)} ${t('en 1 h')}, ${pct(all.share24h)} ${t('en 24 h')}.` : ''}`);
  $('#chart-teams').hidden = team.contactSpeed.teams.length === 0;
  if (team.contactSpeed.teams.length) {
    await speed('chart-teams', team.contactSpeed.teams, 'Equipo');
    setNote('chart-teams', period);
  }
  const overdue = team.overdueFollowUps;
  await drawChart('chart-overdue', { type: 'bar', data: { labels: overdue.map((r) => r.name ?? t('Sin responsable')), datasets: [{ label: t('Vencidos'), data: overdue.map((r) => r.n), backgroundColor: '#c62828' }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } },
  [[t('Vendedor'), t('Seguimientos vencidos')], ...overdue.map((r) => [r.name ?? t('Sin responsable'), num(r.n)])],
  overdue.map((r) => `${r.name ?? t('Sin responsable')}: ${num(r.n)}`).join(', ') || t('Ningún seguimiento vencido'));
  setNote('chart-overdue', overdue.length ? t('Seguimientos abiertos cuya fecha ya pasó, hoy.') : t('Ningún seguimiento vencido.'));
}

/** The stages, the chosen stage's states (clickable) and its table. */
async function draw() {
  $('#funnel-stages').replaceChildren(...data.stages.map(stageCard));
  const counts = data.statuses[stage] ?? null;
  $('#funnel-states-title').textContent = `Estados: ${STAGE_NAMES[stage]}`;
  $('#funnel-states').replaceChildren(...(counts ? Object.entries(counts) : []).map(([k, n]) =>
    el('button', { type: 'button', class: `count state-${k}${state === k ? ' active' : ''}`, 'data-state': k, onclick: () => { state = state === k ? '' : k; draw().catch(fail); } },
      el('span', { class: 'n', text: num(n) }), el('span', { class: 'l', text: stateName(k) }))));
  await drawItems();
}

async function drawItems() {
  const p = params();
  const table = $('#funnel-items');
  let rows;
  if (stage === 'lead') {
    if (state) p.set('status', state);
    p.set('limit', '50');
    const r = await getJson(`/api/leads?${p}`);
    rows = r.items.map((l) => ({ clientId: l.clientId, at: l.receivedAt, name: l.fields.name, nationalId: l.fields.nationalId, phone: l.fields.phone, email: l.fields.email, project: l.project, status: l.status, detail: label(l.quality), owner: l.owner }));
  } else {
    p.set('stage', stage);
    if (state) p.set('state', state);
    p.set('limit', '50');
    const r = await getJson(`/api/funnel/items?${p}`);
    rows = r.items.map((i) => ({ clientId: i.clientId, at: i.at, name: i.name, nationalId: i.nationalId, phone: i.phone, email: i.email, project: i.project, status: i.status, detail: [i.product, i.amount === null ? '' : num(i.amount)].filter(Boolean).join(' · '), owner: i.owner }));
  }
  const heads = ['Nombre y apellido', session.idLabel ?? 'Documento', 'Teléfono', 'Correo electrónico', 'Proyecto', 'Estado', stage === 'lead' ? 'Calidad' : 'Producto / monto', 'Responsable', 'Fecha'];
  table.querySelector('thead').replaceChildren(el('tr', {}, ...heads.map((h) => el('th', {}, h))));
  table.querySelector('tbody').replaceChildren(...rows.map((r) => {
    const tr = el('tr', { 'data-client': r.clientId ?? '' }, el('td', { class: 'name', text: r.name ?? '(sin nombre)' }), el('td', { text: r.nationalId ?? '' }), el('td', { text: r.phone ?? '' }),
      el('td', { text: r.email ?? '' }), el('td', { text: r.project ?? '' }), el('td', {}, el('span', { class: `badge s-${r.status}`, text: stateName(r.status) })),
      el('td', { text: r.detail }), el('td', { text: session.vendorNames?.get(r.owner) ?? r.owner ?? '' }), el('td', { text: fmt(r.at) }));
    if (r.clientId) tr.addEventListener('click', () => openClient(r.clientId).catch(fail));
    return tr;
  }));
}

/** The ficha: every interaction of the client in one timeline. */
async function openClient(id) {
  const t = await getJson(`/api/clients/${encodeURIComponent(id)}/timeline`);
  $('#fc-title').textContent = t.client.name ?? '(sin nombre)';
  const facts = [[session.idLabel ?? 'Documento', t.client.nationalId], ['Email', t.client.email], ['Teléfono', t.client.phone],
    ['Última interacción', t.lastInteraction ? `${STAGE_NAMES[t.lastInteraction.type] ?? t.lastInteraction.type} · ${fmt(t.lastInteraction.at)}` : 'N/E'], ['Fecha de último contacto', fmt(t.lastContactAt)]];
  $('#fc-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { text: v ?? '' })]));
  $('#fc-timeline tbody').replaceChildren(...t.timeline.map((r) => el('tr', { class: `t-${r.type}` },
    el('td', { text: fmt(r.at) }), el('td', { text: STAGE_NAMES[r.type] ?? (r.type === 'seguimiento' ? 'Seguimiento' : r.type) }), el('td', { text: r.project ?? '' }),
    el('td', { text: r.product ?? '' }), el('td', { text: r.model ?? '' }), el('td', { text: stateName(r.state ?? r.contactState ?? r.status ?? '') }),
    el('td', { text: label(r.contactType ?? '') }), el('td', { text: label(r.expectation ?? '') }),
    el('td', { text: SOURCE_NAMES[r.source] ?? (r.type === 'lead' ? 'Centralizador' : '') }), el('td', { text: r.medium ? label(r.medium) : '' }))));
  $('#funnel-client').showModal();
}

async function registerWalkIn(form) {
  const body = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
  const r = await postJson('/api/walk-ins', body);
  showMessage($('#walk-in-message'), `Registrado: ${label(r.quality)}${r.problems.length ? ` (${r.problems.map((c) => problemText(c)).join(', ')})` : ''}.`, true);
  form.reset();
  await render();
}

/** Shows the view when `view` is "embudo" (true) and hides it otherwise (false): app.js's show() calls this. */
export async function showFunnel(view) {
  const section = $('#funnel-view');
  section.hidden = view !== 'embudo';
  if (view !== 'embudo') return false;
  if (!built) build();
  if (location.hash !== '#embudo') history.replaceState(null, '', `${location.pathname}#embudo`);
  await render();
  return true;
}
