import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { casesSchema } from '../src/cases/config.ts';
import { calendarFor, caseSla, initialDueTimes } from '../src/cases/targets.ts';

const ZONE = 'America/Santiago';
const cfg = casesSchema.parse({ sla: { reclamo: { firstResponseHours: 4, resolutionHours: 18 } } });
const cal = calendarFor(cfg, 'CL', ZONE);
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const show = (ms: number | null) => (ms === null ? null : DateTime.fromMillis(ms, { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm"));

describe('a case SLA', () => {
  const base = { category: 'reclamo', createdAt: at('2025-04-16T16:00'), firstResponseAt: null, resolvedAt: null, pausedMinutes: 0, waitingSince: null };

  it('due times in business hours over Good Friday; breaches once past them', () => {
    const due = initialDueTimes(cfg, cal, 'reclamo', base.createdAt);
    // 16:00 Wednesday + 4 h: 2 h Wednesday, 2 h Thursday; resolution 18 h lands on Monday after Good Friday.
    expect(show(due.firstResponseDueAt)).toBe('2025-04-17T11:00');
    expect(show(due.resolutionDueAt)).toBe('2025-04-21T16:00');
    expect(caseSla(cfg, cal, base, at('2025-04-17T10:59')).firstResponseBreached).toBe(false);
    const late = caseSla(cfg, cal, base, at('2025-04-17T11:01'));
    expect(late.firstResponseBreached).toBe(true);
    expect(late.resolutionBreached).toBe(false);
    // Answered in time, then measured at the answer: never breached afterwards.
    const answered = caseSla(cfg, cal, { ...base, firstResponseAt: at('2025-04-17T09:30') }, at('2025-05-30T12:00'));
    expect(answered.firstResponseBreached).toBe(false);
    expect(answered.firstResponseMinutes).toBe(150);
    expect(answered.resolutionBreached).toBe(true);
  });

  it('waiting on the client stops the resolution clock and moves its due time', () => {
    // Waiting since Thursday 10:00 (3 business hours in): a month later it is still not breached.
    const waiting = { ...base, waitingSince: at('2025-04-17T10:00') };
    const s = caseSla(cfg, cal, waiting, at('2025-05-20T10:00'));
    expect(s.paused).toBe(true);
    expect(s.resolutionDueAt).toBeNull();
    expect(s.resolutionBreached).toBe(false);
    expect(s.resolutionMinutes).toBe(180);
    // The client answered after 9 business hours of waiting: due one working day later than at first.
    const resumed = caseSla(cfg, cal, { ...base, pausedMinutes: 540 }, at('2025-04-21T12:00'));
    expect(show(resumed.resolutionDueAt)).toBe('2025-04-22T16:00');
    expect(caseSla(cfg, cal, { ...base, category: 'desconocida' }, base.createdAt).targets.firstResponseMinutes).toBe(480);
  });

  it('the config refuses overlapping hours and keeps defaults for categories left out', () => {
    expect(() => casesSchema.parse({ calendar: { hours: ['09:00-14:00', '13:00-18:00'] } })).toThrow(/se superponen/);
    expect(cfg.sla.consulta).toBeUndefined();
    expect(caseSla(cfg, cal, { ...base, category: 'consulta' }, base.createdAt).targets).toEqual({ firstResponseMinutes: 480, resolutionMinutes: 27 * 60 });
  });
});
