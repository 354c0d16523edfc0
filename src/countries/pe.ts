// Peru: DNI (8 digits, no checksum of its own), C.E. (carné de extranjería), RUC (11 digits, mod 11).
// Rules: shared/reference/national-ids-and-phones.md §2-3.
import { DASHES, bad, checkReason, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

export function rucCheckDigit(first10: string): number {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(first10[i]) * w[i];
  return (11 - (sum % 11)) % 10;
}

const RUC_PREFIX = /^(?:10|15|17|20)/;

function checkRuc(d: string): IdCheck {
  if (!/^\d{11}$/.test(d) || !RUC_PREFIX.test(d)) return bad('un RUC tiene 11 dígitos y empieza con 10, 15, 17 o 20');
  const expected = String(rucCheckDigit(d));
  return expected === d[10] ? ok('ruc', d) : bad(checkReason('RUC', expected, d[10]));
}

/** The DNI card's check character (not part of the number): numeric, or a letter before 2007. */
function dniCheck(dni: string): [string, string] {
  const w = [3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(dni[i]) * w[i];
  const c = sum % 11;
  return ['65432110987'[c], 'KJIHGFEDCBA'[c]];
}
const dniCheckOk = (dni: string, check: string) => dniCheck(dni).includes(check);

function checkDni(s: string): IdCheck {
  const m = /^(\d{8})(?:-([0-9A-K]))?$/.exec(s.toUpperCase().replace(DASHES, '-').replace(/[\s.]/g, ''));
  if (!m) return bad('un DNI tiene 8 dígitos (con los ceros iniciales)');
  if (m[2] !== undefined && !dniCheckOk(m[1], m[2])) return bad(checkReason('DNI (carné)', dniCheck(m[1]).join(' o '), m[2]));
  return ok('dni', m[1]);
}

function checkCe(s: string): IdCheck {
  const ce = s.toUpperCase().replace(/[\s.\-]/g, '');
  return /^[A-Z0-9]{8,12}$/.test(ce) && /\d/.test(ce) ? ok('ce', ce) : bad('un C.E. tiene de 8 a 12 letras y dígitos');
}

const dni: IdKind = { type: 'dni', name: 'DNI', labels: ['DNI', 'D.N.I.', 'Documento de identidad', 'Doc. Identidad'], checkDigit: false, personal: true, validate: checkDni, format: (v) => v };
const ce: IdKind = { type: 'ce', name: 'C.E.', labels: ['C.E.', 'CE', 'Carné de extranjería'], checkDigit: false, personal: true, validate: checkCe, format: (v) => v };
const ruc: IdKind = {
  type: 'ruc', name: 'RUC', labels: ['RUC', 'R.U.C.'], checkDigit: true, personal: true,
  validate: (s) => checkRuc(s.replace(DASHES, '-').replace(/[\s.\-]/g, '')),
  format: (v) => v,
};

/** A field's value: the label, when present, says which kind; otherwise the shape does. */
function parsePe(input: string): IdCheck {
  const up = input.toUpperCase().replace(DASHES, '-').trim();
  const label = /^(D\.?\s?N\.?\s?I|R\.?U\.?C|C\.?\s?E\.?|CARN[EÉ](?:\s+DE\s+EXTRANJER[IÍ]A)?)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/.exec(up);
  const kind = label ? (/^D/.test(label[1]) ? 'dni' : /^R/.test(label[1]) ? 'ruc' : 'ce') : null;
  const rest = label ? up.slice(label[0].length) : up;

  if (kind === 'ce') return checkCe(rest);
  // DNI, with the card's optional '-<check>' suffix that is not part of the number
  if (kind !== 'ruc' && /^\d{8}(?:-[0-9A-K])?$/.test(rest.replace(/[\s.]/g, ''))) return checkDni(rest);
  const digits = rest.replace(/[\s.\-]/g, '');
  if (!/^\d+$/.test(digits)) return bad('no es un DNI, C.E. ni RUC: hay letras donde van dígitos');
  if (digits.length === 11 && (kind === 'ruc' || RUC_PREFIX.test(digits))) return checkRuc(digits);
  if (kind === null && digits.length >= 9 && digits.length <= 12) return ok('ce', digits);
  return bad(kind === 'ruc' ? 'un RUC tiene 11 dígitos' : `${digits.length} dígitos: un DNI tiene 8 y un RUC 11`);
}

const RUC_ANY = /(?<!\d)((?:10|15|17|20)\d{9})(?!\d)/g;
// "DNI 12345678", "D.N.I. N° 12345678", "Doc. Identidad 12345678-1", "Documento de identidad: …"
const DNI_LABELLED = /(?:\bD\.?N\.?I\b\.?|\bdoc(?:umento)?\.?\s{0,2}(?:de\s{1,2})?identidad|\bdocumento)\s{0,3}(?:N[°º.o]?\s{0,2})?:?\s{0,3}(\d{8})(?:-([0-9A-K]))?(?![\dA-Za-z])/gi;

function findPe(text: string): NationalId | null {
  // RUC 20… is a legal entity (a footer's company), not the person writing.
  return (
    firstId(text, RUC_ANY, (m) => (checkRuc(m[1]).id && !m[1].startsWith('20') ? { type: 'ruc', value: m[1] } : null)) ??
    // A bare 8-digit DNI has no checksum: only trust it right after a DNI label.
    firstId(text, DNI_LABELLED, (m) => (m[2] !== undefined && !dniCheckOk(m[1], m[2].toUpperCase()) ? null : { type: 'dni', value: m[1] }))
  );
}

/** A person's RUC is 10, the DNI and a check digit (a company's starts 20: another person). */
function samePersonPe(id: NationalId): string[] {
  if (id.type === 'dni') {
    const ruc10 = `10${id.value}`;
    return [ruc10 + rucCheckDigit(ruc10)];
  }
  if (id.type === 'ruc' && id.value.startsWith('10')) return [id.value.slice(2, 10)];
  return [];
}

export const PE: CountryModule<'PE'> = {
  code: 'PE',
  name: 'Perú',
  language: 'es',
  idLabel: 'DNI/C.E./RUC',
  ids: [dni, ce, ruc],
  parseId: parsePe,
  findId: findPe,
  searchForms(q, id) {
    if (!/^[\d\s.\-]+$/.test(q.trim())) return [];
    // A person's RUC is 10 + DNI + check: searching one should find the other.
    const digits = q.replace(/\D/g, '');
    const dniValue = id?.type === 'dni' ? id.value : digits.length === 7 ? `0${digits}` : null;
    if (dniValue) return [dniValue, ...samePersonPe({ type: 'dni', value: dniValue })];
    return id ? samePersonPe(id) : [];
  },
  samePerson: samePersonPe,
  phone: { region: 'PE', callingCode: '51', isMobile: isMobileType },
  holidays: (year) => nationalHolidays('PE', year),
  samples: {
    id: '10054148289', value: '10054148289', type: 'ruc',
    sentence: 'Buenas tardes, mi RUC es 10054148289, quisiera información.',
    phone: '987 654 321', e164: '+51987654321',
  },
};
