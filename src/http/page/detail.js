// A lead's detail: data, client record, follow-ups, history, the actions the rules allow, the email.
import { $, ID_LABELS, ROW_STATE, api, el, fmt, followUpDate, getJson, label, postJson, problemText, session, showMessage } from './common.js';
import { t } from './i18n.js';
import { markSeen } from './live.js';
import { missing } from './forms.js';
import { duplicateBadge, mayReassign, showManagerTools, wireManagerTools } from './manager.js';

/** History lines: actions of the lead and its client's changes of owner, in the person's words. */
const ACTIONS = { 'manual-reassign': 'Reasignado', reassign: 'Reasignado por inactividad', 'retire-move': 'Traspasado (vendedor retirado)', assign: 'Asignado', relink: 'Vinculado a otra ficha', client_edit: 'Ficha editada', reprocess: 'Reprocesado' };
const OWNER_CHANGES = new Set(['manual-reassign', 'reassign', 'retire-move', 'assign']);
function historyNote(a) {
  const d = a.data ?? {};
  if (OWNER_CHANGES.has(a.action)) return ` · ${d.from ? `${ownerName(d.from)} → ` : ''}${ownerName(d.to)}${a.action === 'manual-reassign' && d.reason ? ` · ${d.reason}` : ''}`;
  return d.comment ? ` · ${d.comment}` : d.reason ? ` · ${label(d.reason)}` : '';
}

let current = null; // the lead open in the dialog
let onChange = () => {};
const ownerName = (id) => (id ? session.vendorNames.get(id) ?? id : '—');
const field = (form, name) => form.elements.namedItem(name);
export const formBody = (form, keys) => Object.fromEntries(keys.map((k) => [k, field(form, k).value.trim()]).filter(([, v]) => v !== ''));

function dl(target, pairs) {
  target.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v instanceof Node ? v : document.createTextNode(v === null || v === undefined || v === '' ? '—' : String(v)))]));
}

/** A phone or email as a link that starts the contact; text when absent. */
export function contactLink(kind, value) {
  if (!value) return '—';
  return el('a', { href: kind === 'tel' ? `tel:${value}` : `mailto:${value}`, class: 'contact-link', onclick: (e) => e.stopPropagation() }, value);
}

export const currentLeadId = () => current?.id ?? null;

/** A link to the ficha del cliente (client.js, loaded when first used). */
function fichaLink(clientId, text) {
  return el('a', { href: `#ficha-${clientId}`, class: 'ficha-link', onclick: (e) => { e.preventDefault(); import('./client.js').then((m) => m.openClient(clientId)); } }, text);
}

