import cron from 'node-cron';
import type { Config } from '../config.ts';
import type { NotificationStore } from './notification-store.ts';
import type { Logger } from '../logger.ts';
import { portalDisplayName } from '../leads/display.ts';
import { esc, formatDate, langOf, leadUrl, qualityName, type Lang, type Rendered } from './templates.ts';
import type { DigestLead, DigestReads } from '../db/lead-reads.ts';
import { dateFormat } from '../time-zone.ts';

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  return dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = Object.fromEntries(dateFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** [start, end) of the local day containing `ms` in the zone (DST days are 23 or 25 hours). */
export function dayBounds(ms: number, timeZone: string): [number, number] {
  const startOf = (date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    const guess = Date.UTC(y, m - 1, d);
    let t = guess - offsetAt(guess, timeZone);
    t = guess - offsetAt(t, timeZone);
    return t;
  };
  const start = startOf(localDate(ms, timeZone));
  return [start, startOf(localDate(start + 36 * 3600_000, timeZone))];
}

const W = {
  es: { subject: (d: string) => `Tu día ${d}: seguimientos y leads por contactar`, due: 'Seguimientos para hoy', turning: 'Vencen hoy (pasan a no contactado)', overdue: 'Atrasados', mgrSubject: (d: string) => `Resumen de leads del ${d}`, byQuality: 'Por calidad', byPortal: 'Por portal', byVendor: 'Por vendedor', notContacted: 'No contactados', none: '(ninguno)', unassigned: '(sin responsable)' },
  pt: { subject: (d: string) => `Seu dia ${d}: retornos e leads a contatar`, due: 'Retornos para hoje', turning: 'Vencem hoje (passam a não contatado)', overdue: 'Atrasados', mgrSubject: (d: string) => `Resumo de leads de ${d}`, byQuality: 'Por qualidade', byPortal: 'Por portal', byVendor: 'Por vendedor', notContacted: 'Não contatados', none: '(nenhum)', unassigned: '(sem responsável)' },
} as const;

function sections(list: [string, string[]][], lang: Lang): Omit<Rendered, 'subject'> {
  const text = list.map(([h, lines]) => `${h}\n${lines.length ? lines.map((l) => `- ${l}`).join('\n') : W[lang].none}`).join('\n\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">${list.map(([h, lines]) => `<h3>${esc(h)}</h3><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`).join('')}</body></html>`;
  return { text, html };
}

/**
 * The daily digest: each vendor gets today's follow-ups, leads turning no_contactado today and the
 * overdue ones; each manager yesterday's counts and the no_contactado list of their projects.
 * Queued in the outbox with one key per day and recipient, so a second run the same day adds nothing.
 */
export async function runDigest(now: number, cfg: Config, q: DigestReads, out: NotificationStore, projectIds: (name: string) => number | null,
  portalName: (id: string) => string | null | undefined = () => null): Promise<number> {
  const tz = cfg.timezone;
  const lang = langOf(cfg.country);
  const w = W[lang];
  const [start, end] = dayBounds(now, tz);
  const [yStart] = dayBounds(start - 3600_000, tz);
  const day = localDate(now, tz);
  const line = (l: DigestLead) => `${l.name ?? '-'} · ${l.project ?? '-'} · ${formatDate(l.at, lang, tz)}${leadUrl(cfg.admin.publicUrl, l.id) && l.id ? ` · ${leadUrl(cfg.admin.publicUrl, l.id)}` : ''}`;
  let queued = 0;
  const put = async (recipient: string, subject: string, body: { text: string; html: string }) => {
    if (await out.enqueue({ key: `digest:${day}:${recipient.toLowerCase()}`, kind: 'digest', recipient, subject, ...body, createdAt: now }, now, 0)) queued++; // due at once
  };
  for (const v of await q.vendorsWithEmail()) {
    const due = await q.followUpsDue(v.id, start, end);
    const turning = await q.waitingByDeadline(v.id, start, end);
    const overdue = await q.waitingByDeadline(v.id, 0, start);
    if (!due.length && !turning.length && !overdue.length) continue; // nothing due: no email
    await put(v.email, w.subject(formatDate(now, lang, tz, false)), sections([[w.due, due.map(line)], [w.turning, turning.map(line)], [w.overdue, overdue.map(line)]], lang));
  }
  const managers = new Map<string, number[]>();
  const vendorNames = new Map(cfg.projects.flatMap((p) => p.vendors.map((v) => [v.id, v.name] as const)));
  for (const p of cfg.projects) {
    const id = projectIds(p.name);
    for (const m of p.notify) managers.set(m.toLowerCase(), [...(managers.get(m.toLowerCase()) ?? []), ...(id !== null ? [id] : [])]);
  }
  for (const [m, ids] of managers) {
    const byQ = await q.countsBy('quality', ids, yStart, start);
    const late = await q.notContacted(ids, now);
    const byPortal = await q.countsBy('parser', ids, yStart, start);
    const byVendor = await q.countsBy('owner_vendor_id', ids, yStart, start);
    if (!byQ.length && !late.length) continue;
    const fmt = (rows: { key: string | null; n: number }[], none = '-') => rows.map((r) => `${r.key ?? none}: ${r.n}`);
    await put(m, w.mgrSubject(formatDate(yStart, lang, tz, false)), sections([
      // People read names: a quality's word, a portal's declared name ("Sin portal" for none), never an id.
      [w.byQuality, fmt(byQ.map((r) => ({ ...r, key: r.key === null ? null : qualityName(r.key, lang) })))],
      [w.byPortal, fmt(byPortal.map((r) => ({ ...r, key: portalDisplayName(r.key, portalName, lang) })))], [w.byVendor, fmt(byVendor.map((r) => ({ ...r, key: r.key === null ? null : (vendorNames.get(r.key) ?? r.key) })), w.unassigned)],
      [w.notContacted, late.map((l) => `${line(l)} · ${l.vendor ?? w.unassigned}`)],
    ], lang));
  }
  return queued;
}

/** Schedules the digest with node-cron in the company's time zone; returns the task (stop, next run). */
export function scheduleDigest(cfg: () => Config, run: (now: number) => Promise<number>, log: Logger) {
  const c = cfg();
  return cron.schedule(c.notifications.digestCron, () => {
    run(Date.now()).then(
      (n) => log.info({ queued: n }, 'daily digest queued'),
      (e) => log.error({ err: (e as Error).message }, 'daily digest failed'),
    );
  }, { name: 'digest', timezone: c.timezone, unref: true });
}
