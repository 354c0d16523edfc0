// National IDs: Chilean RUT, Peruvian DNI / C.E. / RUC, Brazilian CPF.
// Rules and worked examples: shared/reference/national-ids-and-phones.md.

export type Country = 'CL' | 'PE' | 'BR';
export type NationalIdType = 'rut' | 'dni' | 'ce' | 'ruc' | 'cpf';
export interface NationalId { type: NationalIdType; value: string }
export type FieldProblem = 'missing' | 'invalid';
export type NationalIdResult = { id: NationalId | null; problem: FieldProblem | null };

const MAX_INPUT = 100; // an ID field longer than this is not an ID; also bounds regex work
const MAX_TEXT = 200_000;
const DASHES = /[\u2010-\u2015\u2212]/g; // typographic dashes pasted from Word/PDF

// ---- check digits -------------------------------------------------------

/** RUT check character for a digit body ('' when the body has no digits). */
export function rutCheckDigit(body: string): string {
  const digits = String(body ?? '').replace(/\D/g, '');
  if (digits === '') return '';
  let sum = 0;
  let weight = 2;
  for (let i = digits.length - 1; i >= 0; i--) {
    sum += Number(digits[i]) * weight;
    weight = weight === 7 ? 2 : weight + 1;
  }
  const r = 11 - (sum % 11);
  return r === 11 ? '0' : r === 10 ? 'K' : String(r);
}

function rucCheckDigit(first10: string): number {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(first10[i]) * w[i];
  return (11 - (sum % 11)) % 10;
}

function isValidRuc(d: string): boolean {
  return /^(?:10|15|17|20)\d{9}$/.test(d) && rucCheckDigit(d) === Number(d[10]);
}

/** DNI card check character (not part of the number): numeric or pre-2007 letter. */
function dniCheckOk(dni: string, check: string): boolean {
  const w = [3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(dni[i]) * w[i];
  const c = sum % 11;
  return check === '65432110987'[c] || check === 'KJIHGFEDCBA'[c];
}

function cpfDigit(digits: string, firstWeight: number): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (firstWeight - i);
  return ((11 - (sum % 11)) % 11) % 10;
}

function isValidCpf(d: string): boolean {
  if (!/^\d{11}$/.test(d) || /^(\d)\1{10}$/.test(d)) return false;
  const d1 = cpfDigit(d.slice(0, 9), 10);
  const d2 = cpfDigit(d.slice(0, 10), 11);
  return d1 === Number(d[9]) && d2 === Number(d[10]);
}

// ---- per-country parsing of a single field ---------------------------------

/** Canonical '12345678-5' or null. Accepts dots, spaces, lowercase k, 'CL'/'RUT:' prefixes. */
function parseRut(input: string): string | null {
  const s = input
    .toUpperCase()
    .replace(DASHES, '-')
    .replace(/^\s*(?:CL)?\s*(?:R\.?U\.?[TN]\.?)?\s*(?:N[°º.O]?\s*)?:?\s*/, '')
    .replace(/[\s.\-]/g, '');
  const m = /^0*(\d{7,8})([\dK])$/.exec(s);
  if (!m) return null;
  return rutCheckDigit(m[1]) === m[2] ? `${m[1]}-${m[2]}` : null;
}

export function isValidRut(s: string): boolean {
  return typeof s === 'string' && s.length <= MAX_INPUT && parseRut(s) !== null;
}

