import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { COUNTRY_MODULES, countryModule } from '../src/countries/index.ts';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  dueAt,
  elapsedBusinessMinutes,
  isBusinessTime,
  isWorkingDay,
  parseWindows,
  remainingMinutes,
  workCalendar,
} from '../src/cases/sla.ts';

const ZONE = 'America/Santiago';
const chile = workCalendar({ timeZone: ZONE, holidays: countryModule('CL').holidays });
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const show = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");

/** Meeus/Jones/Butcher: Easter Sunday of a Gregorian year, to check the Easter-based holidays independently. */
function easter(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

describe('national holidays', () => {
  it('every country lists New Year, Labour Day and Christmas, sorted ISO dates', () => {
    for (const m of COUNTRY_MODULES) {
      for (const year of [2024, 2025, 2026]) {
        const days = m.holidays(year);
        expect(days, m.code).toEqual([...days].sort());
        for (const d of days) expect(d, m.code).toMatch(new RegExp(`^${year}-\\d{2}-\\d{2}$`));
        expect(days, m.code).toEqual(expect.arrayContaining([`${year}-01-01`, `${year}-05-01`, `${year}-12-25`]));
      }
    }
  });

  it('Good Friday follows Easter where it is a national holiday (all but Mexico)', () => {
    for (const year of [2024, 2025, 2026, 2027, 2030]) {
      const goodFriday = easter(year).minus({ days: 2 }).toISODate();
      for (const m of COUNTRY_MODULES) {
        if (m.code === 'MX') expect(m.holidays(year)).not.toContain(goodFriday);
        else expect(m.holidays(year), `${m.code} ${year}`).toContain(goodFriday);
      }
    }
  });

  it('Carnival Monday and Tuesday in Argentina, Brazil and Ecuador; Corpus Christi in Brazil', () => {
    for (const year of [2025, 2026]) {
      const e = easter(year);
      const carnival = [e.minus({ days: 48 }).toISODate(), e.minus({ days: 47 }).toISODate()];
      for (const code of ['AR', 'BR', 'EC'] as const) expect(countryModule(code).holidays(year)).toEqual(expect.arrayContaining(carnival));
      expect(countryModule('BR').holidays(year)).toContain(e.plus({ days: 60 }).toISODate());
      expect(countryModule('CL').holidays(year)).not.toContain(carnival[0]);
    }
  });

  it("Chile's fixed and moved days: Fiestas Patrias, the 2024 extra day, San Pedro y San Pablo moved to Monday 2023-06-26", () => {
    expect(countryModule('CL').holidays(2024)).toEqual(expect.arrayContaining(['2024-09-18', '2024-09-19', '2024-09-20']));
    expect(countryModule('CL').holidays(2023)).toContain('2023-06-26');
    expect(countryModule('CL').holidays(2023)).not.toContain('2023-06-29');
  });

  it("Colombia's Ley Emiliani moves Reyes Magos to Monday (2025-01-06 is one; 2026's is the 12th)", () => {
    expect(countryModule('CO').holidays(2026)).toContain('2026-01-12');
    expect(countryModule('CO').holidays(2026)).not.toContain('2026-01-06');
  });
});

describe('business-hours clock', () => {
  it('adds within a day, over the night, over a weekend and over a holiday', () => {
    expect(show(addBusinessMinutes(chile, local('2025-03-03T10:00'), 60))).toBe('2025-03-03T11:00');
    // 17:30 Monday + 60 min: 30 today, 30 from 09:00 tomorrow.
    expect(show(addBusinessMinutes(chile, local('2025-03-03T17:30'), 60))).toBe('2025-03-04T09:30');
    // Friday 17:00 + 2 h: Monday 10:00.
    expect(show(addBusinessMinutes(chile, local('2025-03-07T17:00'), 120))).toBe('2025-03-10T10:00');
    // Thursday 2025-04-17 17:00 + 2 h: Good Friday and the weekend skipped, Monday 10:00.
    expect(show(addBusinessMinutes(chile, local('2025-04-17T17:00'), 120))).toBe('2025-04-21T10:00');
    // Arriving on Saturday: the clock starts Monday 09:00.
    expect(show(addBusinessMinutes(chile, local('2025-03-08T12:00'), 30))).toBe('2025-03-10T09:30');
    // 9 h = one working day.
    expect(businessMinutesBetween(chile, local('2025-03-03T00:00'), local('2025-03-04T00:00'))).toBe(540);
    expect(businessMinutesBetween(chile, local('2025-09-15T00:00'), local('2025-09-22T00:00'))).toBe(3 * 540);
  });

  it('split windows (a lunch break) and a DST change at midnight', () => {
    const lunch = workCalendar({ timeZone: ZONE, hours: ['14:00-18:00', '09:00-13:00'] });
    expect(show(addBusinessMinutes(lunch, local('2025-03-03T12:30'), 60))).toBe('2025-03-03T14:30');
    // Chile's clocks went back at 2025-04-06 00:00 (a Sunday) and forward at 2025-09-07 00:00: Monday still 9 h.
    expect(businessMinutesBetween(lunch, local('2025-09-08T00:00'), local('2025-09-09T00:00'))).toBe(480);
    const sunday = workCalendar({ timeZone: ZONE, days: [7] });
    expect(businessMinutesBetween(sunday, local('2025-09-06T00:00'), local('2025-09-08T00:00'))).toBe(540);
    expect(show(addBusinessMinutes(sunday, local('2025-09-06T08:00'), 1))).toBe('2025-09-07T09:01');
  });

  it('refuses bad windows, zones and days', () => {
    expect(() => parseWindows(['09:00-13:00', '12:00-18:00'])).toThrow(/se superponen/);
    expect(() => parseWindows(['18:00-09:00'])).toThrow(/termina antes de empezar/);
    expect(() => workCalendar({ timeZone: 'Mars/Olympus' })).toThrow(/zona horaria desconocida/);
    expect(() => workCalendar({ timeZone: ZONE, days: [0] })).toThrow(/1 \(lunes\)/);
    expect(() => addBusinessMinutes(workCalendar({ timeZone: ZONE, days: [] }), new Date(), 5)).toThrow(/no working time/);
  });

  // Instants from 2023 to 2027, minute-aligned; spans up to three working weeks.
  const instant = fc.integer({ min: Date.UTC(2023, 0, 1) / 60_000, max: Date.UTC(2027, 11, 1) / 60_000 }).map((m) => new Date(m * 60_000));
  const span = fc.integer({ min: 0, max: 3 * 5 * 540 });
  const countries = fc.constantFrom(...COUNTRY_MODULES);
  const calendarOf = (code: string, hours: readonly string[]) =>
    workCalendar({ timeZone: code === 'BR' ? 'America/Sao_Paulo' : ZONE, hours, holidays: countryModule(code as 'CL').holidays });
  const hours = fc.constantFrom(['09:00-18:00'], ['08:30-13:00', '14:00-17:30'], ['00:00-24:00']);

  it('adding N business minutes then measuring gives N back; the end never lands off hours (property)', () => {
    fc.assert(
      fc.property(countries, hours, instant, span, (m, h, from, n) => {
        const cal = calendarOf(m.code, h);
        const to = addBusinessMinutes(cal, from, n);
        expect(businessMinutesBetween(cal, from, to)).toBe(n);
        if (n > 0) {
          // The last business minute before `to` is working time, on a working day.
          const lastMinute = new Date(to.getTime() - 60_000);
          expect(isBusinessTime(cal, lastMinute)).toBe(true);
          const day = DateTime.fromJSDate(lastMinute, { zone: cal.timeZone });
          expect(day.weekday).toBeLessThanOrEqual(5);
          expect(m.holidays(day.year)).not.toContain(day.toISODate());
          expect(isWorkingDay(cal, day.startOf('day'))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('measuring is additive and monotonic (property)', () => {
    fc.assert(
      fc.property(instant, span, span, (from, x, y) => {
        const mid = new Date(from.getTime() + x * 60_000);
        const end = new Date(mid.getTime() + y * 60_000);
        const a = businessMinutesBetween(chile, from, mid);
        const b = businessMinutesBetween(chile, mid, end);
        expect(businessMinutesBetween(chile, from, end)).toBe(a + b);
        expect(a).toBeLessThanOrEqual(x);
        // Adding more business minutes never ends earlier.
        expect(addBusinessMinutes(chile, from, x + y).getTime()).toBeGreaterThanOrEqual(addBusinessMinutes(chile, from, x).getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('time waiting on the client is left out, and the due time moves by it (property)', () => {
    fc.assert(
      fc.property(instant, span, span, fc.integer({ min: 60, max: 4 * 540 }), (createdAt, before, waited, target) => {
        const waitFrom = addBusinessMinutes(chile, createdAt, before);
        const waitTo = addBusinessMinutes(chile, waitFrom, waited);
        const waiting = { createdAt, pausedMinutes: 0, waitingSince: waitFrom };
        // While waiting, the clock is stopped: elapsed is what ran before the pause, whatever `now` is.
        expect(elapsedBusinessMinutes(chile, waiting, waitTo)).toBe(before);
        expect(dueAt(chile, waiting, target)).toBeNull();
        const resumed = { createdAt, pausedMinutes: waited, waitingSince: null };
        const due = dueAt(chile, resumed, target) as Date;
        expect(due.getTime()).toBe(addBusinessMinutes(chile, createdAt, target + waited).getTime());
        expect(remainingMinutes(chile, resumed, target, due)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
