// Shared by the page's modules. Lead data is hostile input: it only ever reaches the DOM through textContent.
export const LABELS = {
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
export const ROW_STATE = { por_contactar: 'Por contactar', no_contactado: 'No contactado', contactado: 'Contactado', abortado: 'Abortado', descartado: 'Descartado' };
export const ID_LABELS = { CL: 'RUT', PE: 'DNI/C.E./RUC', BR: 'CPF' };
import { t } from './i18n.js';
export const label = (v) => t(LABELS[v] ?? v ?? '');
export const $ = (sel) => document.querySelector(sel);
let dateTime;
let shortDateTime;
/**
 * Dates as the company writes them, as its emails do: in its time zone (not the browser's), in its
 * language (pt-BR for Brazil), hours 00-23 (es-CL would otherwise write "03:40 a. m." or "24:40").
 */
export function setDateStyle(timeZone, lang) {
  const style = { hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) };
  const locale = lang === 'pt' ? 'pt-BR' : 'es-CL';
  dateTime = new Intl.DateTimeFormat(locale, { ...style, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  shortDateTime = new Intl.DateTimeFormat(locale, { ...style, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
}
setDateStyle(undefined, 'es');
/** "dd-mm hh:mm" for the table's narrow columns, as the company writes it. */
export function shortDate(iso) {
  const p = Object.fromEntries(shortDateTime.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.day}-${p.month} ${p.hour}:${p.minute}`;
}
const PROBLEM_FIELDS = { name: 'Nombre', nationalId: 'Documento', email: 'Email', phone: 'Teléfono', project: 'Proyecto', contact: 'Contacto' };
const PROBLEM_KINDS = { missing: 'falta', invalid: 'no es válido', unmatched: 'no coincide con un proyecto conocido' };
/** 'project.unmatched' -> 'Proyecto no reconocido (¿Parque Los Robles?)': the server's words and the detail. */
export function problemText(code, details) {
  const [fieldName, kind] = code.split('.');
  // The server's text (/api/options, in the company's language with its ID's name), else field and kind in words.
  const text = session.options?.problemTexts?.[code] ?? `${PROBLEM_FIELDS[fieldName] ?? fieldName}: ${PROBLEM_KINDS[kind] ?? kind}`;
  return details?.[code] ? `${text} (${details[code]})` : text;
}
const SOURCES = { parser: 'regla del portal', label: 'etiqueta genérica', 'free-text': 'texto libre', combined: 'nombre y apellido' };
/** Where an explained field came from, in words; the portal's own rule is shown as written. */
export const sourceText = (f) => (f.source ? `${t(SOURCES[f.source] ?? f.source)}${f.source === 'parser' && f.rule ? ` (${f.rule})` : ''}` : t('no encontrado'));
export const fmt = (iso) => (iso ? dateTime.format(new Date(iso)) : 'N/E');


/** Who is signed in ({email, name, role, vendorId, csrf}); set at sign-in. */
export const session = { me: null, onUnauthorized: () => {} };

/** The default recontact date (today + followUpDays) as YYYY-MM-DD in the company's time zone, not UTC's. */
export function followUpDate() {
  const due = new Date(Date.now() + (session.options?.followUpDays ?? 5) * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: session.options?.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(due);
}

/** Builds an element; children are nodes or text (text becomes a text node, never markup). */
export function el(tag, attrs = {}, ...children) {
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

export class ApiError extends Error {}

export const ROLE_NAMES = { admin: 'Administrador', gerente: 'Gerente', supervisor: 'Supervisor', vendedor: 'Vendedor', atencion: 'Atención al cliente', atencion_supervisor: 'Supervisor de atención' };

/** Same-origin requests carry the session cookie; writes carry the session's CSRF token. */
export async function api(path, init = {}) {
  const method = init.method ?? 'GET';
  const headers = { ...(init.headers ?? {}), ...(method !== 'GET' && session.me?.csrf ? { 'X-CSRF-Token': session.me.csrf } : {}) };
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) {
    session.onUnauthorized('Tu sesión terminó: vuelve a iniciar sesión.');
    throw new ApiError('No autorizado');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new ApiError(body.error ?? `Error ${res.status}`);
  }
  return res;
}
export const getJson = async (path) => (await api(path)).json();
export const postJson = async (path, body) => (await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();

export function showMessage(target, text, ok = false) {
  target.textContent = t(text);
  target.className = ok ? 'ok' : 'error';
}

