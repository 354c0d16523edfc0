// Ecuador: cédula de identidad (10 digits: province 01-24 or 30, a third digit below 6 for people,
// a modulo-10 check digit) and RUC (13 digits: a person's is the cédula plus 001; companies' have a
// modulo-11 check, third digit 9 private, 6 public). Algorithms as in python-stdnum (stdnum/ec/ci.py,
// stdnum/ec/ruc.py).
import { DASHES, bad, before, checkReason, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

export function ciCheckDigit(first9: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const p = Number(first9[i]) * (i % 2 === 0 ? 2 : 1);
    sum += p > 9 ? p - 9 : p;
  }
  return String((10 - (sum % 10)) % 10);
}

const provinceOk = (d: string) => { const p = Number(d.slice(0, 2)); return (p >= 1 && p <= 24) || p === 30; };

function checkCi(input: string): IdCheck {
  const d = input.replace(DASHES, '-').replace(/[\s.-]/g, '');
  if (!/^\d{10}$/.test(d)) return bad('una cédula tiene 10 dígitos');
  if (!provinceOk(d)) return bad(`${d.slice(0, 2)} no es un código de provincia`);
  if (Number(d[2]) >= 6) return bad('la cédula de una persona tiene el tercer dígito menor que 6');
  const expected = ciCheckDigit(d);
  return expected === d[9] ? ok('ci', d) : bad(checkReason('cédula', expected, d[9], 'f'));
}

function mod11(body: string, weights: number[]): string {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(body[i]) * weights[i];
  const r = 11 - (sum % 11);
  return r === 11 ? '0' : String(r);
}

function checkRuc(input: string): IdCheck {
  const d = input.replace(DASHES, '-').replace(/[\s.-]/g, '');
  if (!/^\d{13}$/.test(d)) return bad('un RUC tiene 13 dígitos');
  if (!provinceOk(d)) return bad(`${d.slice(0, 2)} no es un código de provincia`);
  const third = Number(d[2]);
  if (third < 6) {
    const ci = checkCi(d.slice(0, 10));
    if (!ci.id) return ci;
    return d.slice(10) === '001' ? ok('ruc', d) : bad('el RUC de una persona es su cédula seguida de 001');
  }
  if (third === 9) {
    const expected = mod11(d, [4, 3, 2, 7, 6, 5, 4, 3, 2]);
    return expected === d[9] ? ok('ruc', d) : bad(checkReason('RUC', expected, d[9]));
  }
  if (third === 6) {
    const expected = mod11(d, [3, 2, 7, 6, 5, 4, 3, 2]);
    return expected === d[8] ? ok('ruc', d) : bad(checkReason('RUC', expected, d[8]));
  }
  return bad(`un RUC nunca tiene ${third} como tercer dígito`);
}

const ci: IdKind = {
  type: 'ci', name: 'Cédula', labels: ['Cédula', 'Cédula de identidad', 'C.I.', 'CI'],
  checkDigit: true, personal: true, validate: checkCi, format: (v) => `${v.slice(0, 9)}-${v[9]}`,
};
const ruc: IdKind = {
  type: 'ruc', name: 'RUC', labels: ['RUC', 'R.U.C.'], checkDigit: true, personal: true, validate: checkRuc, format: (v) => v,
};

const LABEL = /^\s*(R\.?\s?U\.?\s?C|C\.?\s?I|C[EÉ]DULA(?:\s+DE\s+IDENTIDAD)?)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/i;

function parseEc(input: string): IdCheck {
  const label = LABEL.exec(input);
  const rest = label ? input.slice(label[0].length) : input;
  const digits = rest.replace(/\D/g, '');
  if ((label && /^R/i.test(label[1])) || digits.length === 13) return checkRuc(rest);
  return checkCi(rest);
}

const IN_TEXT = /(?<![\d-])(\d{9}-?\d(?:\d{3})?)(?![\d-])/g;
const LABEL_BEFORE = /(?:c[ée]dula|\bC\.?I\b\.?|\bRUC\b|identidad|documento)[^\n\d]{0,16}$/i;

function findEc(text: string): NationalId | null {
  return firstId(text, IN_TEXT, (m) => {
    // Ten digits with a check digit still look like a phone (09X…): only beside an ID word.
    if (!LABEL_BEFORE.test(before(text, m.index))) return null;
    const { id } = m[1].replace('-', '').length === 13 ? checkRuc(m[1]) : checkCi(m[1]);
    // A company's RUC (third digit 6 or 9) in a footer is the sender's.
    return id && !(id.type === 'ruc' && Number(id.value[2]) >= 6) ? id : null;
  });
}

export const EC: CountryModule<'EC'> = {
  code: 'EC',
  name: 'Ecuador',
  language: 'es',
  idLabel: 'Cédula/RUC',
  ids: [ci, ruc],
  parseId: parseEc,
  findId: findEc,
  searchForms(_q, id) {
    if (id?.type === 'ci') return [`${id.value}001`];
    if (id?.type === 'ruc' && id.value.endsWith('001') && Number(id.value[2]) < 6) return [id.value.slice(0, 10)];
    return [];
  },
  phone: { region: 'EC', callingCode: '593', isMobile: isMobileType },
  holidays: (year) => nationalHolidays('EC', year),
  samples: {
    id: '1710034065', value: '1710034065', type: 'ci',
    sentence: 'Buenas tardes, mi cédula es 1710034065, quedo atento.',
    phone: '099 123 4567', e164: '+593991234567',
  },
};
