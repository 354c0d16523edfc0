// E-mail addresses: pragmatic validation (not RFC 5322) plus placeholder rejection, because
// a lead whose only contact is 'test@test.com' must be classified as having no contact.
import type { FieldProblem } from './national-id.ts';

export type EmailResult = { email: string | null; problem: FieldProblem | null };

const MAX_INPUT = 1000;
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const NO_REPLY_LOCALS = new Set([
  'noreply', 'no-reply', 'no_reply', 'donotreply', 'do-not-reply', 'do_not_reply', 'mailer-daemon', 'postmaster',
]);
// Locals people type when the form forces an e-mail they do not want to give.
const PLACEHOLDER_LOCALS = new Set([
  'test', 'teste', 'prueba', 'sincorreo', 'sinmail', 'sinemail', 'nomail', 'noemail', 'notiene', 'ninguno', 'none',
  'null', 'xxx', 'asdf',
]);
const PLACEHOLDER_DOMAIN_LABELS = new Set(['example', 'ejemplo', 'test', 'teste', 'prueba', 'invalid', 'localhost']);

function unwrap(input: string): string {
  let s = input.trim();
  // 'Juan Pérez <juan@x.cl>' -> the address inside the brackets
  const angle = /<([^<>]{1,300})>/.exec(s);
  if (angle && angle[1].includes('@')) s = angle[1];
  s = s.replace(/^mailto:/i, '');
  for (let i = 0; i < 3; i++) s = s.replace(/^[\s"'<(`]+|[\s"'>),;.`]+$/g, '').replace(/^mailto:/i, '');
  return s.split('?')[0]; // mailto: query part
}

export function normalizeEmail(input: string | null | undefined): EmailResult {
  if (typeof input !== 'string' || input.trim() === '') return { email: null, problem: 'missing' };
  const invalid: EmailResult = { email: null, problem: 'invalid' };
  if (input.length > MAX_INPUT) return invalid;
  const email = unwrap(input).toLowerCase();
  if (email.length > 254) return invalid;
  const parts = email.split('@');
  if (parts.length !== 2) return invalid;
  const [local, domain] = parts;
  if (local.length < 1 || local.length > 64 || !LOCAL.test(local)) return invalid;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) {
    return invalid;
  }
  const registrable = labels[labels.length - 2]; // 'test' in test.com, 'a' in a.cl
  if (registrable.length === 1 || PLACEHOLDER_DOMAIN_LABELS.has(registrable)) return invalid;
  if (NO_REPLY_LOCALS.has(local) || PLACEHOLDER_LOCALS.has(local)) return invalid;
  return { email, problem: null };
}
