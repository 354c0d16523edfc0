import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signSurvey, surveyLinks, surveySecret, verifySurvey } from '../src/cases/survey.ts';

const SECRET = 'a-survey-secret-of-some-length';
const now = new Date('2025-03-03T12:00:00Z');
const expires = Math.floor(now.getTime() / 1000) + 3600;

describe('survey tokens', () => {
  it('a signed vote reads back; another secret, a changed score, case or expiry, or an expired link are refused', () => {
    const token = signSurvey(SECRET, { caseId: 42, score: 4, expires });
    expect(verifySurvey(SECRET, token, now)).toEqual({ ok: true, vote: { caseId: 42, score: 4, expires } });
    expect(verifySurvey('another-secret-of-some-length', token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [c, s, e, sig] = token.split('.');
    expect(verifySurvey(SECRET, [c, '5', e, sig].join('.'), now).ok).toBe(false);
    expect(verifySurvey(SECRET, ['43', s, e, sig].join('.'), now).ok).toBe(false);
    expect(verifySurvey(SECRET, [c, s, String(expires + 86400), sig].join('.'), now).ok).toBe(false);
    expect(verifySurvey(SECRET, token, new Date((expires + 1) * 1000))).toEqual({ ok: false, reason: 'expired' });
    for (const bad of ['', 'x', `${token}.`, token.replace(/.$/, ''), `42.6.${e}.${sig}`, `0.4.${e}.${sig}`]) expect(verifySurvey(SECRET, bad, now).ok).toBe(false);
  });

  it('any one-character change of a token is refused (property)', () => {
    const token = signSurvey(SECRET, { caseId: 7, score: 2, expires });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'0123456789abcdefXYZ_-.'), (i, ch) => {
        const changed = token.slice(0, i) + ch + token.slice(i + 1);
        if (changed !== token) expect(verifySurvey(SECRET, changed, now).ok).toBe(false);
      }),
    );
  });

  it('five links, one per score, under the public address; a derived secret is stable and not the token', () => {
    const links = surveyLinks(SECRET, 'https://leads.example.cl/', 9, new Date(expires * 1000));
    expect(links.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    for (const l of links) {
      expect(l.url).toMatch(/^https:\/\/leads\.example\.cl\/survey\/9\.[1-5]\.\d+\.[\w-]{43}$/);
      const r = verifySurvey(SECRET, l.url.split('/').pop() as string, now);
      expect(r.ok && r.vote.score).toBe(l.score);
    }
    expect(surveySecret(undefined, 'admin-token-x')).toBe(surveySecret(undefined, 'admin-token-x'));
    expect(surveySecret(undefined, 'admin-token-x')).not.toContain('admin-token-x');
    expect(surveySecret('configured-secret-1234', 'admin-token-x')).toBe('configured-secret-1234');
  });
});
