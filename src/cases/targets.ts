// A case's SLA as the desk shows it: when the first answer and the resolution fall due in business
// hours, whether either is breached, and whether the clock is stopped waiting on the client.
import { countryModule, type Country } from '../countries/index.ts';
import { targetOf, type CasesConfig } from './config.ts';
import { addBusinessMinutes, businessMinutesBetween, dueAt, elapsedBusinessMinutes, workCalendar, type WorkCalendar } from './sla.ts';

const calendars = new WeakMap<CasesConfig, Map<string, WorkCalendar>>();

/** The company calendar in a country (its holidays) and zone; one per config, country and zone. */
export function calendarFor(cfg: CasesConfig, country: Country, timeZone: string): WorkCalendar {
  let byKey = calendars.get(cfg);
  if (!byKey) calendars.set(cfg, (byKey = new Map()));
  const key = `${country}:${timeZone}`;
  let cal = byKey.get(key);
  if (!cal) {
    const m = countryModule(country);
    cal = workCalendar({ timeZone, days: cfg.calendar.days, hours: cfg.calendar.hours, holidays: (y) => m.holidays(y), extraHolidays: cfg.calendar.holidays });
    byKey.set(key, cal);
  }
  return cal;
}

/** What the clock reads of a case (epoch ms). */
export interface CaseTimesInput {
  category: string;
  createdAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  /** Business minutes already spent waiting on the client. */
  pausedMinutes: number;
  waitingSince: number | null;
}

export interface CaseSla {
  firstResponseDueAt: number;
  /** Null while the case waits on the client (the clock is stopped). */
  resolutionDueAt: number | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  paused: boolean;
  /** Business minutes to the first answer (measured when given; so far otherwise). */
  firstResponseMinutes: number;
  /** Business minutes counted towards resolution, waiting on the client left out. */
  resolutionMinutes: number;
  targets: { firstResponseMinutes: number; resolutionMinutes: number };
}

/**
 * The first answer's clock runs from arrival to the first reply and never pauses (waiting on the
 * client presupposes we asked something); the resolution's pauses while en_espera.
 */
export function caseSla(cfg: CasesConfig, cal: WorkCalendar, c: CaseTimesInput, now: number): CaseSla {
  const t = targetOf(cfg, c.category);
  const first = t.firstResponseHours * 60;
  const resolution = t.resolutionHours * 60;
  const created = new Date(c.createdAt);
  const firstMinutes = businessMinutesBetween(cal, created, new Date(c.firstResponseAt ?? now));
  const clock = { createdAt: created, pausedMinutes: c.pausedMinutes, waitingSince: c.waitingSince === null ? null : new Date(c.waitingSince) };
  const resolutionMinutes = elapsedBusinessMinutes(cal, clock, new Date(c.resolvedAt ?? now));
  const due = c.resolvedAt === null ? dueAt(cal, clock, resolution) : dueAt(cal, { ...clock, waitingSince: null }, resolution);
  return {
    firstResponseDueAt: addBusinessMinutes(cal, created, first).getTime(),
    resolutionDueAt: due?.getTime() ?? null,
    firstResponseBreached: firstMinutes > first,
    resolutionBreached: resolutionMinutes > resolution,
    paused: c.resolvedAt === null && c.waitingSince !== null,
    firstResponseMinutes: Math.round(firstMinutes),
    resolutionMinutes: Math.round(resolutionMinutes),
    targets: { firstResponseMinutes: first, resolutionMinutes: resolution },
  };
}

/** The due times a new case is stored with (no answer yet, no pause). */
export function initialDueTimes(cfg: CasesConfig, cal: WorkCalendar, category: string, createdAt: number): { firstResponseDueAt: number; resolutionDueAt: number } {
  const t = targetOf(cfg, category);
  const created = new Date(createdAt);
  return {
    firstResponseDueAt: addBusinessMinutes(cal, created, t.firstResponseHours * 60).getTime(),
    resolutionDueAt: addBusinessMinutes(cal, created, t.resolutionHours * 60).getTime(),
  };
}
