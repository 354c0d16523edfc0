// Managers' desk views: "Duplicados" (possible duplicates to merge or dismiss, merges to undo) and,
// "Auditoría" (who did what, filtered by person, action and dates: admins all, gerentes their leads' and clients').
import { $, el, fmt, getJson, postJson, session, showMessage } from './common.js';
import { t } from './i18n.js';
import { loadDuplicateMarks } from './manager.js';

/** Audit actions in the person's words. */
export const AUDIT_ACTIONS = {
  'lead.edit': 'Edición de datos de un lead', 'lead.follow_up': 'Seguimiento registrado', 'lead.abort': 'Seguimiento abortado', 'lead.discard': 'Lead descartado',
  'lead.walk_in': 'Visita a sala registrada', 'client.reassign': 'Cliente reasignado', 'client.merge': 'Fichas unidas', 'client.unmerge': 'Unión de fichas deshecha',
  'client.dismiss_duplicate': 'Duplicado descartado', 'client.reopen_duplicate': 'Duplicado reabierto', 'client.edit': 'Ficha editada', 'vendor.retire': 'Vendedor retirado', 'notification.resend': 'Notificación reenviada',
  'session.create': 'Inicio de sesión', 'session.delete': 'Cierre de sesión', 'session.failed': 'Inicio de sesión fallido', 'token.create': 'Token creado', 'token.revoke': 'Token revocado',
  'user.add': 'Usuario creado', 'user.password': 'Contraseña cambiada', 'user.disable': 'Usuario desactivado', 'user.enable': 'Usuario reactivado',
  'parser.learn': 'Parser enseñado', 'parser.replace': 'Parser reemplazado',
  'case.reply': 'Respuesta a un caso', 'case.status': 'Estado de un caso', 'case.visit': 'Visita de un caso', 'case.escalate': 'Caso escalado', 'case.satisfaction': 'Encuesta de un caso',
};
const OBJECTS = { lead: 'Lead', client: 'Ficha', vendor: 'Vendedor', user: 'Usuario', notification: 'Notificación', case: 'Caso', parser: 'Parser' };
const actionName = (a) => t(AUDIT_ACTIONS[a] ?? a);

let built = false;
let dupStatus = 'open';

export async function showDesk(view) {
  const section = $('#desk-view');
  const mine = view === 'duplicados' || view === 'auditoria';
  section.hidden = !mine;
  if (!mine) return false;
  if (location.hash !== `#${view}`) history.replaceState(null, '', `${location.pathname}#${view}`);
  if (section.dataset.view !== view) { section.dataset.view = view; built = false; }
  if (view === 'duplicados') await renderDuplicates();
  else await renderAudit();
  return true;
}

const side = (c) => [c?.name ?? t('(sin nombre)'), c?.nationalId, c?.phone, c?.email].filter(Boolean).join(' · ');

async function renderDuplicates() {
  const section = $('#desk-view');
  const message = el('p', { id: 'desk-message', role: 'status' });
  const tabs = el('div', { class: 'summary' }, ...[['open', 'Abiertos'], ['merged', 'Unidos'], ['dismissed', 'Descartados']].map(([k, text]) =>
    el('button', { type: 'button', class: k === dupStatus ? '' : 'secondary', 'aria-pressed': String(k === dupStatus), onclick: () => { dupStatus = k; renderDuplicates(); } }, t(text))));
  const { items } = await getJson(`/api/duplicates?status=${dupStatus}`);
  const cards = items.map((d) => el('article', { class: 'lead-card dup-card', 'data-id': String(d.id) },
    el('h3', { text: `${t('Ficha')} #${d.clientId} ↔ #${d.otherClientId}` }),
    el('p', { text: side(d.client) }),
    el('p', { text: side(d.other) }),
    el('p', { class: 'meta', text: `${fmt(d.createdAt)}${d.decidedBy ? ` · ${d.decidedBy}` : ''}` }),
    el('div', { class: 'card-actions' }, ...(d.status === 'open'
      ? [el('button', { type: 'button', onclick: () => decide(d, 'merge', 'Fichas unidas.') }, t('Unir fichas')),
        el('button', { type: 'button', class: 'secondary', onclick: () => decide(d, 'dismiss', 'Marcado como no duplicado.') }, t('No es duplicado'))]
      : d.status === 'merged' ? [el('button', { type: 'button', class: 'secondary', onclick: () => decide(d, 'unmerge', 'Unión deshecha.') }, t('Deshacer'))]
        : d.status === 'dismissed' ? [el('button', { type: 'button', class: 'secondary', onclick: () => decide(d, 'reopen', 'Marca reabierta.') }, t('Reabrir'))] : []))));
  section.replaceChildren(el('h2', { text: t('Posibles duplicados') }), tabs, message,
    ...(cards.length ? [el('div', { class: 'lead-cards' }, ...cards)] : [el('p', { class: 'muted', text: t('Sin posibles duplicados.') })]));
}

