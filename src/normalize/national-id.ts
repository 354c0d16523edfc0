// National IDs through the country registry (src/countries/): this module bounds and cleans the
// input, the country's module does the parsing, check digits and free-text search.
import { countryModule, type Country, type NationalId } from '../countries/index.ts';

export type { Country, NationalId } from '../countries/index.ts';
export { rutCheckDigit } from '../countries/cl.ts';
export type NationalIdType = string;
export type FieldProblem = 'missing' | 'invalid';
export type NationalIdResult = { id: NationalId | null; problem: FieldProblem | null };

const MAX_INPUT = 100; // an ID field longer than this is not an ID; also bounds regex work
const MAX_TEXT = 200_000;

const clean = (input: string) => input.normalize('NFKC').replace(/\u00a0/g, ' ');

/** The ID, or why it is not valid ("el dígito verificador del RUT es 5, no K"); reason is null when valid or missing. */
export function checkNationalId(input: string | null | undefined, country: Country): NationalIdResult & { reason: string | null } {
  if (typeof input !== 'string' || input.trim() === '') return { id: null, problem: 'missing', reason: null };
  if (input.length > MAX_INPUT) return { id: null, problem: 'invalid', reason: `más de ${MAX_INPUT} caracteres` };
  const r = countryModule(country).parseId(clean(input));
  return r.id ? { id: r.id, problem: null, reason: null } : { id: null, problem: 'invalid', reason: r.reason };
}

export function normalizeNationalId(input: string | null | undefined, country: Country): NationalIdResult {
  const { id, problem } = checkNationalId(input, country);
  return { id, problem };
}

export function isValidRut(s: string): boolean {
  return typeof s === 'string' && s.length <= MAX_INPUT && countryModule('CL').parseId(s).id !== null;
}

/** The client's own ID written in free text (a message, a signature), or null. */
export function findNationalIdInText(text: string, country: Country): NationalId | null {
  if (typeof text !== 'string' || text === '') return null;
  return countryModule(country).findId(text.slice(0, MAX_TEXT).replace(/\u00a0/g, ' '));
}

/** Canonical values a search query could mean; [] when nothing parses. */
export function nationalIdSearchForms(q: string, country: Country): string[] {
  if (typeof q !== 'string' || q.trim() === '' || q.length > MAX_INPUT) return [];
  const out = new Set<string>();
  const { id } = normalizeNationalId(q, country);
  if (id) out.add(id.value);
  for (const v of countryModule(country).searchForms?.(q, id) ?? []) out.add(v);
  return [...out];
}

/** Display form of a stored ID ('12.345.678-5'); the value itself when its kind is unknown. */
export function formatNationalId(id: NationalId, country: Country): string {
  const kind = countryModule(country).ids.find((k) => k.type === id.type);
  return kind ? kind.format(id.value) : id.value;
}