export async function openLead(id) {
  const d = await getJson(`/api/leads/${encodeURIComponent(id)}`);
  current = d.lead;
  const l = d.lead;
  const idLabel = ID_LABELS[session.options.country] ?? 'Documento';
  $('#d-title').replaceChildren(l.name ?? '(sin nombre)', ...[duplicateBadge(d.client?.possibleDuplicate)].filter(Boolean));
  markSeen(l.id);
  dl($('#d-fields'), [['Nombre', l.name], [idLabel, l.nationalId], ['Email', contactLink('mailto', l.email)], ['Teléfono', contactLink('tel', l.phone)], ['Proyecto', l.project ?? l.projectText],
    ['Mensaje', l.message], ['Calidad', label(l.quality)], ['Estado', ROW_STATE[l.status]], ['Portal', session.portalName(l.parser)], ['Medio', label(l.medium)],
    ['Responsable', ownerName(l.ownerVendorId)], ['Ingreso', fmt(l.receivedAt)], ['Vence', fmt(l.deadlineAt)], ['Último contacto', fmt(l.lastContactAt)], ['Seguimiento', l.followUpAt ? fmt(l.followUpAt) : '—']]);
  $('#d-problems').replaceChildren(...(l.problems ?? []).map((p) => el('li', { text: problemText(p, l.problemDetails) })));
  if (d.client) dl($('#d-client'), [['Ficha', fichaLink(d.client.id, `Ver ficha #${d.client.id}`)], ['Nombre', d.client.name], [idLabel, d.client.nationalId], ['Email', d.client.email], ['Teléfono', d.client.phone], ['Tipo', label(l.contactType)],
    ['Responsable', ownerName(d.client.ownerVendorId)], ['Responsables', (d.client.ownerHistory ?? []).map((h) => ownerName(h.to)).join(' → ')]]);
  else dl($('#d-client'), [['Ficha', 'Sin ficha de cliente']]);
  $('#d-followups tbody').replaceChildren(...d.followUps.map((f) => el('tr', {}, el('td', { text: fmt(f.createdAt) }), el('td', { text: label(f.action) }),
    el('td', { text: label(f.status) }), el('td', { text: label(f.expectation) }), el('td', { text: label(f.contactType) }), el('td', { text: fmt(f.dueAt) }),
    el('td', { text: f.comment }), el('td', { text: f.createdByName ?? f.createdBy }))));
  $('#d-history').replaceChildren(...d.actions.map((a) => el('li', {}, el('strong', { text: t(ACTIONS[a.action] ?? label(a.action)) }), ` · ${fmt(a.at)} · ${a.actorName ?? a.actor}`,
    el('span', { class: 'muted', text: historyNote(a) }))));
  if (!d.actions.length) $('#d-history').replaceChildren(el('li', { class: 'muted', text: 'Sin acciones registradas.' }));
  const r = d.rawEmail;
  // A digest carries several people: which one of them this lead is.
  const part = r?.people > 1 ? ` · ${t('Persona')} ${(l.partIndex ?? 0) + 1} / ${r.people} ${t('de este correo')}` : '';
  $('#d-raw-meta').textContent = r ? `Message-ID ${r.messageId ?? '—'} · ${r.size.toLocaleString('es-CL')} bytes · ${r.mailbox ?? r.file ?? '—'}${part}` : '';
  $('#d-raw').textContent = '';
  $('#d-raw').hidden = true;
  setActions(l);
  showManagerTools(l, d.client);
  showMessage($('#d-message'), '');
  if (!$('#detail').open) $('#detail').showModal();
  onChange();
  loadMail(l.id);
}

/** The email as a person reads it: headers, text or sandboxed HTML, attachments; the source one tap away. */
async function loadMail(id) {
  const frame = $('#d-mail');
  frame.src = `/api/leads/${id}/mail.html`;
  try {
    const m = await getJson(`/api/leads/${id}/mail`);
    dl($('#d-mail-head'), [['De', m.from], ['Para', m.to], ['Asunto', m.subject], ['Fecha', fmt(m.date)]]);
    $('#d-attachments').replaceChildren(...m.attachments.map((a, i) => el('li', {},
      el('a', { href: `/api/leads/${id}/mail/attachments/${i}`, download: a.filename ?? '' }, a.filename ?? t('(sin nombre)')),
      ` · ${a.contentType} · ${a.size.toLocaleString('es-CL')} bytes`)));
  } catch (e) {
    dl($('#d-mail-head'), [['Correo', e.message]]);
  }
}

async function showSource() {
  if (!current) return;
  const pre = $('#d-raw');
  pre.hidden = !pre.hidden;
  if (pre.hidden || pre.textContent) return;
  try {
    const res = await api(`/api/leads/${current.id}/raw`);
    const text = new TextDecoder('utf-8').decode(await res.arrayBuffer());
    pre.textContent = text.length > 300_000 ? `${text.slice(0, 300_000)}\n… (recortado)` : text;
  } catch (e) {
    pre.textContent = e.message;
  }
}

