// Colombia: cédula de ciudadanía (6-10 digits, no check digit) and NIT (a number plus a modulo-11
// check digit; a person's NIT is their cédula plus it). Check digit as in python-stdnum stdnum/co/nit.py.
import { DASHES, bad, checkReason, dotted, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

export function nitCheckDigit(body: string): string {
  const w = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * w[i];
  return '01987654321'[sum % 11];
}

function checkCc(input: string): IdCheck {
  const d = input.replace(/[\s.]/g, '');
  if (!/^\d{6,10}$/.test(d)) return bad('una cédula de ciudadanía tiene de 6 a 10 dígitos');
  return ok('cc', d.replace(/^0+/, ''));
}

/** Canonical '213123432-1': the dash keeps a NIT apart from a 10-digit cédula. */
function checkNit(input: string): IdCheck {
  const m = /^(\d{6,15})-?(\d)$/.exec(input.replace(DASHES, '-').replace(/[\s.]/g, ''));
  if (!m) return bad('un NIT tiene de 6 a 15 dígitos y un dígito verificador');
  const expected = nitCheckDigit(m[1]);
  return expected === m[2] ? ok('nit', `${m[1]}-${m[2]}`) : bad(checkReason('NIT', expected, m[2]));
}

const cc: IdKind = {
  type: 'cc', name: 'C.C.', labels: ['C.C.', 'Cédula de ciudadanía', 'Cédula'],
  checkDigit: false, personal: true, validate: checkCc, format: dotted,
};
const nit: IdKind = {
  type: 'nit', name: 'NIT', labels: ['NIT', 'N.I.T.'], checkDigit: true, personal: true, validate: checkNit,
  format: (v) => {
    const [body, check] = v.split('-');
    return `${dotted(body)}-${check}`;
  },
};

const LABEL = /^\s*(N\.?\s?I\.?\s?T|C\.?\s?C|C[EÉ]DULA(?:\s+DE\s+CIUDADAN[IÍ]A)?)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/i;

function parseCo(input: string): IdCheck {
  const label = LABEL.exec(input);
  const rest = (label ? input.slice(label[0].length) : input).replace(DASHES, '-').trim();
  if (label && /^N/i.test(label[1])) return checkNit(rest);
  // A dash before one final digit is a NIT's check digit; a cédula is written without one.
  if (/-\s?\d$/.test(rest)) return checkNit(rest);
  return checkCc(rest);
}

// 9-digit NITs from 800 million up are companies' (a footer's "NIT 900.123.456-7").
const isCompanyNit = (v: string) => /^[89]\d{8}-/.test(v);

const NIT_IN_TEXT = /\bN\.?I\.?T\b\.?\s{0,3}(?:N[°º.o]?\s{0,2})?(?:es\s{1,2})?:?\s{0,3}(\d[\d.]{5,18}\s?[-\u2010-\u2015]\s?\d)(?![\d])/gi;
// A cédula has no check digit: only trusted right after its label.
const CC_IN_TEXT = /(?:\bC\.\s?C\.?|\bCC\b|c[ée]dula(?:\s{1,2}de\s{1,2}ciudadan[ií]a)?)\s{0,3}(?:N[°º.o]?\s{0,2})?(?:es\s{1,2})?:?\s{0,3}(\d{1,3}(?:\.\d{3}){1,3}|\d{6,10})(?![\d\-\u2010-\u2015])/gi;

function findCo(text: string): NationalId | null {
  return (
    firstId(text, NIT_IN_TEXT, (m) => {
      const { id } = checkNit(m[1]);
      return id && !isCompanyNit(id.value) ? id : null;
    }) ?? firstId(text, CC_IN_TEXT, (m) => checkCc(m[1]).id)
  );
}

export const CO: CountryModule<'CO'> = {
  code: 'CO',
  name: 'Colombia',
  language: 'es',
  idLabel: 'C.C./NIT',
  ids: [cc, nit],
  parseId: parseCo,
  findId: findCo,
  searchForms(_q, id) {
    // A person's NIT is the cédula plus a check digit: searching one should find the other.
    if (id?.type === 'cc') return [`${id.value}-${nitCheckDigit(id.value)}`];
    if (id?.type === 'nit') return [id.value.split('-')[0]];
    return [];
  },
  phone: {
    region: 'CO',
    callingCode: '57',
    // Since 2021 fixed lines are 60 + the old one-digit area code + 7 digits: '(1) 234 5678' is 601 234 5678.
    legacy(digits) {
      const m = /^0?([1-8])(\d{7})$/.exec(digits);
      return m ? [`+5760${m[1]}${m[2]}`] : [];
    },
    isMobile: isMobileType,
  },
  holidays: (year) => nationalHolidays('CO', year),
  samples: {
    id: '213.123.432-1', value: '213123432-1', type: 'nit',
    sentence: 'Hola, mi NIT es 213.123.432-1, quedo atento.',
    phone: '300 123 4567', e164: '+573001234567',
  },
};
