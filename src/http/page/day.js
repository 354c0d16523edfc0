// "Mis pendientes": the vendor's day on a phone. Each card leads to a call, a WhatsApp or an email,
// and a tap to contact opens "registrar contacto".
import { $, el, fmt, followUpDate, getJson, label, postJson, session, showMessage } from './common.js';
import { formBody } from './detail.js';
import { t } from './i18n.js';
import { fresh, highlightIfFresh, markSeen } from './live.js';
import { missing } from './forms.js';

/** "1 vencido", "2 vencidos": the count and the word in its number. */
const count = (n, one, many) => `${n} ${t(n === 1 ? one : many)}`;

let contactLead = null;

function ago(iso, now = Date.now()) {
  const min = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (min < 60) return `hace ${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `hace ${h} h`;
  return `hace ${Math.round(h / 24)} días`;
}

function leadCard(c, due = null) {
  const links = [];
  const tap = (type) => () => setTimeout(() => openContact(c, type), 0);
  if (c.links.tel) links.push(el('a', { class: 'act call', href: c.links.tel, onclick: tap('llamada') }, t('Llamar')));
  if (c.links.whatsapp) links.push(el('a', { class: 'act wa', href: c.links.whatsapp, target: '_blank', rel: 'noopener noreferrer', onclick: tap('whatsapp') }, 'WhatsApp'));
  if (c.links.mailto) links.push(el('a', { class: 'act mail', href: c.links.mailto, onclick: tap('email') }, 'Email'));
  links.push(el('button', { type: 'button', class: 'act secondary', onclick: () => openContact(c, 'llamada') }, t('Registrar contacto')));
  return el('article', { class: `lead-card${c.overdue && !due ? ' overdue' : ''}`, 'data-id': String(c.id) },
    el('h3', { text: c.name ?? '(sin nombre)' }),
    el('p', { class: 'meta', text: [c.project, c.portal].filter(Boolean).join(' · ') }),
    el('p', { class: 'when' },
      el('span', { text: `Llegó ${ago(c.receivedAt)}` }), ' · ',
      due ? el('span', { class: 'due', text: `Seguimiento ${fmt(due)}` }) : el('span', { class: c.overdue ? 'deadline overdue' : 'deadline', text: `${c.overdue ? 'Venció' : 'Vence'} ${fmt(c.deadlineAt)}` })),
    el('div', { class: 'card-actions' }, ...links));
}

/** Loads and draws the day; `visit` marks this as a visit (what is new is counted from the previous one). */
export async function renderDay(visit = false) {
  const d = await getJson(`/api/my/day${visit ? '?visit=1' : ''}`);
  session.latestLeadId = Math.max(session.latestLeadId ?? 0, d.latestLeadId ?? 0);
  // A lead still waiting for its first contact is listed once, under "Por contactar", even when its
  // follow-up is also due today: one call settles both.
  const waiting = new Set(d.pending.map((c) => c.id));
  const due = d.due.filter((c) => !waiting.has(c.id));
  // Leads that arrived while the page was open go first, highlighted until seen; the rest by deadline.
  const pending = [...d.pending.filter((c) => fresh.has(c.id)).sort((a, b) => b.id - a.id), ...d.pending.filter((c) => !fresh.has(c.id))];
  $('#day-summary').replaceChildren(
    el('span', { class: 'pill', text: count(pending.length, 'por contactar', 'por contactar') }),
    el('span', { class: `pill${d.overdue ? ' bad' : ''}`, text: count(d.overdue, 'vencido', 'vencidos') }),
    el('span', { class: 'pill', text: count(due.length, 'seguimiento para hoy', 'seguimientos para hoy') }),
    ...(d.newSinceLastVisit ? [el('span', { class: 'pill new', text: count(d.newSinceLastVisit, 'nuevo desde tu última visita', 'nuevos desde tu última visita') })] : []));
  $('#day-due').replaceChildren(...due.map((c) => leadCard(c, c.dueAt)));
  $('#day-due-empty').hidden = due.length > 0;
  $('#day-pending').replaceChildren(...pending.map((c) => highlightIfFresh(leadCard(c), c.id)));
  $('#day-pending-empty').hidden = pending.length > 0;
}

function openContact(c, type) {
  contactLead = c;
  markSeen(c.id);
  const f = $('#f-contact');
  f.reset();
  $('#contact-title').textContent = `Registrar contacto · ${c.name ?? '(sin nombre)'}`;
  f.elements.namedItem('contactType').value = type;
  f.elements.namedItem('recontactAt').value = followUpDate();
  showMessage($('#contact-message'), '');
  syncAbort();
  if (!$('#contact').open) $('#contact').showModal();
}

/** "Abortar" needs a comment and no recontact date. */
function syncAbort() {
  const f = $('#f-contact');
  const abort = f.elements.namedItem('action').value === 'abortar';
  f.elements.namedItem('comment').required = abort;
  f.elements.namedItem('recontactAt').disabled = abort;
}

async function submitContact(f) {
  const problem = missing(f, [['contactType', 'Elige el tipo de contacto.'], ['expectation', 'Elige la expectativa del cliente.'], ['comment', 'Escribe un comentario: es obligatorio para abortar.']]);
  if (problem) return showMessage($('#contact-message'), problem);
  const body = formBody(f, ['expectation', 'contactType', 'recontactAt', 'comment', 'action']);
  try {
    await postJson(`/api/leads/${contactLead.id}/follow-up`, body);
    $('#contact').close();
    showMessage($('#day-message'), body.action === 'abortar' ? 'Seguimiento abortado.' : 'Contacto registrado.', true);
    await renderDay();
  } catch (e) {
    showMessage($('#contact-message'), e.message);
  }
}

export function wireDay() {
  const f = $('#f-contact');
  for (const v of ['llamada', 'whatsapp', 'email', 'visita', 'otro']) f.elements.namedItem('contactType').append(el('option', { value: v, text: label(v) }));
  // No expectation is chosen for the person: an empty choice first, and the form asks for one.
  f.elements.namedItem('expectation').append(el('option', { value: '', text: t('Elegir…') }));
  for (const v of ['alta', 'media', 'baja']) f.elements.namedItem('expectation').append(el('option', { value: v, text: label(v) }));
  for (const r of f.querySelectorAll('input[name=action]')) r.addEventListener('change', syncAbort);
  f.addEventListener('submit', (e) => { e.preventDefault(); submitContact(f); });
  $('#contact-close').addEventListener('click', () => $('#contact').close());
}
