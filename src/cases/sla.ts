// The business-hours clock of the cases' SLA: working days and hours in the company's time zone,
// national holidays from the country module, and the time a case waited on its client left out.
// Pure: instants in, instants or minutes out (luxon does the zone and DST arithmetic).
import { DateTime } from 'luxon';

/** A working window of a day, in minutes after local midnight: [start, end). */
export interface Window {
  start: number;
  end: number;
}

export interface WorkCalendar {
  /** IANA zone the hours are read in ('America/Santiago'). */
  timeZone: string;
  /** ISO weekdays worked: 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** The day's working windows, in order, not overlapping ('09:00-13:00', '14:00-18:00' as minutes). */
  windows: readonly Window[];
  /** ISO dates (YYYY-MM-DD) not worked in a year: the country's holidays plus the company's own. */
  holidays(year: number): readonly string[];
}

const MINUTE = 60_000;
/** How far a clock looks for working time before giving up (a calendar with no working day). */
const MAX_DAYS = 3 * 366;

/** '09:00-18:00' -> {start: 540, end: 1080}; throws on a malformed or empty window. */
export function parseWindow(text: string): Window {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" no es un horario HH:MM-HH:MM`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (end <= start || end > 24 * 60) throw new Error(`"${text}": el horario termina antes de empezar`);
  return { start, end };
}

/** Windows sorted and checked not to overlap. */
export function parseWindows(texts: readonly string[]): Window[] {
  const ws = texts.map(parseWindow).sort((a, b) => a.start - b.start);
  for (let i = 1; i < ws.length; i++) {
    if (ws[i].start < ws[i - 1].end) throw new Error(`los horarios de atención se superponen: ${texts.join(', ')}`);
  }
  return ws;
}

export interface CalendarInput {
  timeZone: string;
  days?: readonly number[];
  hours?: readonly string[];
  /** The country's holidays by year (a country module's `holidays`). */
  holidays?: (year: number) => readonly string[];
  /** The company's own days off (ISO dates), on top of the country's. */
  extraHolidays?: readonly string[];
}

/** A calendar from config-like input; Monday to Friday, 09:00 to 18:00 unless told otherwise. */
export function workCalendar(input: CalendarInput): WorkCalendar {
  if (!DateTime.local().setZone(input.timeZone).isValid) throw new Error(`zona horaria desconocida "${input.timeZone}"`);
  const days = [...new Set(input.days ?? [1, 2, 3, 4, 5])].sort();
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new Error('los días hábiles van de 1 (lunes) a 7 (domingo)');
  const windows = parseWindows(input.hours ?? ['09:00-18:00']);
  const extra = input.extraHolidays ?? [];
  const byYear = new Map<number, readonly string[]>();
  return {
    timeZone: input.timeZone,
    days,
    windows,
    holidays(year) {
      let list = byYear.get(year);
      if (!list) {
        list = [...(input.holidays?.(year) ?? []), ...extra.filter((d) => d.startsWith(`${year}-`))];
        byYear.set(year, list);
      }
      return list;
    },
  };
}

const holidaySets = new WeakMap<WorkCalendar, Map<number, ReadonlySet<string>>>();

/** Whether the local day is worked: a working weekday and not a holiday. */
export function isWorkingDay(cal: WorkCalendar, day: DateTime): boolean {
  if (!cal.days.includes(day.weekday)) return false;
  let byYear = holidaySets.get(cal);
  if (!byYear) holidaySets.set(cal, (byYear = new Map()));
  let set = byYear.get(day.year);
  if (!set) byYear.set(day.year, (set = new Set(cal.holidays(day.year))));
  return !set.has(day.toISODate() ?? '');
}

const at = (day: DateTime, minute: number) => day.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();

/** The working intervals of one local day as epoch milliseconds (empty on a day off). */
function dayIntervals(cal: WorkCalendar, day: DateTime): [number, number][] {
  if (!isWorkingDay(cal, day)) return [];
  const out: [number, number][] = [];
  for (const w of cal.windows) {
    // A window's ends are read on the local clock (set, not plus: a day that starts at 01:00 after a
    // DST change at midnight still works from 09:00).
    const a = at(day, w.start);
    const b = w.end === 24 * 60 ? day.plus({ days: 1 }).startOf('day').toMillis() : at(day, w.end);
    if (b > a) out.push([a, b]);
  }
  return out;
}

interface DayInfo {
  intervals: [number, number][];
  /** The next local day's start. */
  next: number;
}

/**
 * Days already worked out, by their local start (and those starts sorted): the zone and calendar
 * arithmetic runs once per day, after which walking a case's clock, or finding the day an instant
 * falls in, is a lookup (statistics read thousands of cases).
 */
