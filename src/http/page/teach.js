// "Enseñar parser" (admins): `parsers learn` on the page. Pick 1–3 stored emails, read how they were
// explained, confirm or correct each field (prefilled with the guesses), preview the parser on the
// stored mail, save. The server runs the same engine as the CLI, in its worker threads.
import { $, el, getJson, label, postJson, session, showMessage, sourceText } from './common.js';
import { t } from './i18n.js';

const FIELDS = [['name', 'Nombre'], ['nationalId', 'Documento'], ['email', 'Email'], ['phone', 'Teléfono'], ['project', 'Proyecto'], ['message', 'Mensaje']];
const STATUSES = { ignored: 'Ignorado', error: 'Error', timeout: 'Tiempo agotado', too_large: 'Demasiado grande' };
const fieldName = (f) => (f === 'nationalId' ? session.idLabel ?? 'Documento' : t(Object.fromEntries(FIELDS)[f] ?? f));

const state = { ids: [], suggestion: null, proposal: null };

/** The lead detail's "Enseñar un parser con este correo": that email as the first sample. */
export function preselect(rawEmailId) {
  state.ids = [rawEmailId];
}

export async function showTeach(view) {
  const section = $('#teach-view');
  const mine = view === 'ensenar';
  section.hidden = !mine;
  if (!mine) return false;
  if (location.hash !== '#ensenar') history.replaceState(null, '', `${location.pathname}#ensenar`);
  if (!section.childElementCount) build(section);
  await loadEmails();
  return true;
}

function build(section) {
  const pick = el('form', { id: 't-pick', class: 'card teach-step', 'aria-labelledby': 't-pick-title' },
    el('h2', { id: 't-pick-title', text: t('1. Correos de ejemplo') }),
    el('p', { class: 'muted', text: t('Elige de 1 a 3 correos del mismo portal: los que no se leyeron bien o por su número de correo.') }),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('Correos sin leer') }, el('table', { class: 'small', id: 't-emails' })),
    el('div', { class: 'teach-row' },
      el('label', { for: 't-id' }, t('Número de correo')),
      el('input', { id: 't-id', name: 'id', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]*' }),
      el('button', { type: 'button', class: 'secondary', id: 't-add', onclick: () => addId($('#t-id').value) }, t('Agregar'))),
    el('p', { id: 't-chosen', role: 'status' }),
    el('div', { class: 'card-actions' }, el('button', { type: 'submit', id: 't-read' }, t('Leer correos'))));
  pick.addEventListener('submit', (e) => { e.preventDefault(); read(); });
  section.replaceChildren(
    el('h2', { class: 'teach-title', text: t('Enseñar un parser') }),
    pick,
    el('section', { id: 't-confirm', class: 'card teach-step', 'aria-labelledby': 't-confirm-title', hidden: '' }),
    el('section', { id: 't-preview', class: 'card teach-step', 'aria-labelledby': 't-preview-title', hidden: '' }),
    el('p', { id: 't-message', role: 'status' }));
}

async function loadEmails() {
  const table = $('#t-emails');
  try {
    const r = await getJson('/api/emails?status=ignored,error,timeout&limit=30');
    table.replaceChildren(
      el('caption', { class: 'sr-only', text: t('Correos que no se convirtieron en leads') }),
      el('thead', {}, el('tr', {}, ...['Elegir', 'Correo', 'Estado', 'Motivo'].map((h) => el('th', { scope: 'col', text: t(h) })))),
      el('tbody', {}, ...(r.items.length ? r.items.map((m) => el('tr', {},
        el('td', {}, el('input', { type: 'checkbox', id: `t-e-${m.id}`, 'aria-label': `${t('Elegir el correo')} ${m.id}`, ...(state.ids.includes(m.id) ? { checked: '' } : {}), onchange: (e) => toggle(m.id, e.target.checked) })),
        el('td', { text: `#${m.id} · ${(m.receivedAt ?? '').slice(0, 16).replace('T', ' ')}` }),
        el('td', { text: t(STATUSES[m.status] ?? m.status) }),
        el('td', { text: m.ignoredReason ?? m.error ?? '—' }))) : [el('tr', {}, el('td', { colspan: '4', text: t('No hay correos sin leer.') }))])));
  } catch (e) {
    table.replaceChildren(el('caption', { text: e.message }));
  }
  showChosen();
}

function toggle(id, on) {
  state.ids = on ? [...new Set([...state.ids, id])] : state.ids.filter((x) => x !== id);
  showChosen();
}

function addId(text) {
  const id = Number(String(text).trim().replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1) return showMessage($('#t-message'), 'Escribe el número de un correo guardado.');
  toggle(id, true);
  $('#t-id').value = '';
}

