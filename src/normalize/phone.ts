// Phone numbers -> E.164 via libphonenumber-js with the full ('max') metadata, so that
// unallocated ranges are rejected, not just wrong lengths. The country's module (src/countries/)
// gives the default region and the legacy forms the metadata no longer knows.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { countryModule, type Country, type PhoneRules } from '../countries/index.ts';
import type { FieldProblem } from './national-id.ts';

export type PhoneResult = { e164: string | null; problem: FieldProblem | null };

const MAX_INPUT = 64;
// Trailing extension: 'Anexo 123' (PE), 'ext. 12', 'int 4', 'x12', '#12'. Dropped: we store the line.
const EXTENSION = /[\s,;]*(?:anexo|anx\.?|ext\.?|extensi[oó]n|int\.?|interno|x|#)\s?:?\s?\d{1,6}\s*$/i;
// Several numbers in one field: 'fono 1 / fono 2', '912345678 o 221234567'.
const SEPARATORS = /\s*[/,;|]\s*|\s+(?:o|y|or|ou|e)\s+/i;

function parseValid(text: string, rules: PhoneRules): string | null {
  try {
    const n = parsePhoneNumberFromString(text, rules.region);
    return n && n.isValid() ? n.number : null;
  } catch {
    return null; // the library is not documented as throw-free for every input
  }
}

/** Every valid E.164 reading of one number, most likely first. */
function readings(raw: string, rules: PhoneRules): string[] {
  const out: string[] = [];
  const add = (v: string | null): void => {
    if (v && !out.includes(v)) out.push(v);
  };
  const s = raw.replace(EXTENSION, '').trim();
  const digits = s.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 17) return out;

  add(parseValid(s, rules));
  // '0056 9...': '00' is the usual international prefix, but not in the metadata's IDD pattern
  // for every country (Chile), so libphonenumber reads it as a national number.
  if (/^\+?\s*00/.test(s)) add(parseValid(`+${digits.slice(2)}`, rules));
  // A stray trunk '0' before a full national number ('0912345678' in Chile, which has no trunk prefix).
  if (digits.startsWith('0') && !digits.startsWith('00')) add(parseValid(digits.slice(1), rules));
  // Written with a country code but without '+': '51987654321' entered on a Chilean portal.
  if (digits.length >= 10 && !digits.startsWith('0')) add(parseValid(`+${digits}`, rules));
  for (const candidate of rules.legacy?.(digits) ?? []) add(parseValid(candidate, rules));
  return out;
}

function allReadings(input: string, country: Country): string[] {
  const rules = countryModule(country).phone;
  const s = input.normalize('NFKC').replace(/[\u00a0\u2007\u202f]/g, ' ').trim();
  const whole = readings(s, rules);
  if (whole.length > 0 || !SEPARATORS.test(s)) return whole;
  const out: string[] = [];
  for (const part of s.split(SEPARATORS).slice(0, 4)) {
    for (const v of readings(part, rules)) if (!out.includes(v)) out.push(v);
  }
  return out;
}

export function normalizePhone(input: string | null | undefined, country: Country): PhoneResult {
  if (typeof input !== 'string' || input.trim() === '') return { e164: null, problem: 'missing' };
  if (input.length > MAX_INPUT) return { e164: null, problem: 'invalid' };
  const [first] = allReadings(input, country);
  return first ? { e164: first, problem: null } : { e164: null, problem: 'invalid' };
}

/** E.164 numbers a search string could mean (all valid readings); [] when none. */
export function phoneSearchForms(q: string, country: Country): string[] {
  if (typeof q !== 'string' || q.trim() === '' || q.length > MAX_INPUT) return [];
  return allReadings(q, country);
}
