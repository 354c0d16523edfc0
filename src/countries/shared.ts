// Helpers the country modules share: input cleaning, context checks and the common mobile rule.
import type { PhoneNumber } from 'libphonenumber-js/max';
import type { IdCheck, NationalId } from './types.ts';

/** Typographic dashes pasted from Word/PDF. */
export const DASHES = /[\u2010-\u2015\u2212]/g;

export const ok = (type: string, value: string): IdCheck => ({ id: { type, value }, reason: null });
export const bad = (reason: string): IdCheck => ({ id: null, reason });

/** The <=24 characters before a match: where a label ('RUT', 'DNI') or a phone word would be. */
export function before(text: string, index: number): string {
  return text.slice(Math.max(0, index - 24), index);
}

/**
 * The first ID `read` accepts among the matches of a global pattern, in text order, or null: the
 * scan every module's findId makes, one pattern at a time.
 */
export function firstId(text: string, pattern: RegExp, read: (m: RegExpExecArray) => NationalId | null): NationalId | null {
  for (const m of text.matchAll(pattern)) {
    const id = read(m);
    if (id) return id;
  }
  return null;
}

// Checked against the text before a bare-digit candidate.
export const ID_LABEL = /(?:\bRU[TN]|\bCPF|c[ée]dula|\bC\.I\.?|\bCI\b|carn[eé]t?|identidad|documento)[^\n\d]{0,16}$/i;
export const PHONE_LABEL = /(?:tel|fone|fono|cel|m[oó]vil|whats|wsp|phone|contacto|\+\d{1,3})[^\n]{0,12}$/i;

/** Number types a person answers; fixed lines in free text are mostly the sender's office. */
export function isMobileType(n: PhoneNumber): boolean {
  const type = n.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** Digits with thousands dots, as IDs are printed: 12345678 -> 12.345.678. */
export const dotted = (digits: string): string => digits.replace(/\B(?=(\d{3})+$)/g, '.');

// Reasons are in the country's language (Spanish; Portuguese for Brazil): they reach the page's
// errors, the funnel import's report and `parsers explain` as they are.

/** The check character a reason names: "el dígito verificador del RUT es 5, no K" ("de la CURP" for a feminine name). */
export const checkReason = (name: string, expected: string, got: string, gender: 'm' | 'f' = 'm'): string => `el dígito verificador ${gender === 'f' ? 'de la' : 'del'} ${name} es ${expected}, no ${got}`;
/** The same in Portuguese (Brazil): "o dígito verificador do CPF é 35, não 36". */
export const checkReasonPt = (name: string, expected: string, got: string): string => `o dígito verificador do ${name} é ${expected}, não ${got}`;