function showChosen() {
  const over = state.ids.length > 3;
  $('#t-chosen').textContent = state.ids.length ? `${t('Elegidos')}: ${state.ids.map((i) => `#${i}`).join(', ')}${over ? ` — ${t('a lo más 3')}` : ''}` : t('Ningún correo elegido.');
}

async function read() {
  const msg = $('#t-message');
  if ($('#t-id').value.trim()) addId($('#t-id').value); // a number typed and Enter: that email too
  if (!state.ids.length || state.ids.length > 3) return showMessage(msg, 'Elige de 1 a 3 correos.');
  showMessage(msg, 'Leyendo el correo…', true);
  try {
    state.suggestion = await postJson('/api/teach/suggest', { ids: state.ids });
    state.proposal = null;
    $('#t-preview').hidden = true;
    renderConfirm(state.suggestion);
    showMessage(msg, '', true);
    $('#t-f-name').focus();
  } catch (e) {
    showMessage(msg, e.message);
  }
}

function renderConfirm(s) {
  const x = s.explanation;
  const box = $('#t-confirm');
  box.hidden = false;
  const lists = FIELDS.map(([f]) => el('datalist', { id: `t-c-${f}` }, ...s.candidates.filter((c) => c.types.includes(f) || (c.label && f !== 'message')).map((c) => el('option', { value: c.value }))));
  const form = el('form', { id: 't-fields', class: 'teach-fields' },
    ...FIELDS.map(([f]) => el('div', { class: 'field' }, el('label', { for: `t-f-${f}` }, fieldName(f)),
      f === 'message'
        ? el('textarea', { id: `t-f-${f}`, name: f, rows: '3' }, s.guesses[f] ?? '')
        : el('input', { id: `t-f-${f}`, name: f, list: `t-c-${f}`, autocomplete: 'off', value: s.guesses[f] ?? '' }))),
    el('div', { class: 'field' }, el('label', { for: 't-f-id' }, t('Id del parser (letras minúsculas, dígitos y guiones)')), el('input', { id: 't-f-id', name: 'id', required: '', pattern: '[a-z0-9][a-z0-9\\-]*', autocomplete: 'off', value: guessId(x.from) })),
    el('div', { class: 'field' }, el('label', { for: 't-f-pname' }, t('Nombre del portal')), el('input', { id: 't-f-pname', name: 'pname', autocomplete: 'off' })),
    ...lists,
    el('div', { class: 'card-actions' }, el('button', { type: 'submit', id: 't-propose' }, t('Vista previa'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); propose(form); });
  box.replaceChildren(
    el('h2', { id: 't-confirm-title', text: t('2. Lo leído y los campos confirmados') }),
    el('p', {}, el('strong', { text: `${t('Remitente')}: ` }), x.from ?? '—', ' · ', el('strong', { text: `${t('Asunto')}: ` }), x.subject),
    el('p', {}, el('strong', { text: `${t('Portal')}: ` }), x.parser ? session.portalName?.(x.parser) ?? x.parser : t('Genérico (ningún portal coincidió)'), ' · ', el('strong', { text: `${t('Calidad')}: ` }), label(x.quality)),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('Campos leídos del correo') }, el('table', { class: 'small why-fields' },
      el('thead', {}, el('tr', {}, ...['Campo', 'Encontrado en', 'Texto del correo', 'Valor'].map((h) => el('th', { scope: 'col', text: t(h) })))),
      el('tbody', {}, ...x.fields.map((f) => el('tr', {},
        el('td', { text: fieldName(f.field) }),
        el('td', { text: sourceText(f) }),
        el('td', { text: f.raw ?? '—' }),
        el('td', { text: f.normalized ?? '—' })))))),
    el('p', { class: 'muted', text: t('Confirma o corrige cada campo tal como aparece en el primer correo; deja vacío lo que el correo no trae.') }),
    form);
}

function guessId(from) {
  const domain = (from ?? '').split('@')[1] ?? '';
  const parts = domain.toLowerCase().split('.').filter((p) => !['mail', 'www', 'com', 'cl', 'pe', 'co', 'mx', 'ar', 'br', 'uy', 'net', 'org', 'email', 'avisos'].includes(p));
  return (parts[parts.length - 1] ?? '').replace(/[^a-z0-9-]/g, '');
}

const confirmedFields = () => Object.fromEntries(FIELDS.map(([f]) => [f, $(`#t-f-${f}`).value.trim() || null]));