interface DayCache {
  info: Map<number, DayInfo>;
  starts: number[];
}
const days = new WeakMap<WorkCalendar, DayCache>();
const MAX_CACHED_DAYS = 40_000;

function cacheOf(cal: WorkCalendar): DayCache {
  let cache = days.get(cal);
  if (!cache) days.set(cal, (cache = { info: new Map(), starts: [] }));
  return cache;
}

/** Index of the last cached start at or before `t` (-1 when none). */
function startBefore(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function dayAt(cal: WorkCalendar, dayStart: number): DayInfo {
  const cache = cacheOf(cal);
  let info = cache.info.get(dayStart);
  if (!info) {
    const day = DateTime.fromMillis(dayStart, { zone: cal.timeZone });
    info = { intervals: dayIntervals(cal, day), next: day.plus({ days: 1 }).startOf('day').toMillis() };
    if (cache.info.size >= MAX_CACHED_DAYS) {
      cache.info.clear();
      cache.starts.length = 0;
    }
    cache.info.set(dayStart, info);
    cache.starts.splice(startBefore(cache.starts, dayStart) + 1, 0, dayStart);
  }
  return info;
}

/** The local start of the day holding an instant. */
function dayStartOf(cal: WorkCalendar, t: number): number {
  const cache = cacheOf(cal);
  const i = startBefore(cache.starts, t);
  if (i >= 0) {
    const start = cache.starts[i];
    if (t < (cache.info.get(start) as DayInfo).next) return start;
  }
  return DateTime.fromMillis(t, { zone: cal.timeZone }).startOf('day').toMillis();
}

/** The instant `minutes` business minutes after `from` (fractions allowed; 0 is `from` itself). */
export function addBusinessMinutes(cal: WorkCalendar, from: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`business minutes must be a non-negative number, not ${minutes}`);
  let left = minutes * MINUTE;
  const start = from.getTime();
  if (left === 0) return new Date(start);
  let day = dayStartOf(cal, start);
  for (let i = 0; i < MAX_DAYS + minutes / 60; i++) {
    const info = dayAt(cal, day);
    for (const [a, b] of info.intervals) {
      const s = Math.max(a, start);
      if (s >= b) continue;
      if (b - s >= left) return new Date(s + left);
      left -= b - s;
    }
    day = info.next;
  }
  throw new Error('the working calendar has no working time');
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(cal: WorkCalendar, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (!(end > start)) return 0;
  let total = 0;
  for (let day = dayStartOf(cal, start); day < end; ) {
    const info = dayAt(cal, day);
    for (const [a, b] of info.intervals) {
      const s = Math.max(a, start);
      const e = Math.min(b, end);
      if (e > s) total += e - s;
    }
    day = info.next;
  }
  return total / MINUTE;
}

/** Whether an instant falls inside working time. */
export function isBusinessTime(cal: WorkCalendar, at: Date): boolean {
  const t = at.getTime();
  return dayAt(cal, dayStartOf(cal, t)).intervals.some(([a, b]) => t >= a && t < b);
}

/** What the clock needs of a case: when it started, the time it already waited on the client, and whether it waits now. */
export interface CaseClock {
  createdAt: Date;
  /** Business minutes already spent waiting on the client (closed pauses). */
  pausedMinutes: number;
  /** Since when the case waits on the client (en_espera), or null. */
  waitingSince: Date | null;
}

/** Business minutes the case has counted against its SLA at `now` (waiting on the client excluded). */
export function elapsedBusinessMinutes(cal: WorkCalendar, clock: CaseClock, now: Date): number {
  const until = clock.waitingSince && clock.waitingSince < now ? clock.waitingSince : now;
  return Math.max(0, businessMinutesBetween(cal, clock.createdAt, until) - clock.pausedMinutes);
}

/** The pause a case closes when it stops waiting: business minutes from `waitingSince` to `now`. */
export function pauseMinutes(cal: WorkCalendar, waitingSince: Date, now: Date): number {
  return businessMinutesBetween(cal, waitingSince, now);
}

/**
 * When a target of `targetMinutes` business minutes falls due. Not waiting: the instant itself
 * (the closed pauses push it later). Waiting: null, the clock is stopped; `remaining` says what is left.
 */
export function dueAt(cal: WorkCalendar, clock: CaseClock, targetMinutes: number): Date | null {
  if (clock.waitingSince) return null;
  return addBusinessMinutes(cal, clock.createdAt, targetMinutes + clock.pausedMinutes);
}

/** Business minutes left before a target falls due (negative once breached). */
export function remainingMinutes(cal: WorkCalendar, clock: CaseClock, targetMinutes: number, now: Date): number {
  return targetMinutes - elapsedBusinessMinutes(cal, clock, now);
}
