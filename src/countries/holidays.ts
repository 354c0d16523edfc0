// National holidays from date-holidays (its data is kept by a community and carries each country's
// rules for moving a holiday to a Monday: Chile's law 19.668, Colombia's Ley Emiliani, Argentina's
// trasladables, Easter-based days). Only the national ones: a province's, state's or city's day
// (Guayaquil's, São Paulo's, a Mexican state's) is not in the list. Loaded on the first question,
// never at import: the pipeline's worker threads import the country modules and never ask.
import { createRequire } from 'node:module';

type HolidayRow = { date: string; type: string };
type HolidaysApi = new (country: string) => { getHolidays(year: number): HolidayRow[] };

let Holidays: HolidaysApi | null = null;
const cache = new Map<string, string[]>();

/**
 * The ISO dates (YYYY-MM-DD) of a year's days off nationwide: the holidays of type `public`, plus the
 * types a country's working calendar also closes on (Brazil's Carnaval Monday/Tuesday and Corpus
 * Christi are `bank`: pontos facultativos that most companies keep).
 */
export function nationalHolidays(country: string, year: number, alsoTypes: readonly string[] = []): string[] {
  const key = `${country}:${year}`;
  const hit = cache.get(key);
  if (hit) return [...hit];
  Holidays ??= createRequire(import.meta.url)('date-holidays') as HolidaysApi;
  const types = new Set(['public', ...alsoTypes]);
  const rows = new Holidays(country).getHolidays(year);
  const dates = [...new Set(rows.filter((r) => types.has(r.type)).map((r) => r.date.slice(0, 10)))].sort();
  cache.set(key, dates);
  return [...dates];
}
