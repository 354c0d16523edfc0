// The managers' page. Lead data is hostile input: it only ever reaches the DOM through textContent.
const LABELS = {
  bueno: 'Bueno', con_problemas: 'Con problemas', malo: 'Malo',
  por_contactar: 'Por contactar', no_contactado: 'No contactados', contactado: 'Contactados', abortado: 'Abortados', descartado: 'Descartados',
  portales: 'Portales', web: 'Web', otros: 'Otros', _generic: 'Genérico',
  alta: 'Alta', media: 'Media', baja: 'Baja',
  llamada: 'Llamada', whatsapp: 'WhatsApp', email: 'Email', visita: 'Visita', videollamada: 'Videollamada', sin_respuesta: 'Sin respuesta',
  sin_datos_de_contacto: 'Sin datos de contacto', datos_falsos: 'Datos falsos', duplicado: 'Duplicado', spam: 'Spam', prueba: 'Prueba', otro: 'Otro',
  continuar: 'Continuar', abortar: 'Abortar', open: 'Abierto', done: 'Hecho', aborted: 'Abortado',
  edit: 'Edición de datos', follow_up: 'Seguimiento', abort: 'Abortado', discard: 'Descartado',
  nuevo: 'Nuevo', retorno: 'Retorno', transferencia: 'Transferencia', regla: 'Regla',
};
const ROW_STATE = { por_contactar: 'Por contactar', no_contactado: 'No contactado', contactado: 'Contactado', abortado: 'Abortado', descartado: 'Descartado' };
const ID_LABELS = { CL: 'RUT', PE: 'DNI/C.E./RUC', BR: 'CPF' };
const label = (v) => LABELS[v] ?? v ?? '';
const $ = (sel) => document.querySelector(sel);
const dateTime = new Intl.DateTimeFormat('es-CL', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const PROBLEM_FIELDS = { name: 'Nombre', nationalId: 'Documento', email: 'Email', phone: 'Teléfono', project: 'Proyecto', contact: 'Contacto' };
const PROBLEM_KINDS = { missing: 'falta', invalid: 'no es válido', unmatched: 'no coincide con un proyecto conocido' };
/** 'project.unmatched' -> 'Proyecto: no coincide con un proyecto conocido (closest: ...)'. */
function problemText(code, details) {
  const [fieldName, kind] = code.split('.');
  const text = `${PROBLEM_FIELDS[fieldName] ?? fieldName}: ${PROBLEM_KINDS[kind] ?? kind}`;
  return details?.[code] ? `${text} (${details[code]})` : text;
}
const fmt = (iso) => (iso ? dateTime.format(new Date(iso)) : 'N/E');

let me = null; // who is signed in: {email, name, role, vendorId, csrf}
let options = null;
let pages = [null]; // cursors of the pages seen, for "Anterior"
let page = 0;
let nextCursor = null;
let current = null; // the lead open in the detail dialog
let vendorNames = new Map(); // vendor id -> name, for the owner column
const ownerName = (id) => (id ? vendorNames.get(id) ?? id : '—');

/** Builds an element; children are nodes or text (text becomes a text node, never markup). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v ?? '';
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}

class ApiError extends Error {}

const ROLE_NAMES = { admin: 'Administrador', gerente: 'Gerente', supervisor: 'Supervisor', vendedor: 'Vendedor' };

/** Same-origin requests carry the session cookie; writes carry the session's CSRF token. */
async function api(path, init = {}) {
  const method = init.method ?? 'GET';
  const headers = { ...(init.headers ?? {}), ...(method !== 'GET' && me?.csrf ? { 'X-CSRF-Token': me.csrf } : {}) };
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) {
    showLogin('Tu sesión terminó: vuelve a iniciar sesión.');
    throw new ApiError('No autorizado');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new ApiError(body.error ?? `Error ${res.status}`);
  }
  return res;
}
const getJson = async (path) => (await api(path)).json();
const postJson = async (path, body) => (await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();

function showMessage(target, text, ok = false) {
  target.textContent = text;
  target.className = ok ? 'ok' : 'error';
}

function showLogin(why = '') {
  me = null;
  $('#main').hidden = true;
  $('#who').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = why;
  if ($('#detail').open) $('#detail').close();
}

async function logout() {
  try { await api('/api/session', { method: 'DELETE' }); } catch { /* already gone */ }
  showLogin();
}

/** Menus and buttons a role cannot use are not shown (the server refuses them anyway). */
function applyRole() {
  $('#who-name').textContent = me.name;
  $('#who-role').textContent = `· ${ROLE_NAMES[me.role] ?? me.role}`;
  $('#who').hidden = false;
  for (const node of document.querySelectorAll('[data-roles]')) node.hidden = !node.dataset.roles.split(' ').includes(me.role);
}

function fillSelect(select, values) {
  for (const v of values) select.append(el('option', { value: v, text: label(v) }));
}

async function start() {
  options = await getJson('/api/options');
  applyRole();
  $('#login').hidden = true;
  $('#main').hidden = false;
  const f = $('#filters');
  if (f.quality.options.length === 1) {
    fillSelect(f.quality, options.qualities);
    fillSelect(f.status, options.statuses);
    fillSelect(f.medium, options.media);
    fillSelect(f.parser, options.parsers);
    for (const v of options.vendors ?? []) f.elements.namedItem('owner').append(el('option', { value: v.id, text: v.active ? v.name : `${v.name} (inactivo)` }));
    for (const p of options.projects) {
      f.project.append(el('option', { value: p, text: p }));
      $('#project-list').append(el('option', { value: p }));
    }
    fillSelect($('#f-follow').expectation, options.expectations);
    fillSelect($('#f-follow').contactType, options.contactTypes);
    fillSelect($('#f-discard').reason, options.discardReasons);
  }
  vendorNames = new Map((options.vendors ?? []).map((v) => [v.id, v.name]));
  const idLabel = ID_LABELS[options.country] ?? 'Documento';
  $('#id-label').textContent = idLabel;
  for (const s of document.querySelectorAll('.id-label')) s.textContent = idLabel;
  await refresh();
}

function filterParams() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#filters'))) if (String(v).trim()) params.set(k, String(v).trim());
  return params;
}

