// "Ficha de cliente": the client's data, all their leads across projects and portals, the owner per
// project, funnel interactions, follow-ups, contact history and possible duplicates, with an editor
// for name, national ID, email and phone (checked by the server with the country's rules: errors
// shown beside the field; a national ID or email of another client asks before merging, and the
// merge can be undone). Everything reaches the DOM as text.
import { $, ROW_STATE, ApiError, el, fmt, getJson, label, problemText, session, showMessage } from './common.js';
import { t } from './i18n.js';

const FIELDS = ['name', 'nationalId', 'email', 'phone'];
const KIND_NAMES = { cotizacion: 'Cotización', separacion: 'Separación', minuta: 'Minuta', desembolso: 'Desembolso', visita: 'Visita' };
const ACTION_NAMES = {
  client_edit: 'Edición de la ficha', edit: 'Edición de datos', follow_up: 'Seguimiento', abort: 'Abortado', discard: 'Descartado', assign: 'Asignación',
  reassign: 'Reasignación', 'manual-reassign': 'Reasignación', 'retire-move': 'Traspaso por retiro', merge: 'Fichas unidas', unmerge: 'Unión deshecha',
  'dismiss-duplicate': 'Duplicado descartado', 'reopen-duplicate': 'Duplicado reabierto', relink: 'Cambio de ficha',
};
const FIELD_NAMES = { name: 'Nombre', nationalId: 'Documento', email: 'Email', phone: 'Teléfono' };
/** The program's own reasons for an owner change, as people say them. */
const reasonText = (r) => ({ 'new client': 'cliente nuevo', 'client without owner': 'cliente sin responsable' })[r] ?? r.replace(/^no activity for (\d+) days$/, 'sin actividad en $1 días');

let current = null; // the ficha on screen
let wired = false;
let lastUndo = null; // { duplicateId, fromClientId } of the merge just made

const section = () => $('#client-view');
const vendorName = (id, name) => name ?? (id ? session.vendorNames?.get(id) ?? id : '—');
const txt = (s) => t(s);

/** The client's data as a definition list. */
function dataList(c) {
  const pairs = [
    ['Nombre', c.name], [c.country.idLabel ?? session.idLabel ?? 'Documento', c.nationalIdDisplay ?? c.nationalId], ['Email', c.email ? el('a', { href: `mailto:${c.email}`, class: 'contact-link' }, c.email) : null],
    ['Teléfonos', c.phones.length ? el('span', {}, ...c.phones.flatMap((p, i) => [...(i ? [', '] : []), el('a', { href: `tel:${p}`, class: 'contact-link' }, p)])) : null],
    ['País', c.country.name], ['Responsable', vendorName(c.owner, c.ownerName)], ['Cliente desde', fmt(c.createdAt)], ['Última actividad', c.lastActivityAt ? fmt(c.lastActivityAt) : '—'],
  ];
  return el('dl', { id: 'c-data' }, ...pairs.flatMap(([k, v]) => [el('dt', { text: txt(k) }), el('dd', {}, v instanceof Node ? v : document.createTextNode(v === null || v === undefined || v === '' ? '—' : String(v)))]));
}