function parsePe(input: string): NationalId | null {
  const up = input.toUpperCase().replace(DASHES, '-').trim();
  const label = /^(D\.?\s?N\.?\s?I|R\.?U\.?C|C\.?\s?E\.?|CARN[EÉ](?:\s+DE\s+EXTRANJER[IÍ]A)?)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/.exec(up);
  const kind = label ? (/^D/.test(label[1]) ? 'dni' : /^R/.test(label[1]) ? 'ruc' : 'ce') : null;
  const rest = label ? up.slice(label[0].length) : up;

  if (kind === 'ce') {
    const ce = rest.replace(/[\s.\-]/g, '');
    return /^[A-Z0-9]{8,12}$/.test(ce) && /\d/.test(ce) ? { type: 'ce', value: ce } : null;
  }
  // DNI, with the card's optional '-<check>' suffix that is not part of the number
  const dni = /^(\d{8})(?:-([0-9A-K]))?$/.exec(rest.replace(/[\s.]/g, ''));
  if (dni && kind !== 'ruc') {
    if (dni[2] !== undefined && !dniCheckOk(dni[1], dni[2])) return null;
    return { type: 'dni', value: dni[1] };
  }
  const digits = rest.replace(/[\s.\-]/g, '');
  if (!/^\d+$/.test(digits)) return null;
  if (digits.length === 11 && (kind === 'ruc' || /^(?:10|15|17|20)/.test(digits))) {
    return isValidRuc(digits) ? { type: 'ruc', value: digits } : null;
  }
  if (kind === null && digits.length >= 9 && digits.length <= 12) return { type: 'ce', value: digits };
  return null;
}

function parseCpf(input: string): string | null {
  const s = input.replace(DASHES, '-').replace(/^\s*CPF\s*(?:N[°º.o]?\s*)?:?\s*/i, '');
  if (!/^[\d\s.\-/]+$/.test(s)) return null;
  const d = s.replace(/\D/g, '');
  return isValidCpf(d) ? d : null;
}

export function normalizeNationalId(input: string | null | undefined, country: Country): NationalIdResult {
  if (typeof input !== 'string' || input.trim() === '') return { id: null, problem: 'missing' };
  if (input.length > MAX_INPUT) return { id: null, problem: 'invalid' };
  const s = input.normalize('NFKC').replace(/\u00a0/g, ' ');
  let id: NationalId | null = null;
  if (country === 'CL') {
    const v = parseRut(s);
    id = v ? { type: 'rut', value: v } : null;
  } else if (country === 'PE') {
    id = parsePe(s);
  } else if (country === 'BR') {
    const v = parseCpf(s);
    id = v ? { type: 'cpf', value: v } : null;
  }
  return id ? { id, problem: null } : { id: null, problem: 'invalid' };
}

// ---- free-text scanning ----------------------------------------------------

// All patterns are flat (no nested quantifiers) so matchAll stays linear.
const RUT_SEPARATED = /(?<![\d.])(\d{1,2}\.\d{3}\.\d{3}|\d{7,8}) ?[-\u2010-\u2015] ?([\dkK])(?![\dA-Za-z])/g;
const RUT_PLAIN = /(?<![\d+.\-$])(\d{7,8}[\dkK])(?![\dA-Za-z.\-])/g;
// Checked against the <=24 chars before a bare-digit candidate.
const ID_LABEL = /(?:\bRU[TN]|\bCPF|c[ée]dula|\bC\.I\.?|\bCI\b|carn[eé]t?|identidad|documento)[^\n\d]{0,16}$/i;
const PHONE_LABEL = /(?:tel|fone|fono|cel|m[oó]vil|whats|wsp|phone|contacto|\+\d{1,3})[^\n]{0,12}$/i;
const RUC_ANY = /(?<!\d)((?:10|15|17|20)\d{9})(?!\d)/g;
// "DNI 12345678", "D.N.I. N° 12345678", "Doc. Identidad 12345678-1", "Documento de identidad: …"
const DNI_LABELLED = /(?:\bD\.?N\.?I\b\.?|\bdoc(?:umento)?\.?\s{0,2}(?:de\s{1,2})?identidad|\bdocumento)\s{0,3}(?:N[°º.o]?\s{0,2})?:?\s{0,3}(\d{8})(?:-([0-9A-K]))?(?![\dA-Za-z])/gi;
const CPF_DOTTED = /(?<![\d.])(\d{3}\.\d{3}\.\d{3}-\d{2})(?![\d])/g;
const CPF_PLAIN = /(?<![\d+.\-])(\d{11})(?![\d])/g;