async function refresh(resetPages = true) {
  if (resetPages) { pages = [null]; page = 0; }
  showMessage($('#message'), '');
  try {
    await Promise.all([loadStats(), loadPage()]);
  } catch (e) {
    if (e instanceof ApiError) showMessage($('#message'), e.message);
    else throw e;
  }
}

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

async function loadPage() {
  const params = filterParams();
  params.set('limit', '50');
  if (pages[page]) params.set('cursor', pages[page]);
  const data = await getJson(`/api/leads?${params}`);
  nextCursor = data.nextCursor;
  const rows = data.items.map((l) => el('tr', { 'data-id': String(l.id), tabindex: '0', onclick: () => openLead(l.id), onkeydown: (e) => e.key === 'Enter' && openLead(l.id) },
    el('td', { class: 'name', text: l.fields.name ?? '(sin nombre)' }), el('td', { text: l.fields.nationalId }), el('td', { text: l.fields.phone }),
    el('td', { text: l.fields.email }), el('td', { text: l.project ?? l.projectText }), el('td', { text: label(l.parser ?? '_generic') }),
    el('td', { text: label(l.medium) }), el('td', {}, el('span', { class: `badge q-${l.quality}`, text: label(l.quality) })),
    el('td', {}, el('span', { class: `badge s-${l.status}`, text: ROW_STATE[l.status] })), el('td', { class: 'owner', text: ownerName(l.owner) }), el('td', { text: fmt(l.receivedAt) }),
    el('td', { text: l.followUpAt ? fmt(l.followUpAt) : '—' })));
  $('#leads tbody').replaceChildren(...rows);
  $('#empty').hidden = rows.length > 0;
  $('#prev').disabled = page === 0;
  $('#next').disabled = !nextCursor;
  $('#page-info').textContent = `Página ${page + 1}`;
}

function dl(target, pairs) {
  target.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v === null || v === undefined || v === '' ? '—' : String(v) })]));
}

async function openLead(id) {
  const d = await getJson(`/api/leads/${encodeURIComponent(id)}`);
  current = d.lead;
  const l = d.lead;
  const idLabel = ID_LABELS[options.country] ?? 'Documento';
  $('#d-title').textContent = l.name ?? '(sin nombre)';
  dl($('#d-fields'), [['Nombre', l.name], [idLabel, l.nationalId], ['Email', l.email], ['Teléfono', l.phone], ['Proyecto', l.project ?? l.projectText],
    ['Mensaje', l.message], ['Calidad', label(l.quality)], ['Estado', ROW_STATE[l.status]], ['Portal', label(l.parser ?? '_generic')], ['Medio', label(l.medium)],
    ['Ingreso', fmt(l.receivedAt)], ['Último contacto', fmt(l.lastContactAt)], ['Seguimiento', l.followUpAt ? fmt(l.followUpAt) : '—']]);
  $('#d-problems').replaceChildren(...(l.problems ?? []).map((p) => el('li', { text: problemText(p, l.problemDetails) })));
  if (d.client) dl($('#d-client'), [['Ficha', `#${d.client.id}`], ['Nombre', d.client.name], [idLabel, d.client.nationalId], ['Email', d.client.email], ['Teléfono', d.client.phone], ['Tipo', label(l.contactType)],
    ['Responsable', ownerName(d.client.ownerVendorId)], ['Responsables', (d.client.ownerHistory ?? []).map((h) => ownerName(h.to)).join(' → ')]]);
  else dl($('#d-client'), [['Ficha', 'Sin ficha de cliente']]);
  $('#d-followups tbody').replaceChildren(...d.followUps.map((f) => el('tr', {}, el('td', { text: fmt(f.createdAt) }), el('td', { text: label(f.action) }),
    el('td', { text: label(f.status) }), el('td', { text: label(f.expectation) }), el('td', { text: label(f.contactType) }), el('td', { text: fmt(f.dueAt) }),
    el('td', { text: f.comment }), el('td', { text: f.createdByName ?? f.createdBy }))));
  $('#d-history').replaceChildren(...d.actions.map((a) => el('li', {}, el('strong', { text: label(a.action) }), ` · ${fmt(a.at)} · ${a.actorName ?? a.actor}`,
    el('span', { class: 'muted', text: a.data?.comment ? ` · ${a.data.comment}` : a.data?.reason ? ` · ${label(a.data.reason)}` : '' }))));
  if (!d.actions.length) $('#d-history').replaceChildren(el('li', { class: 'muted', text: 'Sin acciones registradas.' }));
  const r = d.rawEmail;
  $('#d-raw-meta').textContent = r ? `Message-ID ${r.messageId ?? '—'} · ${r.size.toLocaleString('es-CL')} bytes · ${r.mailbox ?? r.file ?? '—'} · sha256 ${r.sha256.slice(0, 12)}…` : '';
  $('#d-raw').textContent = 'Cargando…';
  setActions(l);
  showMessage($('#d-message'), '');
  if (!$('#detail').open) $('#detail').showModal();
  loadRaw(l.id);
}