/** The editor: labelled inputs, the browser's own validation off, each error under its field. */
function editForm(c) {
  const idLabel = c.country.idLabel ?? session.idLabel ?? 'Documento';
  const names = { name: 'Nombre', nationalId: idLabel, email: 'Email', phone: 'Teléfono' };
  const types = { name: 'text', nationalId: 'text', email: 'email', phone: 'tel' };
  const form = el('form', { id: 'c-edit', class: 'client-form', novalidate: '' });
  for (const f of FIELDS) {
    const input = el('input', { id: `c-${f}`, name: f, type: types[f], maxlength: f === 'email' ? '254' : f === 'name' ? '200' : '100', 'aria-describedby': `c-${f}-error`, autocomplete: 'off' });
    input.value = (f === 'nationalId' ? c.nationalIdDisplay : c[f]) ?? '';
    form.append(el('div', { class: 'field' }, el('label', { for: `c-${f}`, text: txt(names[f]) }), input, el('p', { id: `c-${f}-error`, class: 'field-error', role: 'alert' })));
  }
  form.append(el('div', { class: 'buttons' }, el('button', { type: 'submit' }, txt('Guardar ficha'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); save(form).catch((err) => showMessage($('#c-message'), err.message)); });
  return form;
}

function leadCard(l) {
  const problems = l.problems.length ? el('ul', { class: 'problems' }, ...l.problems.map((p) => el('li', { text: problemText(p) }))) : '';
  return el('li', { class: `lead-card${l.status === 'no_contactado' ? ' overdue' : ''}`, 'data-lead': String(l.id) },
    el('h4', {}, `${l.project ?? l.projectText ?? txt('Sin proyecto')} · ${l.portalName ?? session.portalName?.(l.portal) ?? '—'}`),
    el('p', {}, el('span', { class: `badge q-${l.quality}`, 'data-quality': l.quality, text: label(l.quality) }), ' ', el('span', { class: `badge s-${l.status}`, text: txt(ROW_STATE[l.status] ?? l.status) })),
    el('p', { class: 'meta' }, `${txt('Llegó')} ${fmt(l.receivedAt)} · ${label(l.medium)} · ${txt('Responsable')}: ${vendorName(l.owner, l.ownerName)}`),
    el('p', { class: 'meta' }, l.followUpAt ? `${txt('Seguimiento')}: ${fmt(l.followUpAt)}` : `${txt('Vence')}: ${fmt(l.deadlineAt)}`),
    problems,
    el('div', { class: 'card-actions' }, el('button', { type: 'button', class: 'secondary', onclick: () => openLeadDetail(l.id) }, `${txt('Ver lead')} #${l.id}`)));
}

/** The lead's detail dialog (detail.js hands its opener over through the session: no import cycle). */
async function openLeadDetail(id) {
  await session.openLead?.(id);
}

const listOrEmpty = (id, items, empty) => (items.length ? el('ul', { id, class: 'history' }, ...items) : el('p', { id, class: 'muted', text: txt(empty) }));

function historyItem(a) {
  const d = a.data ?? {};
  const fieldName = (f) => (f === 'nationalId' ? current?.client.country.idLabel ?? session.idLabel : null) ?? txt(FIELD_NAMES[f] ?? f);
  const extra = d.comment ? ` · ${d.comment}` : d.reason ? ` · ${txt(reasonText(label(d.reason)))}` : d.changed?.length ? ` · ${d.changed.map(fieldName).join(', ')}` : '';
  return el('li', {}, el('strong', { text: txt(ACTION_NAMES[a.action] ?? label(a.action)) }), ` · ${fmt(a.at)} · ${a.actorName ?? a.actor}`, el('span', { class: 'muted', text: extra }));
}

function duplicateItem(d) {
  const o = d.other ?? {};
  const who = [o.name, o.nationalIdDisplay ?? o.nationalId, o.email].filter(Boolean).join(' · ');
  const state = { open: 'Posible duplicado', merged: d.mergedAway ? 'Unida a otra ficha' : 'Otra ficha unida a esta', dismissed: 'Descartado: personas distintas', unmerged: 'Unión deshecha' }[d.status] ?? d.status;
  const item = el('li', {}, el('strong', { text: txt(state) }), ` · ${who || '—'} · ${fmt(d.createdAt)}`);
  if (d.status === 'merged' && ['admin', 'gerente'].includes(session.me?.role)) item.append(' ', el('button', { type: 'button', class: 'link', onclick: () => undoMerge(d.id, d.mergedAway ? current.client.id : o.id) }, txt('Deshacer')));
  return item;
}

function render(f) {
  const c = f.client;
  const interactions = f.interactions.map((i) => el('li', {}, el('strong', { text: txt(KIND_NAMES[i.kind] ?? i.kind) }), ` · ${fmt(i.at)} · ${i.project ?? '—'}${i.product ? ` · ${i.product}` : ''}${i.amount !== null && i.amount !== undefined ? ` · ${Number(i.amount).toLocaleString('es-CL')}` : ''}${i.state ? ` · ${label(i.state)}` : ''}`));
  const followUps = f.followUps.map((x) => el('li', {}, el('strong', { text: label(x.action) }), ` · ${label(x.status)} · ${x.project ?? '—'} · ${txt('Recontacto')} ${fmt(x.dueAt)} · ${x.createdByName ?? x.createdBy}`, el('span', { class: 'muted', text: x.comment ? ` · ${x.comment}` : '' })));
  const owners = f.owners.byProject.map((o) => el('li', {}, el('strong', { text: o.project }), ` · ${vendorName(o.owner, o.ownerName)}`));
  section().replaceChildren(
    el('div', { class: 'client-head' }, el('h2', { id: 'c-title' }, `${txt('Ficha de cliente')}: ${c.name ?? txt('(sin nombre)')}`),
      el('button', { type: 'button', id: 'c-back', class: 'secondary', onclick: () => backToScreens() }, txt('Volver'))),
    el('p', { id: 'c-message', role: 'status' }),
    el('div', { id: 'c-merge', class: 'card merge-box', hidden: '' }),
    el('div', { class: 'client-grid' },
      el('section', { class: 'card', 'aria-labelledby': 'c-data-title' }, el('h3', { id: 'c-data-title' }, txt('Datos del cliente')), dataList(c)),
      el('section', { class: 'card', 'aria-labelledby': 'c-edit-title' }, el('h3', { id: 'c-edit-title' }, txt('Corregir datos')), editForm(c)),
      el('section', { class: 'card span', 'aria-labelledby': 'c-leads-title' }, el('h3', { id: 'c-leads-title' }, `${txt('Leads')} (${f.leads.length})`),
        f.leads.length ? el('ul', { id: 'c-leads', class: 'lead-cards plain' }, ...f.leads.map(leadCard)) : el('p', { class: 'muted', text: txt('Sin leads a tu cargo.') })),
      el('section', { class: 'card', 'aria-labelledby': 'c-owners-title' }, el('h3', { id: 'c-owners-title' }, txt('Responsable por proyecto')), listOrEmpty('c-owners', owners, 'Sin responsables.')),
      el('section', { class: 'card', 'aria-labelledby': 'c-dups-title' }, el('h3', { id: 'c-dups-title' }, txt('Posibles duplicados')), listOrEmpty('c-dups', f.duplicates.map(duplicateItem), 'Sin duplicados.')),
      el('section', { class: 'card', 'aria-labelledby': 'c-int-title' }, el('h3', { id: 'c-int-title' }, txt('Interacciones del embudo')), listOrEmpty('c-interactions', interactions, 'Sin cotizaciones ni separaciones.')),
      el('section', { class: 'card', 'aria-labelledby': 'c-fu-title' }, el('h3', { id: 'c-fu-title' }, txt('Seguimientos')), listOrEmpty('c-followups', followUps, 'Sin seguimientos.')),
      el('section', { class: 'card span', 'aria-labelledby': 'c-history-title' }, el('h3', { id: 'c-history-title' }, txt('Historial de contactos')), listOrEmpty('c-history', f.history.map(historyItem), 'Sin acciones registradas.')),
    ),
  );
}

/** Shows the ficha of client `id` in place of the other screens; its address is #ficha-<id>. */
export async function openClient(id, { push = true } = {}) {
  wire();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  let f;
  try {
    f = await getJson(`/api/clients/${encodeURIComponent(id)}`);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    section().replaceChildren(el('p', { class: 'error', role: 'alert', text: txt('No existe esa ficha o no está a tu cargo.') }));
    show();
    return;
  }
  current = f;
  render(f);
  show();
  if (location.hash !== `#ficha-${f.client.id}`) history[push ? 'pushState' : 'replaceState'](null, '', `${location.pathname}${location.search}#ficha-${f.client.id}`);
  document.title = `Centralizador · ${txt('Ficha de cliente')}`;
}

function show() {
  for (const s of ['#day', '#main', '#funnel-view', '#desk-view', '#cases-view']) $(s).hidden = true;
  section().hidden = false;
  for (const b of document.querySelectorAll('#views [data-view]')) b.setAttribute('aria-current', 'false');
  window.scrollTo(0, 0);
}

function clearErrors(form) {
  for (const f of FIELDS) {
    $(`#c-${f}-error`).textContent = '';
    form.elements.namedItem(f).removeAttribute('aria-invalid');
  }
}

/** Which field a server reason is about ("RUT no válido: …", "email: no se puede borrar …"). */
function fieldOf(message) {
  const m = message.toLowerCase();
  const idLabel = (current?.client.country.idLabel ?? session.idLabel ?? '').toLowerCase();
  if ((idLabel && m.startsWith(idLabel)) || m.startsWith('el documento') || m.startsWith('nationalid')) return 'nationalId';
  if (m.startsWith('email')) return 'email';
  if (m.startsWith('teléfono') || m.startsWith('phone')) return 'phone';
  if (m.startsWith('nombre') || m.startsWith('name')) return 'name';
  return null;
}

function bodyOf(form) {
  const body = {};
  for (const f of FIELDS) {
    const v = form.elements.namedItem(f).value.trim();
    // An empty field the record had is sent (the server explains it cannot be erased); one it never had is left out.
    if (v !== '' || current.client[f]) body[f] = v;
  }
  return body;
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', ...(session.me?.csrf ? { 'X-CSRF-Token': session.me.csrf } : {}) }, body: JSON.stringify(body) });
  if (res.status === 401) session.onUnauthorized('Tu sesión terminó: vuelve a iniciar sesión.');
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

async function save(form, confirmMerge = false) {
  clearErrors(form);
  showMessage($('#c-message'), '');
  $('#c-merge').hidden = true;
  const body = bodyOf(form);
  if (!Object.keys(body).length) return showMessage($('#c-message'), 'Escribe al menos un dato.');
  const r = await post(`/api/clients/${current.client.id}/edit`, confirmMerge ? { ...body, confirmMerge: true } : body);
  if (r.status === 409 && r.body.conflict) return askMerge(form, r.body);
  if (r.status >= 400) {
    const message = r.body.error ?? `Error ${r.status}`;
    const field = r.status === 400 ? fieldOf(message) : null;
    if (field) {
      $(`#c-${field}-error`).textContent = t(message);
      form.elements.namedItem(field).setAttribute('aria-invalid', 'true');
      form.elements.namedItem(field).focus();
    } else showMessage($('#c-message'), message);
    return;
  }
  if (r.body.merged) {
    lastUndo = { duplicateId: r.body.merged.duplicateId, fromClientId: current.client.id };
    await openClient(r.body.merged.intoClientId, { push: false });
    return announceMerge();
  }
  await openClient(current.client.id, { push: false });
  // The leads whose quality changed are named; the others only took the corrected values.
  const upgraded = r.body.leads.filter((l) => l.qualityBefore !== l.qualityAfter);
  const changes = upgraded.map((l) => `#${l.leadId}: ${label(l.qualityBefore)} → ${label(l.qualityAfter)}${l.followUpAt ? ` (${t('seguimiento')} ${fmt(l.followUpAt)})` : ''}`);
  const updated = r.body.leads.length - upgraded.length;
  const parts = [t('Ficha guardada.')];
  if (changes.length) parts.push(`${t('Leads reclasificados')}: ${changes.join('; ')}.`);
  if (updated) parts.push(updated === 1 ? t('1 lead más tomó los datos corregidos.') : `${updated} ${t('leads más tomaron los datos corregidos.')}`);
  const text = r.body.changed.length || r.body.leads.length ? parts.join(' ') : t('Sin cambios.');
  showMessage($('#c-message'), text, true);
}

/** 409: the value is another client's. Name them and ask before merging (only managers may merge). */
function askMerge(form, answer) {
  const box = $('#c-merge');
  const other = answer.conflict.client;
  const lines = [el('p', { role: 'alert', id: 'c-merge-text', text: t(answer.error) })];
  if (other) lines.push(el('p', { class: 'muted', text: [other.name, other.nationalIdDisplay ?? other.nationalId, other.email, other.phone, `${other.leads} ${other.leads === 1 ? 'lead' : 'leads'}`].filter(Boolean).join(' · ') }));
  const buttons = el('div', { class: 'card-actions' });
  if (answer.conflict.canMerge) buttons.append(el('button', { type: 'button', id: 'c-merge-yes', onclick: () => save(form, true).catch((e) => showMessage($('#c-message'), e.message)) }, txt('Unir fichas')));
  buttons.append(el('button', { type: 'button', class: 'secondary', onclick: () => { box.hidden = true; } }, txt('Cancelar')));
  box.replaceChildren(...lines, buttons);
  box.hidden = false;
  box.querySelector('button')?.focus();
}

function announceMerge() {
  const box = $('#c-merge');
  box.replaceChildren(el('p', { role: 'status', class: 'ok', text: t('Fichas unidas: los leads de la otra ficha están ahora en esta.') }),
    el('div', { class: 'card-actions' }, el('button', { type: 'button', id: 'c-undo', class: 'secondary', onclick: () => undoMerge(lastUndo.duplicateId, lastUndo.fromClientId) }, txt('Deshacer'))));
  box.hidden = false;
}

async function undoMerge(duplicateId, backTo) {
  const r = await post(`/api/duplicates/${duplicateId}/unmerge`, {});
  if (r.status >= 400) return showMessage($('#c-message'), r.body.error ?? `Error ${r.status}`);
  lastUndo = null;
  await openClient(backTo, { push: false });
  showMessage($('#c-message'), 'Unión deshecha: cada ficha tiene otra vez sus leads.', true);
}

/** The screen the ficha was opened from (or the person's first screen): its tab does the rest. */
function backToScreens(view = session.view) {
  section().hidden = true;
  const to = ['contactos', 'pendientes', 'embudo'].includes(view) ? view : session.me?.role === 'vendedor' ? 'pendientes' : 'contactos';
  document.querySelector(`#views [data-view="${to}"]`)?.click();
}

/** Back and forward move between the ficha and the screen it was opened from; a lead changed from the ficha shows again. */
function wire() {
  if (wired) return;
  wired = true;
  for (const b of document.querySelectorAll('#views [data-view]')) b.addEventListener('click', () => { section().hidden = true; });
  $('#detail').addEventListener('close', () => {
    if (!section().hidden && current) openClient(current.client.id, { push: false }).catch(() => {});
  });
  window.addEventListener('popstate', () => {
    const m = /^#ficha-(\d+)$/.exec(location.hash);
    if (m) openClient(Number(m[1]), { push: false }).catch(() => {});
    else if (!section().hidden) backToScreens(location.hash.slice(1));
  });
}
