// One-click satisfaction survey links: the token carries the case, the score (1-5) and an expiry,
// signed with HMAC-SHA256 under a secret from config or the environment (never logged). No
// sign-in: whoever holds the link may give that one score to that one case, until it expires.
import crypto from 'node:crypto';

export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;

export interface SurveyVote {
  caseId: number;
  score: number;
  /** Expiry, seconds since the epoch. */
  expires: number;
}

export type SurveyCheck = { ok: true; vote: SurveyVote } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const SHAPE = /^([1-9]\d{0,15})\.([1-5])\.([1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`survey:v1:${body}`).digest('base64url');
}

/** The token for one score of one case: `<case>.<score>.<expires>.<signature>`. */
export function signSurvey(secret: string, vote: SurveyVote): string {
  if (!Number.isSafeInteger(vote.caseId) || vote.caseId < 1) throw new Error('survey: case id must be a positive integer');
  if (!SURVEY_SCORES.includes(vote.score as 1)) throw new Error('survey: score must be 1 to 5');
  const body = `${vote.caseId}.${vote.score}.${Math.floor(vote.expires)}`;
  return `${body}.${mac(secret, body)}`;
}

/** Checks a token's shape, signature (constant time) and expiry at `now`. */
export function verifySurvey(secret: string, token: string, now: Date = new Date()): SurveyCheck {
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const body = `${m[1]}.${m[2]}.${m[3]}`;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(m[4]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  const vote = { caseId: Number(m[1]), score: Number(m[2]), expires: Number(m[3]) };
  if (vote.expires * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, vote };
}

/** The five links of one survey email, best last. */
export function surveyLinks(secret: string, baseUrl: string, caseId: number, expires: Date): { score: number; url: string }[] {
  const base = baseUrl.replace(/\/+$/, '');
  const exp = Math.floor(expires.getTime() / 1000);
  return SURVEY_SCORES.map((score) => ({ score, url: `${base}/survey/${signSurvey(secret, { caseId, score, expires: exp })}` }));
}

/**
 * The signing secret: the configured one (or CENTRALIZER_SURVEY_SECRET), else one derived from the
 * admin token (HKDF), so links keep working across restarts without another secret to manage.
 */
export function surveySecret(configured: string | undefined, adminToken: string): string {
  if (configured) return configured;
  return Buffer.from(crypto.hkdfSync('sha256', adminToken, 'centralizer', 'survey-links', 32)).toString('base64url');
}
