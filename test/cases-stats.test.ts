import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { casesSchema } from '../src/cases/config.ts';
import { escalationEmail, replySubject, surveyEmail } from '../src/cases/emails.ts';
import { caseStats, percentile, type StatsCase } from '../src/cases/stats.ts';

const ZONE = 'America/Santiago';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const cfg = casesSchema.parse({ sla: { reclamo: { firstResponseHours: 2, resolutionHours: 9 } } });
const base: StatsCase = { category: 'reclamo', status: 'abierto', project: 'PLR', country: 'CL', responsibleUserId: 7, responsibleName: 'Pilar', satisfactionScore: null,
  createdAt: at('2025-03-03T09:00'), firstResponseAt: null, resolvedAt: null, pausedMinutes: 0, waitingSince: null };

describe('case statistics', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10], 90)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('two people of the same name are two rows, never one merged', () => {
    const rows: StatsCase[] = [
      { ...base, firstResponseAt: at('2025-03-03T10:00') },
      { ...base, responsibleUserId: 8, firstResponseAt: at('2025-03-03T12:30') },
      { ...base, responsibleUserId: 8 },
    ];
    const s = caseStats(cfg, ZONE, rows, at('2025-03-03T09:30'));
    expect(s.byPerson.map((p) => [p.key, p.userId, p.cases])).toEqual([['Pilar', 7, 1], ['Pilar', 8, 2]]);
    expect(s.byPerson[1].firstResponse).toMatchObject({ measured: 1, p50Minutes: 210 });
  });

  it('business-minute times, compliance over decided cases, by person and month; satisfaction', () => {
    const rows: StatsCase[] = [
      // Answered in 1 h and resolved in 8 h: within both targets.
      { ...base, firstResponseAt: at('2025-03-03T10:00'), resolvedAt: at('2025-03-03T17:00'), status: 'resuelto', satisfactionScore: 5 },
      // Answered after 3 business hours (Friday 17:00 -> Monday 11:00): late.
      { ...base, createdAt: at('2025-03-07T17:00'), firstResponseAt: at('2025-03-10T11:00'), satisfactionScore: 2 },
      // Not answered, not yet late at `now`: undecided.
      { ...base, createdAt: at('2025-04-01T09:00'), responsibleUserId: null, responsibleName: null, category: 'consulta', project: null },
    ];
    const s = caseStats(cfg, ZONE, rows, at('2025-04-01T09:30'));
    expect(s.total).toBe(3);
    expect(s.byCategory).toEqual({ reclamo: 2, consulta: 1 });
    expect(s.byStatus).toEqual({ resuelto: 1, abierto: 2 });
    expect(s.byProject).toEqual([{ project: 'PLR', n: 2 }, { project: null, n: 1 }]);
    const pilar = s.byPerson.find((p) => p.key === 'Pilar')!;
    expect(pilar.firstResponse).toEqual({ measured: 2, p50Minutes: 60, p90Minutes: 180, decided: 2, withinTarget: 1, compliance: 0.5 });
    expect(pilar.resolution).toMatchObject({ measured: 1, p50Minutes: 480, decided: 2, withinTarget: 1 });
    expect(s.byPerson.at(-1)!.key).toBeNull();
    expect(s.byPerson.at(-1)!.firstResponse).toMatchObject({ measured: 0, decided: 0, compliance: null });
    expect(s.byMonth.map((m) => [m.key, m.cases])).toEqual([['2025-03', 2], ['2025-04', 1]]);
    expect(s.satisfaction).toEqual({ answers: 2, average: 3.5, distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 1 } });
  });
});

describe('case emails', () => {
  it('the reply subject carries the tag once, without earlier Re:/RV: or tags', () => {
    expect(replySubject(17, 'Reclamo: filtración')).toBe('Re: [Caso 17] Reclamo: filtración');
    expect(replySubject(17, 'RE: Re: [Caso 17] Reclamo: filtración')).toBe('Re: [Caso 17] Reclamo: filtración');
    expect(replySubject(3, '')).toBe('Re: [Caso 3] -');
  });

  it('the survey in Portuguese for Brazil, the escalation with its link; client text escaped in HTML', () => {
    const links = [1, 2, 3, 4, 5].map((score) => ({ score, url: `https://x.example/survey/t${score}` }));
    const pt = surveyEmail(9, '<b>Joana</b>', links, 'pt');
    expect(pt.subject).toBe('[Caso 9] Como atendemos o seu chamado?');
    expect(pt.text).toContain('5 de 5: https://x.example/survey/t5');
    expect(pt.html).toContain('&lt;b&gt;Joana&lt;/b&gt;');
    const e = escalationEmail({ number: 4, category: 'reclamo', status: 'abierto', subject: 'Filtración <script>', project: 'PLR', unit: 'depto 1502', responsible: null },
      'first', at('2025-03-03T13:00'), 'https://x.example/#casos/4', 'es', ZONE);
    expect(e.subject).toBe('[Caso 4] Plazo de primera respuesta vencido');
    expect(e.text).toContain('Responsable: (sin responsable)');
    expect(e.html).toContain('Filtración &lt;script&gt;');
    expect(e.html).toContain('href="https://x.example/#casos/4"');
  });
});
