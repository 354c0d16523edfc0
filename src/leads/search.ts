import type { SearchPlan } from '../db/lead-filter.ts';
import type { Country } from '../countries/index.ts';
import { normalizeEmail } from '../normalize/email.ts';
import { nationalIdSearchForms } from '../normalize/national-id.ts';
import { phoneSearchForms } from '../normalize/phone.ts';
import { fold } from '../pipeline/text.ts';

/** Terms shorter than this are not searched as substrings (a trigram index needs three). */
const MIN_TERM = 3;
const MAX_TERMS = 8;

/**
 * What a free-text search means, decided once for both storage engines: something that parses as
 * an email, national ID or phone is looked up exactly (in the country's forms); the last digits of
 * a phone or part of an address are substrings; anything else is a name (words in any order, or a
 * prefix and word start when a word is short).
 */
export function searchPlan(q: string, country: Country): SearchPlan {
  const text = q.trim();
  const substrings = (terms: string[]): SearchPlan => {
    const usable = terms.filter((t) => [...t].length >= MIN_TERM).slice(0, MAX_TERMS);
    return usable.length ? { kind: 'substrings', terms: usable } : { kind: 'none' };
  };
  if (text.includes('@')) {
    const email = normalizeEmail(text).email;
    return email ? { kind: 'exact', email: [email], nationalId: [], phone: [] } : substrings([text.toLowerCase()]);
  }
  const nationalId = nationalIdSearchForms(text, country);
  const phone = phoneSearchForms(text, country);
  if (nationalId.length || phone.length) return { kind: 'exact', email: [], nationalId, phone };
  const digits = text.replace(/[\s()+.-]/g, '');
  if (/^\d{3,}$/.test(digits)) return substrings([digits]);
  const key = fold(text);
  if (!key) return { kind: 'none' };
  const words = key.split(' ');
  if (words.every((w) => w.length >= MIN_TERM)) return substrings(words);
  return { kind: 'name-prefix', key, wordStart: key.length >= 2 };
}
