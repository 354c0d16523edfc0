import { io } from '../db/port.ts';
import { z } from 'zod';
import { langOf } from '../outbox/templates.ts';
import { leadStatus } from '../leads/status.ts';
import { contactLinks } from '../leads/contact-links.ts';
import { iso, portalNames } from './leads.ts';
import { zonedMidnight } from './params.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';
import type { CardRow } from '../db/lead-reads.ts';
import { dateFormat } from '../time-zone.ts';

const CARD_LIMIT = 300;

/** Today's end in the company's time zone: follow-ups due before it are "for today". */
function endOfToday(now: number, timeZone: string): number {
  const parts = dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return zonedMidnight(get('year'), get('month'), get('day') + 1, timeZone);
}

async function cardMaker(s: Services, now: number) {
  const cfg = s.app.config;
  const lang = langOf(cfg.country);
  const vendorNames = await s.vendors.names();
  const portals = portalNames(s);
  const greetings = new Map(cfg.projects.filter((p) => p.whatsappGreeting).map((p) => [p.name, p.whatsappGreeting!]));
  return (r: CardRow) => {
    const vendor = r.owner ? (vendorNames.get(r.owner) ?? r.owner) : null;
    const project = r.project ?? r.projectText;
    return {
      id: r.id,
      clientId: r.clientId,
      name: r.name,
      phone: r.phone,
      email: r.email,
      project,
      portal: r.parser ? (portals.get(r.parser) ?? r.parser) : lang === 'pt' ? 'Formulário' : 'Formulario',
      owner: r.owner,
      ownerName: vendor,
      contactType: r.contactType,
      receivedAt: iso(r.receivedAt),
      deadlineAt: iso(r.deadlineAt),
      overdue: leadStatus('por_contactar', r.deadlineAt, now) === 'no_contactado',
      links: contactLinks({ name: r.name, phone: r.phone, email: r.email, project }, vendor, { lang, greeting: r.project ? greetings.get(r.project) : undefined }),
    };
  };
}

export const dayQuery = z.strictObject({ visit: z.enum(['1']).optional() });

/**
 * "Mis pendientes": leads waiting for a first contact by deadline (overdue first), follow-ups due
 * today, and how many arrived since the last visit. A vendor sees their own; others, their scope.
 */
export async function myDay(ctx: RequestContext<z.output<typeof dayQuery>>) {
  const c = callerOf(ctx);
  const { day, users, app } = ctx.services;
  const now = ctx.now;
  const userId = c.userId;
  const lastVisitAt = userId === null ? null : ctx.query.visit ? await app.store.unitOfWork((tx) => io(tx.recordVisit(userId, now))) : (await users.prefs(userId)).lastVisitAt;
  const card = await cardMaker(ctx.services, now);
  const pending = (await day.pending(c.scope, CARD_LIMIT)).map(card);
  const due = (await day.due(c.scope, endOfToday(now, app.config.timezone), CARD_LIMIT)).map((r) => ({ ...card(r), followUpId: r.followUpId, dueAt: iso(r.dueAt), expectation: r.expectation }));
  const arrivals = await day.arrivals(c.scope, lastVisitAt ?? now, 0);
  const vendor = c.vendorId ? ((await ctx.services.vendors.get(c.vendorId)) ?? null) : null;
  return {
    json: {
      vendor: vendor ? { id: vendor.id, name: vendor.name } : null,
      followUpDays: app.config.followUpDays,
      lastVisitAt: iso(lastVisitAt),
      newSinceLastVisit: lastVisitAt === null ? 0 : arrivals.since,
      latestLeadId: arrivals.latestId,
      overdue: pending.filter((p) => p.overdue).length,
      pending,
      due,
    },
  };
}

export const arrivalsQuery = z.strictObject({ after: z.string().regex(/^\d{1,15}$/, 'debe ser un id de lead').transform(Number) });

/** Cheap poll for the page: the newest lead id in scope and how many arrived after `after`. */
export async function arrivals(ctx: RequestContext<z.output<typeof arrivalsQuery>>) {
  const r = await ctx.services.day.arrivals(callerOf(ctx).scope, ctx.now, ctx.query.after);
  return { json: { latestLeadId: r.latestId, newLeads: r.after } };
}

export const prefsBody = z.strictObject({
  columns: z.array(z.string().regex(/^[a-zA-Z]{1,30}$/)).max(30).optional(),
});

export async function getPrefs(ctx: RequestContext) {
  const c = callerOf(ctx);
  return { json: c.userId === null ? {} : (await ctx.services.users.prefs(c.userId)).prefs };
}

/** The person's table settings (column chooser), kept per user. */
export async function setPrefs(ctx: RequestContext<unknown, z.output<typeof prefsBody>>) {
  const userId = callerOf(ctx).userId;
  if (userId === null) return { json: { ok: true, stored: false } };
  const merged = { ...(await ctx.services.users.prefs(userId)).prefs, ...ctx.body };
  await ctx.services.app.store.unitOfWork((tx) => io(tx.setPrefs(userId, merged, ctx.now)));
  return { json: { ok: true, stored: true, prefs: merged } };
}
