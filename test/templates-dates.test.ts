import { describe, expect, it } from 'vitest';
import { formatDate } from '../src/outbox/templates.ts';

describe('dates in notification emails', () => {
  it('write the hour after midnight as 00, never 24, in Spanish and Portuguese', () => {
    const afterMidnight = Date.UTC(2026, 11, 9, 3, 40); // 00:40 in Santiago (UTC-3 in December)
    expect(formatDate(afterMidnight, 'es', 'America/Santiago')).toBe('09-12-2026, 00:40');
    expect(formatDate(afterMidnight, 'pt', 'America/Sao_Paulo')).toBe('09/12/2026, 00:40');
    for (let h = 0; h < 24; h++) {
      const text = formatDate(Date.UTC(2026, 11, 9, h, 5), 'es', 'America/Santiago');
      expect(Number(/, (\d\d):/.exec(text)?.[1])).toBeLessThan(24);
    }
  });
});
