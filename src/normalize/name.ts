// Person names as portals send them: ALL CAPS, lowercase, quoted, with NBSPs, or placeholders.
import type { FieldProblem } from './national-id.ts';
import { repairMojibake } from './mojibake.ts';

export interface PersonName { full: string; first: string; last: string }
export type NameResult = { name: PersonName | null; problem: FieldProblem | null };

const MAX_LENGTH = 120;
const PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'da', 'das', 'do', 'dos', 'e']);
// Compared after lowercasing and removing accents and dots.
const PLACEHOLDERS = new Set([
  'test', 'testing', 'prueba', 'pruebas', 'n/a', 'na', 'sin nombre', 'sinnombre', 'no name', 'noname',
  'null', 'undefined', 'none', 'ninguno', 'nombre', 'name', 'xxx', 'xx', 'asdf', 'cliente', 'anonimo',
]);
const PLACEHOLDER_WORDS = new Set(['test', 'prueba', 'xxx', 'null', 'undefined', 'asdf']);
const EDGE_JUNK = /^[\s"'`´“”‘’«»„.,;:!¡?¿()[\]{}<>*_\-–—|/\\~^+=]+|[\s"'`´“”‘’«»„.,;:!¡?¿()[\]{}<>*_\-–—|/\\~^+=]+$/gu;

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\./g, '');
}

function isPlaceholder(clean: string): boolean {
  const f = fold(clean);
  if (PLACEHOLDERS.has(f) || /^x+$/.test(f)) return true;
  const words = f.split(' ');
  return words.every((w) => PLACEHOLDER_WORDS.has(w) || /^x+$/.test(w));
}

/** 'ÁLVARO' -> 'Álvaro'; also after '-' and apostrophes: 'JEAN-PIERRE', "O'HIGGINS". */
function capitalize(word: string): string {
  return word.toLowerCase().replace(/(^|[-'’])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

function titleCase(tokens: string[]): string[] {
  return tokens.map((t, i) => (i > 0 && PARTICLES.has(t.toLowerCase()) ? t.toLowerCase() : capitalize(t)));
}

/** Groups particles with the surname that follows: ['de la Cruz', 'Soto']. */
function units(tokens: string[]): string[] {
  const out: string[] = [];
  let pending: string[] = [];
  tokens.forEach((t, i) => {
    if (i > 0 && PARTICLES.has(t.toLowerCase())) {
      pending.push(t);
      return;
    }
    out.push([...pending, t].join(' '));
    pending = [];
  });
  if (pending.length > 0) {
    // Trailing particles ('Juan de'): keep them on the previous unit rather than lose them.
    if (out.length > 0) out[out.length - 1] += ` ${pending.join(' ')}`;
    else out.push(pending.join(' '));
  }
  return out;
}

function split(tokens: string[]): { first: string; last: string } {
  const u = units(tokens);
  if (u.length === 1) return { first: u[0], last: '' };
  if (u.length <= 3) return { first: u[0], last: u.slice(1).join(' ') }; // 3: name + two surnames
  return { first: u.slice(0, 2).join(' '), last: u.slice(2).join(' ') };
}

export function normalizeName(input: string | null | undefined): NameResult {
  if (typeof input !== 'string' || input.trim() === '') return { name: null, problem: 'missing' };
  if (input.length > MAX_LENGTH * 4) return { name: null, problem: 'invalid' }; // bound work first
  const clean = repairMojibake(input)
    .normalize('NFC')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/\s+/g, ' ') // \s includes NBSP and the other Unicode spaces
    .replace(EDGE_JUNK, '')
    .trim();
  const invalid: NameResult = { name: null, problem: 'invalid' };
  if (clean === '' || clean.length > MAX_LENGTH) return invalid; // '-', '...', '""'
  if (clean.includes('@') || (clean.match(/\d/g)?.length ?? 0) > 2) return invalid;
  if ((clean.match(/\p{L}/gu)?.length ?? 0) < 2) return invalid;
  if (isPlaceholder(clean)) return invalid;

  let tokens = clean.split(' ');
  const upper = clean.toUpperCase();
  const lower = clean.toLowerCase();
  // Only fix the casing when it carries no information; 'McDonald' or 'de la Fuente' stay as written.
  if ((clean === upper || clean === lower) && upper !== lower) tokens = titleCase(tokens);
  else {
    // Parts typed separately ("rodrigo" + "VALDÉS MUÑOZ"): fix each all-caps or all-lowercase word.
    const flat = (t: string) => t.length > 1 && (t === t.toUpperCase() || t === t.toLowerCase()) && t.toUpperCase() !== t.toLowerCase();
    tokens = tokens.map((t, i) => (!flat(t) ? t : i > 0 && PARTICLES.has(t.toLowerCase()) ? t.toLowerCase() : capitalize(t)));
  }
  return { name: { full: tokens.join(' '), ...split(tokens) }, problem: null };
}
