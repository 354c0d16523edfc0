// The cases desk's settings (config key `cases`): the company's working calendar, the SLA targets
// per category in business hours, the escalation tick and the satisfaction survey.
import cron from 'node-cron';
import { z } from 'zod';
import { CASE_CATEGORIES, type CaseCategory } from '../case-vocabulary.ts';
import { parseWindows } from './sla.ts';

const target = z.object({
  /** Business hours to the first answer to the client. */
  firstResponseHours: z.number().positive().max(2000),
  /** Business hours to resolved. */
  resolutionHours: z.number().positive().max(20_000),
});
export type SlaTarget = z.infer<typeof target>;

/** A complaint is answered the same working day; a suggestion can wait. Nine working hours make a day. */
export const DEFAULT_TARGETS: Record<CaseCategory, SlaTarget> = {
  reclamo: { firstResponseHours: 4, resolutionHours: 45 },
  postventa: { firstResponseHours: 8, resolutionHours: 90 },
  consulta: { firstResponseHours: 8, resolutionHours: 27 },
  sugerencia: { firstResponseHours: 18, resolutionHours: 90 },
};

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'una fecha AAAA-MM-DD');

export const casesSchema = z
  .object({
    /** Working days (1 = Monday … 7 = Sunday) and hours, read in the config's `timezone`. */
    calendar: z
      .object({
        days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
        hours: z
          .array(z.string())
          .min(1)
          .default(['09:00-18:00'])
          .superRefine((h, ctx) => {
            try {
              parseWindows(h);
            } catch (e) {
              ctx.addIssue({ code: 'custom', message: (e as Error).message });
            }
          }),
        /** The company's own days off on top of the country's holidays. */
        holidays: z.array(isoDate).default([]),
      })
      .default({ days: [1, 2, 3, 4, 5], hours: ['09:00-18:00'], holidays: [] }),
    /** Targets per category; a category left out keeps its default. */
    sla: z.object(Object.fromEntries(CASE_CATEGORIES.map((c) => [c, target.optional()])) as Record<CaseCategory, z.ZodOptional<typeof target>>).default({}),
    /** How often breaches are looked for (node-cron, in `timezone`). */
    escalationCron: z.string().refine((c) => cron.validate(c), 'no es una expresión cron válida').default('*/5 * * * *'),
    survey: z
      .object({
        /** HMAC secret of the one-click links (or CENTRALIZER_SURVEY_SECRET); derived from admin.token when absent. */
        secret: z.string().min(16).optional(),
        /** How long a survey link answers. */
        validDays: z.number().int().min(1).max(365).default(30),
      })
      .default({ validDays: 30 }),
  })
  .default({
    calendar: { days: [1, 2, 3, 4, 5], hours: ['09:00-18:00'], holidays: [] },
    sla: {},
    escalationCron: '*/5 * * * *',
    survey: { validDays: 30 },
  });

export type CasesConfig = z.output<typeof casesSchema>;

/** The target of a category: the configured one, else the default. */
export function targetOf(cfg: CasesConfig, category: string): SlaTarget {
  return cfg.sla[category as CaseCategory] ?? DEFAULT_TARGETS[category as CaseCategory] ?? DEFAULT_TARGETS.consulta;
}