/** Only the actions the rules allow for this lead are offered (the server checks again). */
function setActions(l) {
  const open = l.contactState !== 'descartado' && l.contactState !== 'abortado';
  const allowed = {
    edit: open,
    follow: open && l.clientId !== null,
    abort: open && l.clientId !== null,
    discard: l.quality !== 'bueno' && l.contactState === 'por_contactar',
    reassign: mayReassign(l),
  };
  for (const b of document.querySelectorAll('[data-action]')) b.hidden = !allowed[b.dataset.action];
  for (const f of document.querySelectorAll('.action-form')) { f.hidden = true; f.reset(); }
  const edit = $('#f-edit');
  for (const k of ['name', 'nationalId', 'email', 'phone']) field(edit, k).value = l[k] ?? l.rawFields?.[k] ?? '';
  field(edit, 'project').value = l.project ?? l.projectText ?? '';
  // A bueno lead's national ID, email and phone are the client's: corrected in the ficha.
  edit.querySelector('.ficha-note')?.remove();
  if (l.quality === 'bueno' && l.clientId) edit.prepend(el('p', { class: 'muted ficha-note span' }, `${t('El documento, el email y el teléfono de un lead bueno se corrigen en la')} `, fichaLink(l.clientId, t('ficha del cliente')), '.'));
  field($('#f-follow'), 'recontactAt').value = followUpDate();
}

function showForm(name) {
  for (const f of document.querySelectorAll('.action-form')) f.hidden = f.id !== `f-${name}`;
}

async function submitAction(path, body, success) {
  try {
    await postJson(`/api/leads/${current.id}/${path}`, body);
    await openLead(current.id);
    showMessage($('#d-message'), success, true);
    onChange(true);
  } catch (e) {
    showMessage($('#d-message'), e.message);
    // "… se corrigen en la ficha del cliente": the ficha one tap away.
    if (current?.clientId && /ficha del cliente/.test(e.message)) $('#d-message').append(' ', fichaLink(current.clientId, 'Abrir la ficha del cliente'));
  }
}

const fillSelect = (select, values) => { if (select.options.length <= 1) for (const v of values) select.append(el('option', { value: v, text: label(v) })); };

/** The action forms' choices, from the server's options. */
export function fillDetailOptions(options) {
  fillSelect($('#f-follow').expectation, options.expectations);
  fillSelect($('#f-follow').contactType, options.contactTypes);
  fillSelect($('#f-discard').reason, options.discardReasons);
}

export function wireDetail(changed) {
  onChange = changed;
  session.openLead = openLead; // the ficha (client.js) opens a lead's detail through this
  $('#d-close').addEventListener('click', () => $('#detail').close());
  $('#detail').addEventListener('close', () => { current = null; onChange(); });
  $('#d-source').addEventListener('click', showSource);
  for (const b of document.querySelectorAll('[data-action]')) b.addEventListener('click', () => showForm(b.dataset.action));
  const on = (id, handler) => $(id).addEventListener('submit', (e) => { e.preventDefault(); handler(e.target); });
  on('#f-edit', (f) => submitAction('edit', formBody(f, ['name', 'nationalId', 'email', 'phone', 'project']), 'Datos guardados.'));
  // Every form is novalidate: an empty required field gets the page's own message.
  const checked = (fields, then) => (f) => {
    const problem = missing(f, fields);
    if (problem) showMessage($('#d-message'), problem);
    else then(f);
  };
  on('#f-follow', checked([['expectation', 'Elige la expectativa del cliente.'], ['contactType', 'Elige el tipo de contacto.']], (f) => submitAction('follow-up', formBody(f, ['expectation', 'contactType', 'recontactAt', 'comment']), 'Seguimiento registrado.')));
  on('#f-abort', checked([['comment', 'Escribe un comentario: es obligatorio para abortar.']], (f) => submitAction('abort', formBody(f, ['comment']), 'Seguimiento abortado.')));
  wireManagerTools(openLead);
  on('#f-discard', checked([['reason', 'Elige el motivo de descarte.'], ['comment', 'Escribe un comentario: es obligatorio para descartar.']], (f) => {
    if (!window.confirm('¿Descartar este contacto? Saldrá de los reportes.')) return;
    submitAction('discard', formBody(f, ['reason', 'comment']), 'Contacto descartado.');
  }));
}
