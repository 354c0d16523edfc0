// Live updates: the server's event stream (GET /api/events), and which leads are new to this person
// until they see them (opened, or on screen for a moment). Polling in app.js covers a stream that is down.
import { session } from './common.js';

let source = null;
/** Leads that arrived (or were reassigned to this person) while the page was open, not yet seen. */
export const fresh = new Set();
let onFreshChange = () => {};
const SEEN_AFTER_MS = 2500;

export function startLive(handlers, freshChanged) {
  stopLive();
  onFreshChange = freshChanged;
  if (!('EventSource' in window)) return;
  source = new EventSource('/api/events');
  source.addEventListener('ready', () => { session.liveUp = true; });
  for (const type of ['lead', 'assignment', 'contact']) {
    source.addEventListener(type, (e) => {
      try { handlers[type]?.(JSON.parse(e.data)); } catch { /* a bad event is skipped */ }
    });
  }
  // Signed out or the session ended: the next request finds out and shows the sign-in.
  source.addEventListener('end', () => { stopLive(); handlers.end?.(); });
  // The browser reconnects by itself; meanwhile the poll is the fallback.
  source.onerror = () => { session.liveUp = false; if (source?.readyState === EventSource.CLOSED) source = null; };
}

export function stopLive() {
  source?.close();
  source = null;
  session.liveUp = false;
}

export function markFresh(ids) {
  for (const id of ids) fresh.add(Number(id));
  onFreshChange();
}

export function markSeen(id) {
  if (!fresh.delete(Number(id))) return;
  for (const node of document.querySelectorAll(`.fresh[data-id="${Number(id)}"]`)) node.classList.remove('fresh');
  onFreshChange();
}

const timers = new Map();
const observer = 'IntersectionObserver' in window
  ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      const id = e.target.dataset.id;
      if (e.isIntersecting && !document.hidden) {
        if (!timers.has(e.target)) timers.set(e.target, setTimeout(() => { timers.delete(e.target); observer.unobserve(e.target); markSeen(id); }, SEEN_AFTER_MS));
      } else {
        clearTimeout(timers.get(e.target));
        timers.delete(e.target);
      }
    }
  }, { threshold: 0.6 })
  : null;

/** A new lead's card or row: highlighted until it has been on screen for a moment (or opened). */
export function highlightIfFresh(node, id) {
  if (!fresh.has(Number(id))) return node;
  node.classList.add('fresh');
  observer?.observe(node);
  return node;
}