async function loadRaw(id) {
  try {
    const res = await api(`/api/leads/${id}/raw`);
    const text = new TextDecoder('utf-8').decode(await res.arrayBuffer());
    $('#d-raw').textContent = text.length > 300_000 ? `${text.slice(0, 300_000)}\n… (recortado)` : text;
  } catch (e) {
    $('#d-raw').textContent = e.message;
  }
}

/** Only the actions the rules allow for this lead are offered (the server checks again). */
function setActions(l) {
  const open = l.contactState !== 'descartado' && l.contactState !== 'abortado';
  const allowed = {
    edit: open && l.quality !== 'bueno',
    follow: open && l.clientId !== null,
    abort: open,
    discard: l.quality !== 'bueno' && l.contactState === 'por_contactar',
  };
  for (const b of document.querySelectorAll('[data-action]')) b.hidden = !allowed[b.dataset.action];
  for (const f of document.querySelectorAll('.action-form')) { f.hidden = true; f.reset(); }
  const edit = $('#f-edit');
  for (const k of ['name', 'nationalId', 'email', 'phone']) field(edit, k).value = l[k] ?? l.rawFields?.[k] ?? '';
  field(edit, 'project').value = l.project ?? l.projectText ?? '';
}

function showForm(name) {
  for (const f of document.querySelectorAll('.action-form')) f.hidden = f.id !== `f-${name}`;
}

async function submitAction(path, body, success) {
  try {
    await postJson(`/api/leads/${current.id}/${path}`, body);
    await openLead(current.id);
    showMessage($('#d-message'), success, true);
    await refresh(false);
  } catch (e) {
    showMessage($('#d-message'), e.message);
  }
}

const field = (form, name) => form.elements.namedItem(name);
const formBody = (form, keys) => Object.fromEntries(keys.map((k) => [k, field(form, k).value.trim()]).filter(([, v]) => v !== ''));

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

function wire() {
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { email: $('#login-email').value.trim(), password: $('#login-password').value };
    const res = await fetch('/api/session', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    $('#login-password').value = '';
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      $('#login-error').textContent = err.error ?? `Error ${res.status}`;
      return;
    }
    me = await res.json();
    try { await start(); } catch (err) { if (!(err instanceof ApiError)) throw err; }
  });
  $('#logout').addEventListener('click', () => logout());
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
  $('#d-close').addEventListener('click', () => $('#detail').close());
  for (const b of document.querySelectorAll('[data-action]')) b.addEventListener('click', () => showForm(b.dataset.action));
  const on = (id, handler) => $(id).addEventListener('submit', (e) => { e.preventDefault(); handler(e.target); });
  on('#f-edit', (f) => submitAction('edit', formBody(f, ['name', 'nationalId', 'email', 'phone', 'project']), 'Datos guardados y contacto reclasificado.'));
  on('#f-follow', (f) => submitAction('follow-up', formBody(f, ['expectation', 'contactType', 'recontactAt', 'comment']), 'Seguimiento registrado.'));
  on('#f-abort', (f) => submitAction('abort', formBody(f, ['comment']), 'Seguimiento abortado.'));
  on('#f-discard', (f) => submitAction('discard', formBody(f, ['reason', 'comment']), 'Contacto descartado.'));
}

/** A session still open in this browser (the cookie) goes straight to the table. */
async function resume() {
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  if (!res.ok) return showLogin();
  me = await res.json();
  await start();
}

wire();
resume().catch(() => showLogin());
