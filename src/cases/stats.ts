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

export function caseStats(cfg: CasesConfig, timeZone: string, rows: readonly StatsCase[], now: number): CaseStats {
  const byCategory = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const byProject = new Map<string | null, number>();
  const groups = { person: new Map<string | null, { first: Measure[]; resolution: Measure[] }>(), month: new Map<string | null, { first: Measure[]; resolution: Measure[] }>() };
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
    for (const [map, key] of [[groups.person, r.responsibleName], [groups.month, month]] as const) {
      const g = map.get(key) ?? { first: [], resolution: [] };
      g.first.push(first);
      g.resolution.push(resolution);
      map.set(key, g);
    }
    if (r.satisfactionScore !== null) scores.push(r.satisfactionScore);
  }
  const grouped = (m: Map<string | null, { first: Measure[]; resolution: Measure[] }>) =>
    [...m].map(([key, g]) => ({ key, cases: g.first.length, firstResponse: timeStats(g.first), resolution: timeStats(g.resolution) }));
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const s of scores) distribution[String(s) as keyof typeof distribution]++;
  return {
    total: rows.length,
    byCategory: Object.fromEntries(byCategory),
    byStatus: Object.fromEntries(byStatus),
    byProject: [...byProject].map(([project, n]) => ({ project, n })).sort((a, b) => b.n - a.n || String(a.project).localeCompare(String(b.project))),
    // People by name (nobody responsible last), months in order.
    byPerson: grouped(groups.person).sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.key.localeCompare(b.key))),
    byMonth: grouped(groups.month).sort((a, b) => String(a.key).localeCompare(String(b.key))),
    satisfaction: { answers: scores.length, average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null, distribution },
  };
}
