// The page: sign-in, the two screens ("Mis pendientes" and "Contactos") and live arrivals.
import { $, ApiError, ID_LABELS, ROLE_NAMES, api, getJson, session, setDateStyle } from './common.js';
import { renderDay, wireDay } from './day.js';
import { fillDetailOptions, wireDetail } from './detail.js';
import { setLang, t, translatePage } from './i18n.js';
import { atFirstPage, refresh, startTable, syncUrl, wireTable } from './table.js';
import { fresh, highlightIfFresh, markFresh, startLive, stopLive } from './live.js';

const POLL_MS = 15_000;
let poller = null;

function showLogin(why = '') {
  session.me = null;
  clearInterval(poller);
  stopLive();
  $('#main').hidden = true;
  $('#who').hidden = true;
  $('#views').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = why;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}
session.onUnauthorized = showLogin;

async function logout() {
  try { await api('/api/session', { method: 'DELETE' }); } catch { /* already gone */ }
  showLogin();
}

/** Menus and buttons a role cannot use are not shown (the server refuses them anyway). */
function applyRole() {
  const { me } = session;
  $('#who-name').textContent = me.name;
  $('#who-role').textContent = `· ${t(ROLE_NAMES[me.role] ?? me.role)}`;
  $('#who').hidden = false;
  for (const node of document.querySelectorAll('[data-roles]')) node.hidden = !node.dataset.roles.split(' ').includes(me.role);
}

/** One of the two screens; a vendor starts on "Mis pendientes", a manager on "Contactos". */
async function show(view, visit = false) {
  session.view = view;
  // The header and the window's title name the screen in use (its tab's text, already translated).
  const screen = document.querySelector(`#views [data-view="${view.split('/')[0]}"]`)?.textContent ?? '';
  $('.top h1 span').textContent = screen;
  document.title = `Centralizador · ${screen}`;
  $('#day').hidden = view !== 'pendientes';
  $('#main').hidden = view !== 'contactos';
  for (const b of document.querySelectorAll('#views [data-view]')) b.setAttribute('aria-current', String(b.dataset.view === view));
  // Every view's switch runs (each hides itself unless it is the one): leaving Casos for Auditoría
  // must hide Casos too.
  const own = [];
  for (const load of [() => import('./funnel.js').then((m) => m.showFunnel), () => import('./desk.js').then((m) => m.showDesk), () => import('./cases.js').then((m) => m.showCases), () => import('./teach.js').then((m) => m.showTeach)]) {
    own.push(await (await load())(view));
  }
  if (own.some(Boolean)) return;
  if (location.hash !== `#${view}`) history.replaceState(null, '', view === 'contactos' ? `${location.search}#contactos` : `${location.pathname}#pendientes`);
  if (view === 'pendientes') await renderDay(visit);
  else if (!session.tableStarted) { session.tableStarted = true; await startTable(); }
  else await refresh(false);
}

/** Customer service sees cases only: the sales screens and their options are not theirs. */
const DESK_ONLY = ['atencion', 'atencion_supervisor'];

async function start() {
  const deskOnly = DESK_ONLY.includes(session.me.role);
  session.options = deskOnly ? (session.caseOptions = await getJson('/api/cases/options')) : await getJson('/api/options');
  const { options } = session;
  session.vendorNames = new Map((options.vendors ?? []).map((v) => [v.id, v.name]));
  session.portalName = (id) => options.portals?.[id ?? '_generic'] ?? id;
  session.idLabel = options.idLabel ?? ID_LABELS[options.country] ?? 'Documento';
  for (const s of document.querySelectorAll('.id-label')) s.textContent = session.idLabel;
  document.documentElement.lang = options.lang ?? 'es';
  setLang(options.lang);
  setDateStyle(options.timeZone, options.lang);
  translatePage();
  if (!deskOnly) fillDetailOptions(options);
  applyRole();
  $('#login').hidden = true;
  $('#views').hidden = false;
  const wanted = location.hash.slice(1);
  const ficha = /^ficha-(\d+)$/.exec(wanted);
  // A link to a client's ficha (#ficha-<id>) opens it; the live poll starts either way.
  if (ficha) await (await import('./client.js')).openClient(Number(ficha[1]), { push: false });
  else if (deskOnly || /^casos(\/\d+)?$/.test(wanted)) await show(/^casos(\/\d+)?$/.test(wanted) ? wanted : 'casos', true);
  else await show(['contactos', 'pendientes', 'embudo', 'duplicados', 'auditoria', 'ensenar'].includes(wanted) ? wanted : session.me.role === 'vendedor' ? 'pendientes' : 'contactos', true);
  clearInterval(poller);
  if (deskOnly) return; // the live poll is of leads
  poller = setInterval(() => poll().catch(() => {}), (options.pollSeconds ?? 15) * 1000 || POLL_MS);
  startLive({ lead: onLead, assignment: onAssignment, contact: () => redraw(), end: () => getJson('/api/me').catch(() => {}) }, showFresh);
}

/** "1 nuevo": leads that arrived while the page was open and this person has not seen yet. */
function showFresh() {
  const n = fresh.size;
  const badge = $('#live-badge');
  badge.textContent = n ? `${n} ${n === 1 ? t('nuevo') : t('nuevos')}` : '';
  badge.hidden = n === 0;
}

/** Draws the open screen again, unless the person is in the middle of a form. */
async function redraw() {
  if (session.view === 'pendientes' && !$('#contact').open) await renderDay();
  else if (session.view === 'contactos' && atFirstPage() && !$('#detail').open) await refresh(false);
}

async function onLead(e) {
  session.latestLeadId = Math.max(session.latestLeadId ?? 0, e.leadId);
  markFresh([e.leadId]);
  await redraw();
}

async function onAssignment(e) {
  if (e.mine && e.leadIds?.length) markFresh(e.leadIds);
  await redraw();
}

/** New leads appear without reloading: a cheap poll of the newest lead id in the caller's scope. */
async function poll() {
  // With the stream up this only catches what another daemon stored (no shared events yet); ids the
  // stream already brought are not counted again (latestLeadId moved with them).
  if (!session.me || document.hidden) return;
  const r = await getJson(`/api/arrivals?after=${session.latestLeadId ?? 0}`);
  if (!r.newLeads) return;
  const before = session.latestLeadId ?? 0;
  session.latestLeadId = r.latestLeadId;
  await redraw();
  // Without the stream the new ids are not known one by one: those drawn above the last one known are new.
  const drawn = [...document.querySelectorAll('#day-pending .lead-card, #leads tbody tr')].filter((n) => Number(n.dataset.id) > before);
  if (!before || !drawn.length) return;
  markFresh(drawn.map((n) => n.dataset.id));
  for (const n of drawn) highlightIfFresh(n, n.dataset.id);
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
    session.me = await res.json();
    try { await start(); } catch (err) { if (!(err instanceof ApiError)) throw err; }
  });
  $('#logout').addEventListener('click', () => logout());
  for (const b of document.querySelectorAll('#views [data-view]')) b.addEventListener('click', () => show(b.dataset.view));
  wireTable();
  wireDay();
  wireDetail((acted) => { syncUrl(); if (acted && session.view === 'contactos') refresh(false).catch(() => {}); if (acted && session.view === 'pendientes') renderDay().catch(() => {}); });
}

/** A session still open in this browser (the cookie) goes straight in. */
async function resume() {
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  if (!res.ok) return showLogin();
  session.me = await res.json();
  await start();
}

wire();
resume().catch(() => showLogin());
