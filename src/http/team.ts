// How the team is doing, for the Embudo's charts: leads per week by portal and by quality, speed to
// first contact per vendor and per team, overdue follow-ups per vendor. Scoped in SQL to the caller.
import { z } from 'zod';
import type { Scope } from '../auth/scope.ts';
import { DAY_MS } from '../vocabulary.ts';
import { filterFrom, iso } from './leads.ts';
import { filterShape, type FilterQuery } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';
import type { ContactSpeedRow, WeekRow } from '../db/people-reads.ts';

export const teamQuery = z.strictObject(filterShape);

/** Without a "Desde", the pictures cover the last twelve weeks. */
export const DEFAULT_WEEKS = 12;

/** The caller's vendors ∩ a team's: what that team's row may count. */
function teamScope(scope: Scope, team: string[]): Scope {
  return { vendorIds: scope.vendorIds === null ? team : team.filter((v) => scope.vendorIds!.includes(v)), projectIds: scope.projectIds };
}

const speed = (r: ContactSpeedRow) => ({
  leads: r.leads,
  contacted: r.contacted,
  within1h: r.within1h,
  within24h: r.within24h,
  share1h: r.leads ? r.within1h / r.leads : null,
  share24h: r.leads ? r.within24h / r.leads : null,
  p50Minutes: r.p50Ms === null ? null : Math.round(r.p50Ms / 60_000),
});

/** Week rows merged by (week, key), oldest week first, weeks as ISO dates of their Monday. */
function weeks(rows: WeekRow[]): { week: string; key: string | null; n: number }[] {
  const merged = new Map<string, WeekRow>();
  for (const r of rows) {
    const k = `${r.week}|${r.key}`;
    const seen = merged.get(k);
    if (seen) seen.n += r.n;
    else merged.set(k, { ...r });
  }
  return [...merged.values()].sort((a, b) => a.week - b.week || String(a.key).localeCompare(String(b.key)))
    .map((r) => ({ week: new Date(r.week * DAY_MS).toISOString().slice(0, 10), key: r.key, n: r.n }));
}

/** GET /api/team: the team's pictures for the Embudo's filters (period: the filter's, else the last 12 weeks). */
export async function team(ctx: RequestContext<FilterQuery>) {
  const { app, vendors, users } = ctx.services;
  const caller = callerOf(ctx);
  const base = await filterFrom(ctx);
  const from = base.from ?? Math.floor((ctx.now - DEFAULT_WEEKS * 7 * DAY_MS) / DAY_MS) * DAY_MS;
  const filter = { ...base, from };
  const reads = app.reads.team;
  const names = await vendors.names();
  const [byPortal, byQuality, perVendor, overall, overdue] = await Promise.all([
    reads.weekly(filter, 'parser', ctx.now), reads.weekly(filter, 'quality', ctx.now),
    reads.contactSpeed(filter, ctx.now, false), reads.contactSpeed(filter, ctx.now, true), reads.overdueFollowUps(base.scope, ctx.now),
  ]);
  // Teams are supervisors' lists: a supervisor sees their own, a vendor none, managers every team within their scope.
  const supervisors = caller.role === 'vendedor' ? [] : (await users.list()).filter((u) => u.role === 'supervisor' && u.team.length && (caller.role !== 'supervisor' || u.id === caller.userId));
  const teams = [];
  for (const s of supervisors) {
    const scope = teamScope(base.scope, s.team);
    if (!scope.vendorIds?.length) continue;
    const [row] = await reads.contactSpeed({ ...filter, scope }, ctx.now, true);
    if (row) teams.push({ name: s.name, vendors: scope.vendorIds.length, ...speed(row) });
  }
  return {
    json: {
      period: { from: iso(from), to: iso(filter.to) },
      weeklyByPortal: weeks(byPortal),
      weeklyByQuality: weeks(byQuality),
      contactSpeed: {
        all: overall[0] ? speed(overall[0]) : null,
        vendors: perVendor.map((r) => ({ vendorId: r.vendor, name: names.get(r.vendor ?? '') ?? r.vendor, ...speed(r) })),
        teams,
      },
      overdueFollowUps: overdue.map((r) => ({ vendorId: r.vendor, name: r.vendor ? (names.get(r.vendor) ?? r.vendor) : null, n: r.n })),
    },
  };
}