async function propose(form) {
  const msg = $('#t-message');
  const id = form.elements.namedItem('id').value.trim();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) return showMessage(msg, 'Escribe el id del parser: letras minúsculas, dígitos y guiones.');
  const name = form.elements.namedItem('pname').value.trim();
  showMessage(msg, 'Probando el parser en los correos guardados…', true);
  try {
    state.proposal = await postJson('/api/teach/propose', { ids: state.ids, id, ...(name ? { name } : {}), fields: confirmedFields() });
    renderPreview(state.proposal);
    showMessage(msg, '', true);
    $('#t-preview-title').focus();
  } catch (e) {
    showMessage(msg, e.message);
  }
}

function renderPreview(p) {
  const box = $('#t-preview');
  box.hidden = false;
  const v = p.preview;
  const moves = Object.entries(v.moves).map(([k, n]) => `${n} ${k.split(' → ').map((q) => label(q)).join(' → ')}`).join(', ') || t('sin cambios de calidad');
  const notes = [
    ...p.refused.map((r) => `${t('Regla rechazada para')} ${fieldName(r.field)}: ${r.reason}`),
    ...p.unread.map((f) => `${fieldName(f)}: ${t('ninguna regla lo lee en todos los ejemplos; lo buscará la extracción genérica')}`),
    ...p.mismatches.map((m) => `${fieldName(m.field)}: ${t('confirmado')} «${m.want}», ${t('el parser lee')} «${m.got ?? '—'}»`),
    ...(p.outranked ? [t('Otro parser más específico sigue tomando estos correos.')] : []),
  ];
  const save = el('form', { id: 't-save' },
    el('label', { for: 't-yaml', class: 'block' }, `${t('Archivo del parser')} (${p.file})`),
    el('textarea', { id: 't-yaml', name: 'yaml', rows: '14', spellcheck: 'false', class: 'mono' }, p.yaml),
    ...(p.exists ? [
      el('p', { class: 'warning', text: `${t('Ya existe un parser')} ${p.id}: ${t('estas son las diferencias')}` }),
      el('pre', { class: 'diff mono', tabindex: '0', 'aria-label': t('Diferencias con el parser actual') }, p.diff),
      el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 't-confirm-replace', name: 'confirm' }), t('Revisé las diferencias: reemplazar el parser actual')),
    ] : []),
    el('div', { class: 'card-actions' }, el('button', { type: 'submit', id: 't-save-btn' }, t('Guardar parser'))));
  save.addEventListener('submit', (e) => { e.preventDefault(); doSave(save); });
  box.replaceChildren(
    el('h2', { id: 't-preview-title', tabindex: '-1', text: t('3. Vista previa') }),
    el('p', { id: 't-preview-summary' }, `${v.claimed} ${t(v.claimed === 1 ? 'correo guardado usaría este parser' : 'correos guardados usarían este parser')} (${t('de')} ${v.scanned}): ${v.changed} ${t('cambian')}; ${moves}; ${v.worse} ${t('empeoran')}.`),
    ...(v.examples.length ? [examplesTable(v.examples)] : []),
    ...(notes.length ? [el('ul', { class: 'reasons', id: 't-notes' }, ...notes.map((n) => el('li', { text: n })))] : []),
    save);
}

/** The stored emails that would read differently, field by field (before → after). */
function examplesTable(examples) {
  const rows = examples.flatMap((x) => (x.fields.length ? x.fields : [{ field: '', before: '', after: '' }]).map((f, i) => el('tr', {},
    el('td', { text: i ? '' : `#${x.rawId}` }),
    el('td', { text: i ? '' : `${label(x.quality.before)} → ${label(x.quality.after)}` }),
    el('td', { text: f.field ? fieldName(f.field) : '—' }),
    el('td', { text: f.before ?? '—' }),
    el('td', { text: f.after ?? '—' }))));
  const head = el('thead', {}, el('tr', {}, ...['Correo', 'Calidad', 'Campo', 'Antes', 'Después'].map((h) => el('th', { scope: 'col', text: t(h) }))));
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('Cambios en correos guardados') }, el('table', { class: 'small why-fields', id: 't-changes' }, head, el('tbody', {}, ...rows)));
}

async function doSave(form) {
  const msg = $('#t-message');
  const confirm = form.elements.namedItem('confirm');
  if (confirm && !confirm.checked) return showMessage(msg, 'Revisa las diferencias y marca la confirmación para reemplazar el parser.');
  try {
    const r = await postJson('/api/teach/save', { ids: state.ids, fields: confirmedFields(), yaml: $('#t-yaml').value, ...(confirm ? { confirm: true } : {}) });
    showMessage(msg, `${t('Parser guardado y en uso')}: ${r.file}.`, true);
  } catch (e) {
    showMessage(msg, e.message);
  }
}
