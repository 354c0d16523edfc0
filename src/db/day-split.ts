import { DAY_MS } from '../vocabulary.ts';
import type { LeadFilter } from './lead-filter.ts';

/** The latest time a JavaScript date can hold: an open-ended range ends here. */
const END_OF_TIME = 8.64e15;

/**
 * A date range read as whole UTC days (the daily counters: `firstDay` ≤ day < `endDay`) and the
 * partial days at each end (`ends`, scanned); null when it holds no whole day. Both adapters and
 * both read models (stats, funnel) split alike.
 */
export function splitByDays(f: LeadFilter): { firstDay: number; endDay: number; ends: LeadFilter[] } | null {
  const from = f.from ?? 0;
  const to = Math.min(f.to ?? END_OF_TIME, END_OF_TIME);
  const firstDay = Math.ceil(from / DAY_MS);
  const endDay = Math.floor(to / DAY_MS);
  if (endDay <= firstDay) return null;
  const ends: LeadFilter[] = [];
  if (from < firstDay * DAY_MS) ends.push({ ...f, from, to: firstDay * DAY_MS });
  if (endDay * DAY_MS < to) ends.push({ ...f, from: endDay * DAY_MS, to: f.to });
  return { firstDay, endDay, ends };
}

/** The funnel's coarse counters (lead_funnel_16d, interaction_funnel_16d) hold this many days a row. */
export const BUCKET_DAYS = 16;

/** A counter table's range: `table` read on `column` (day or bucket) from `first` to before `end`. */
export interface CounterRange { table: 'daily' | 'bucket'; first: number; end: number }

/**
 * Whole days [firstDay, endDay) as whole 16-day buckets and the odd days at each end, so a period
 * reads few rows: 90 days are at most 4 buckets and 30 days instead of 90.
 */
export function splitByBuckets(firstDay: number, endDay: number): CounterRange[] {
  const firstBucket = Math.ceil(firstDay / BUCKET_DAYS);
  const endBucket = Math.floor(endDay / BUCKET_DAYS);
  if (endBucket <= firstBucket) return [{ table: 'daily', first: firstDay, end: endDay }];
  const ranges: CounterRange[] = [{ table: 'bucket', first: firstBucket, end: endBucket }];
  if (firstDay < firstBucket * BUCKET_DAYS) ranges.push({ table: 'daily', first: firstDay, end: firstBucket * BUCKET_DAYS });
  if (endBucket * BUCKET_DAYS < endDay) ranges.push({ table: 'daily', first: endBucket * BUCKET_DAYS, end: endDay });
  return ranges;
}

/** Groups with the same key counted once (a whole-days part and its scanned ends). */
export function mergeCounts<G extends { n: number }>(groups: G[], key: (g: G) => string): G[] {
  const merged = new Map<string, G>();
  for (const g of groups) {
    const seen = merged.get(key(g));
    if (seen) seen.n += g.n;
    else merged.set(key(g), { ...g });
  }
  return [...merged.values()];
}

/**
 * Daily counters know a lead's (or a quote's) state, not whether it is overdue: the por_contactar
 * ones still in time (`inTime`, few) are counted apart, every other por_contactar one is overdue.
 * `state` reads the follow-up state of a group (a lead group's `state` unless told).
 */
export function splitOverdue<G extends { n: number }>(
  rows: G[],
  inTime: (g: G) => number,
  state: (g: G) => string | null = (g) => (g as { state?: string | null }).state ?? null,
): (G & { overdue: number })[] {
  const out: (G & { overdue: number })[] = [];
  for (const r of rows) {
    if (state(r) !== 'por_contactar') {
      out.push({ ...r, overdue: 0 });
      continue;
    }
    const n = inTime(r);
    if (n > 0) out.push({ ...r, overdue: 0, n });
    if (r.n - n > 0) out.push({ ...r, overdue: 1, n: r.n - n });
  }
  return out;
}
