// The desk's statistics from the cases of a filter: counts by category, project and status;
// first-response and resolution times in business minutes (p50/p90) and SLA compliance by person
// and by month; satisfaction. Pure: rows and the clock in, numbers out.
import type { Country } from '../countries/index.ts';
import type { CasesConfig } from './config.ts';
import { calendarFor, caseSla, type CaseTimesInput } from './targets.ts';

export interface StatsCase extends CaseTimesInput {
  status: string;
  project: string | null;
  country: string;
  responsibleUserId: number | null;
  responsibleName: string | null;
  satisfactionScore: number | null;
}

export interface TimeStats {
  /** Cases whose clock stopped (answered / resolved): the percentiles are over them. */
  measured: number;
  p50Minutes: number | null;
  p90Minutes: number | null;
  /** Of the cases decided (stopped, or still running and already late), the share within target. */
  decided: number;
  withinTarget: number;
  compliance: number | null;
}

export interface GroupStats {
  key: string | null;
  /** The person's user id (byPerson): two people of the same name are two groups. */
  userId?: number | null;
  cases: number;
  firstResponse: TimeStats;
  resolution: TimeStats;
}

export interface CaseStats {
  total: number;
  byCategory: Record<string, number>;
  byStatus: Record<string, number>;
  byProject: { project: string | null; n: number }[];
  byPerson: GroupStats[];
  byMonth: GroupStats[];
  satisfaction: { answers: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Measure {
  /** Business minutes when the clock stopped; null while it runs. */
  stopped: number | null;
  breached: boolean;
}

function timeStats(ms: Measure[]): TimeStats {
  const done = ms.filter((m) => m.stopped !== null).map((m) => m.stopped as number).sort((a, b) => a - b);
  const decided = ms.filter((m) => m.stopped !== null || m.breached);
  const within = decided.filter((m) => !m.breached).length;
  return {
    measured: done.length,
    p50Minutes: percentile(done, 50),
    p90Minutes: percentile(done, 90),
    decided: decided.length,
    withinTarget: within,
    compliance: decided.length ? within / decided.length : null,
  };
}

const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
type Group = { first: Measure[]; resolution: Measure[] };
/** The group of `key`, made on first use. */
function at<K>(m: Map<K, Group>, key: K): Group {
  let g = m.get(key);
  if (!g) m.set(key, (g = { first: [], resolution: [] }));
  return g;
}

export function caseStats(cfg: CasesConfig, timeZone: string, rows: readonly StatsCase[], now: number): CaseStats {
  const byCategory = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const byProject = new Map<string | null, number>();
  const groups = { person: new Map<number | null, Group>(), month: new Map<string | null, Group>() };
  const names = new Map<number | null, string | null>();
  const scores: number[] = [];
  // One formatter for every row ('2025-03' in the company's zone); a luxon object per row costs more than the clock.
  const months = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
  const monthOf = (ms: number) => months.format(ms).slice(0, 7);
  for (const r of rows) {
    count(byCategory, r.category);
    count(byStatus, r.status);
    byProject.set(r.project, (byProject.get(r.project) ?? 0) + 1);
    const sla = caseSla(cfg, calendarFor(cfg, r.country as Country, timeZone), r, now);
    const first: Measure = { stopped: r.firstResponseAt === null ? null : sla.firstResponseMinutes, breached: sla.firstResponseBreached };
    const resolution: Measure = { stopped: r.resolvedAt === null ? null : sla.resolutionMinutes, breached: sla.resolutionBreached };
    const month = monthOf(r.createdAt);
    if (r.responsibleUserId !== null) names.set(r.responsibleUserId, r.responsibleName);
    for (const g of [at(groups.person, r.responsibleUserId), at(groups.month, month)]) {
      g.first.push(first);
      g.resolution.push(resolution);
    }
    if (r.satisfactionScore !== null) scores.push(r.satisfactionScore);
  }
  const grouped = <K>(m: Map<K, Group>, keyOf: (k: K) => Pick<GroupStats, 'key' | 'userId'>) =>
    [...m].map(([k, g]) => ({ ...keyOf(k), cases: g.first.length, firstResponse: timeStats(g.first), resolution: timeStats(g.resolution) }));
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const s of scores) distribution[String(s) as keyof typeof distribution]++;
  return {
    total: rows.length,
    byCategory: Object.fromEntries(byCategory),
    byStatus: Object.fromEntries(byStatus),
    byProject: [...byProject].map(([project, n]) => ({ project, n })).sort((a, b) => b.n - a.n || String(a.project).localeCompare(String(b.project))),
    // People by name, one group per person (nobody responsible last), months in order.
    byPerson: grouped(groups.person, (userId) => ({ key: names.get(userId) ?? null, userId })).sort((a, b) => (a.userId === null ? 1 : b.userId === null ? -1 : String(a.key).localeCompare(String(b.key)) || Number(a.userId) - Number(b.userId))),
    byMonth: grouped(groups.month, (key) => ({ key })).sort((a, b) => String(a.key).localeCompare(String(b.key))),
    satisfaction: { answers: scores.length, average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null, distribution },
  };
}