async function decide(d, action, success) {
  try {
    await postJson(`/api/duplicates/${d.id}/${action}`, {});
    await loadDuplicateMarks().catch(() => {});
    await renderDuplicates();
    showMessage($('#desk-message'), success, true);
  } catch (e) {
    showMessage($('#desk-message'), e.message);
  }
}

let users = null;

async function renderAudit() {
  const section = $('#desk-view');
  if (!built) {
    // Admins pick from every user; a gerente (who cannot list users) writes the person's email.
    if (session.me.role === 'admin') users ??= (await getJson('/api/users')).items;
    const select = (name, first, options) => el('select', { name }, el('option', { value: '', text: t(first) }), ...options.map(([v, text]) => el('option', { value: v, text })));
    const form = el('form', { id: 'audit-filters', class: 'filters card audit-filters', novalidate: '' },
      el('label', {}, t('Persona'), users ? select('user', 'Todas', users.map((u) => [u.email, u.name ? `${u.name} (${u.email})` : u.email])) : el('input', { type: 'email', name: 'user', placeholder: t('correo de la persona'), autocomplete: 'off' })),
      el('label', {}, t('Acción'), select('action', 'Todas', Object.keys(AUDIT_ACTIONS).map((a) => [a, actionName(a)]))),
      el('label', {}, t('Desde'), el('input', { type: 'date', name: 'from' })),
      el('label', {}, t('Hasta'), el('input', { type: 'date', name: 'to' })),
      el('div', { class: 'buttons' }, el('button', { type: 'submit' }, t('Filtrar'))));
    form.addEventListener('submit', (e) => { e.preventDefault(); loadAudit(); });
    section.replaceChildren(el('h2', { text: t('Auditoría') }), form, el('p', { id: 'desk-message', class: 'error', role: 'alert' }),
      el('div', { class: 'card table-card' }, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('Auditoría') }, el('table', { id: 'audit' },
        el('thead', {}, el('tr', {}, ...['Fecha', 'Persona', 'Acción', 'Sobre', 'Detalle'].map((h) => el('th', { scope: 'col', text: t(h) })))), el('tbody')))),
      el('p', { id: 'audit-empty', class: 'muted', hidden: '' }, t('Sin registros para estos filtros.')));
    built = true;
  }
  await loadAudit();
}

/** What an entry says beyond its action: a reason, a comment, where a client went; never a raw id list. */
function detailOf(r) {
  const d = r.data ?? {};
  const parts = [];
  if (d.to && typeof d.to === 'string') parts.push(`→ ${session.vendorNames?.get(d.to) ?? d.to}`);
  if (d.reason) parts.push(String(d.reason));
  if (d.contactState) parts.push(t(d.contactState.replace('_', ' ')));
  return parts.join(' · ');
}

async function loadAudit() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#audit-filters'))) if (String(v).trim()) params.set(k, String(v).trim());
  showMessage($('#desk-message'), '');
  try {
    const { items } = await getJson(`/api/audit?${params}`);
    $('#audit tbody').replaceChildren(...items.map((r) => el('tr', {},
      el('td', { text: fmt(r.at) }), el('td', { text: r.actorName ?? r.actor }), el('td', { text: actionName(r.action) }),
      el('td', { text: r.objectType ? `${t(OBJECTS[r.objectType] ?? r.objectType)}${r.objectId ? ` #${r.objectId}` : ''}` : '—' }),
      el('td', { text: detailOf(r) }))));
    $('#audit-empty').hidden = items.length > 0;
  } catch (e) {
    showMessage($('#desk-message'), e.message);
  }
}
