// A new case's due times: the first answer and the resolution, in the company's business hours
// (src/cases/targets.ts: the calendar of the case's country, the targets of its category).
import type { Country } from '../countries/index.ts';
import type { CasesConfig } from './config.ts';
import { calendarFor, initialDueTimes } from './targets.ts';

export function caseDueTimes(category: string, createdAt: number, country: Country, cfg: CasesConfig, timeZone: string): { firstResponseDueAt: number; resolutionDueAt: number } {
  return initialDueTimes(cfg, calendarFor(cfg, country, timeZone), category, createdAt);
}
