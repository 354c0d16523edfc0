// A manager's tools in a lead's detail: reassign the client (to a vendor who sells its project, with
// a reason), the possible-duplicate mark with merge / dismiss / undo, and for admins "¿Por qué?":
// how the stored email was read (parser, each field's evidence, classification and problems).
import { $, el, getJson, label, postJson, problemText, session, showMessage, sourceText } from './common.js';
import { missing } from './forms.js';
import { t } from './i18n.js';

const MANAGERS = ['admin', 'gerente', 'supervisor'];
const DUPLICATE_DECIDERS = ['admin', 'gerente'];
let lead = null;
let reopen = async () => {};

export const mayReassign = (l) => MANAGERS.includes(session.me?.role) && l.clientId !== null;

/** Open possible-duplicate marks by client id (managers who decide them); empty for others. */
export async function loadDuplicateMarks() {
  const byClient = new Map();
  if (DUPLICATE_DECIDERS.includes(session.me?.role)) {
    const { items } = await getJson('/api/duplicates?status=open');
    for (const d of items) { byClient.set(d.clientId, d); byClient.set(d.otherClientId, d); }
  }
  session.duplicates = byClient;
  return byClient;
}

/** The mark beside a name, for every role that sees the lead (the server says whether its client has an open mark). */
export const duplicateBadge = (marked) => (marked ? el('span', { class: 'badge dup', title: t('Posible duplicado'), text: t('Posible duplicado') }) : null);

/** Fills the tools for the lead now open in the detail. */
export function showManagerTools(l, client) {
  lead = l;
  const f = $('#f-reassign');
  const select = f.elements.namedItem('vendorId');
  const owner = client?.ownerVendorId ?? l.ownerVendorId;
  const project = l.project;
  const vendors = (session.options.vendors ?? []).filter((v) => v.active && v.id !== owner && (!project || !v.projects || v.projects.includes(project)));
  select.replaceChildren(el('option', { value: '', text: t('Elegir…') }), ...vendors.map((v) => el('option', { value: v.id, text: v.name })));
  $('#d-why').hidden = true;
  $('#d-why').replaceChildren();
  showDuplicate(l);
}

function showDuplicate(l, done = null) {
  const box = $('#d-duplicates');
  const d = done ?? session.duplicates?.get(l.clientId);
  box.hidden = !d;
  if (!d) return box.replaceChildren();
  if (done) {
    return box.replaceChildren(el('p', { class: 'ok', text: t('Fichas unidas.') }),
      el('button', { type: 'button', class: 'secondary', onclick: () => decide(d, 'unmerge', 'Unión deshecha.') }, t('Deshacer')));
  }
  const other = d.clientId === l.clientId ? d.other : d.client;
  const who = [other?.name, other?.phone, other?.email].filter(Boolean).join(' · ');
  box.replaceChildren(
    el('p', {}, el('strong', { text: t('Posible duplicado') }), ` · ${t('ficha')} #${other?.id ?? '?'}${who ? ` (${who})` : ''}`),
    el('div', { class: 'action-buttons' },
      el('button', { type: 'button', onclick: () => decide(d, 'merge', 'Fichas unidas.') }, t('Unir fichas')),
      el('button', { type: 'button', class: 'secondary', onclick: () => decide(d, 'dismiss', 'Marcado como no duplicado.') }, t('No es duplicado'))));
}

async function decide(d, action, success) {
  try {
    await postJson(`/api/duplicates/${d.id}/${action}`, {});
    await loadDuplicateMarks();
    await reopen(lead.id);
    if (action === 'merge') showDuplicate(lead, d);
    showMessage($('#d-message'), success, true);
  } catch (e) {
    showMessage($('#d-message'), e.message);
  }
}

async function reassign(f) {
  const problem = missing(f, [['vendorId', 'Elige el nuevo responsable.'], ['reason', 'Escribe el motivo de la reasignación.']]);
  if (problem) return showMessage($('#d-message'), problem);
  const body = { vendorId: f.elements.namedItem('vendorId').value, reason: f.elements.namedItem('reason').value.trim() };
  try {
    await postJson(`/api/clients/${lead.clientId}/reassign`, body);
    await reopen(lead.id);
    showMessage($('#d-message'), `${t('Cliente reasignado a')} ${session.vendorNames.get(body.vendorId) ?? body.vendorId}.`, true);
  } catch (e) {
    showMessage($('#d-message'), e.message);
  }
}

const FIELDS = { name: 'Nombre', nationalId: 'Documento', email: 'Email', phone: 'Teléfono', project: 'Proyecto', message: 'Mensaje' };
// The server's reasons are Spanish sentences; Brazil's page gets the words before the colon in Portuguese.
const reasonText = (r) => r.replace(/^(remitente|asunto|cuerpo|cabecera)(?=[ :])/, (w) => t(w));

/** "¿Por qué?": the explanation of the stored email, computed in the server's worker threads. */
async function explain() {
  const box = $('#d-why');
  if (!box.hidden) { box.hidden = true; return; }
  box.hidden = false;
  box.replaceChildren(el('p', { class: 'muted', text: t('Leyendo el correo…') }));
  try {
    const x = await getJson(`/api/emails/${lead.rawEmailId}/explain`);
    const idLabel = session.idLabel ?? 'Documento';
    box.replaceChildren(
      el('h3', { text: t('¿Por qué?') }),
      el('p', {}, el('strong', { text: `${t('Portal')}: ` }), x.parser ? session.portalName(x.parser) : t('Genérico (ningún portal coincidió)')),
      ...(x.parserReason?.length ? [el('ul', { class: 'reasons' }, ...x.parserReason.map((r) => el('li', { text: reasonText(r) })))] : []),
      el('p', {}, el('strong', { text: `${t('Calidad')}: ` }), label(x.quality)),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('Campos leídos del correo') }, el('table', { class: 'small why-fields' },
        el('thead', {}, el('tr', {}, ...['Campo', 'Encontrado en', 'Texto del correo', 'Valor', 'Problemas'].map((h) => el('th', { scope: 'col', text: t(h) })))),
        el('tbody', {}, ...x.fields.map((f) => el('tr', {},
          el('td', { text: f.field === 'nationalId' ? idLabel : t(FIELDS[f.field] ?? f.field) }),
          el('td', { text: sourceText(f) }),
          el('td', { text: f.raw ?? '—' }),
          el('td', { text: f.normalized ?? '—' }),
          // A field's problems are sentences (why a rule or a value failed), not problem codes.
          el('td', { text: f.problems.length ? f.problems.join('; ') : '—' })))))),
      el('p', {}, el('strong', { text: `${t('Problemas')}: ` }), x.problems.length ? x.problems.map((p) => problemText(p)).join(', ') : t('ninguno')),
      // Read wrong: teach the portal's layout from this very email (the "Enseñar parser" view).
      el('p', {}, el('button', { type: 'button', class: 'secondary', onclick: () => teachFrom(lead.rawEmailId) }, t('Enseñar un parser con este correo'))));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', text: e.message }));
  }
}

async function teachFrom(rawEmailId) {
  (await import('./teach.js')).preselect(rawEmailId);
  $('#detail').close();
  document.querySelector('#views [data-view="ensenar"]').click();
}

export function wireManagerTools(open) {
  reopen = open;
  $('#f-reassign').addEventListener('submit', (e) => { e.preventDefault(); reassign(e.target); });
  $('#d-explain').addEventListener('click', () => explain());
}