function before(text: string, index: number): string {
  return text.slice(Math.max(0, index - 24), index);
}

/** RUT bodies from 50 million up belong to companies: a footer's "RUT 76.543.210-3" is the sender's. */
const isCompanyRut = (v: string) => Number(v.split('-')[0]) >= 50_000_000;

function findRut(text: string): NationalId | null {
  for (const m of text.matchAll(RUT_SEPARATED)) {
    const v = parseRut(`${m[1]}-${m[2]}`);
    if (v && !isCompanyRut(v)) return { type: 'rut', value: v };
  }
  // Bare digits need an ID label: ~1 in 11 phone numbers or prices pass mod 11 by chance.
  for (const m of text.matchAll(RUT_PLAIN)) {
    if (!ID_LABEL.test(before(text, m.index))) continue;
    const v = parseRut(m[1]);
    if (v && !isCompanyRut(v)) return { type: 'rut', value: v };
  }
  return null;
}

function findPe(text: string): NationalId | null {
  // RUC 20… is a legal entity (a footer's company), not the person writing.
  for (const m of text.matchAll(RUC_ANY)) if (isValidRuc(m[1]) && !m[1].startsWith('20')) return { type: 'ruc', value: m[1] };
  // A bare 8-digit DNI has no checksum: only trust it right after a DNI label.
  for (const m of text.matchAll(DNI_LABELLED)) {
    if (m[2] !== undefined && !dniCheckOk(m[1], m[2].toUpperCase())) continue;
    return { type: 'dni', value: m[1] };
  }
  return null;
}

function findCpf(text: string): NationalId | null {
  for (const m of text.matchAll(CPF_DOTTED)) {
    const d = m[1].replace(/\D/g, '');
    if (isValidCpf(d)) return { type: 'cpf', value: d };
  }
  // Bare 11 digits are often a mobile (DDD + 9 + 8 digits): need a label or a non-phone shape.
  for (const m of text.matchAll(CPF_PLAIN)) {
    const ctx = before(text, m.index);
    const labelled = ID_LABEL.test(ctx);
    if (!labelled && (PHONE_LABEL.test(ctx) || /^[1-9]{2}9/.test(m[1]))) continue;
    if (isValidCpf(m[1])) return { type: 'cpf', value: m[1] };
  }
  return null;
}

export function findNationalIdInText(text: string, country: Country): NationalId | null {
  if (typeof text !== 'string' || text === '') return null;
  const t = text.slice(0, MAX_TEXT).replace(/\u00a0/g, ' ');
  if (country === 'CL') return findRut(t);
  if (country === 'PE') return findPe(t);
  if (country === 'BR') return findCpf(t);
  return null;
}

// ---- admin search ----------------------------------------------------------

/** Canonical values a search query could mean; [] when nothing parses. */
export function nationalIdSearchForms(q: string, country: Country): string[] {
  if (typeof q !== 'string' || q.trim() === '' || q.length > MAX_INPUT) return [];
  const out = new Set<string>();
  const { id } = normalizeNationalId(q, country);
  if (id) out.add(id.value);
  const digits = q.replace(/\D/g, '');
  const onlyNumber = /^[\d\s.\-]+$/.test(q.trim());
  if (country === 'CL' && onlyNumber && /^\d{7,8}$/.test(digits)) {
    out.add(`${digits.replace(/^0+/, '')}-${rutCheckDigit(digits)}`); // body typed without check digit
  }
  if (country === 'PE' && onlyNumber) {
    // A person's RUC is 10 + DNI + check: searching one should find the other.
    const dni = id?.type === 'dni' ? id.value : digits.length === 7 ? `0${digits}` : null;
    if (dni) {
      out.add(dni);
      const ruc10 = `10${dni}`;
      out.add(ruc10 + rucCheckDigit(ruc10));
    }
    if (id?.type === 'ruc' && id.value.startsWith('10')) out.add(id.value.slice(2, 10));
  }
  return [...out];
}
