// Uruguay: cédula de identidad (C.I.), 6-7 digits and a check digit (weights 2,9,8,7,6,3,4 over the
// number padded to 7 digits; check = (10 - sum mod 10) mod 10), written 1.234.567-2 (the DNIC's
// algorithm, from general knowledge: no reference in ../shared/reference covers Uruguay).
import { DASHES, bad, checkReason, dotted, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

export function uyCheckDigit(body: string): string {
  const w = [2, 9, 8, 7, 6, 3, 4];
  const b = body.padStart(7, '0');
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(b[i]) * w[i];
  return String((10 - (sum % 10)) % 10);
}

function checkCi(input: string): IdCheck {
  const m = /^(\d{6,7})-?(\d)$/.exec(input.replace(DASHES, '-').replace(/[\s.]/g, ''));
  if (!m) return bad('una C.I. tiene 6 o 7 dígitos y un dígito verificador');
  const expected = uyCheckDigit(m[1]);
  return expected === m[2] ? ok('ci', `${m[1].padStart(7, '0')}${m[2]}`) : bad(checkReason('C.I.', expected, m[2], 'f'));
}

const ci: IdKind = {
  type: 'ci', name: 'C.I.', labels: ['C.I.', 'CI', 'Cédula', 'Cédula de identidad'],
  checkDigit: true, personal: true, validate: checkCi,
  format: (v) => `${dotted(v.slice(0, 7).replace(/^0+/, ''))}-${v[7]}`,
};

const LABEL = /^\s*(C\.?\s?I|C[EÉ]DULA(?:\s+DE\s+IDENTIDAD)?)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/i;

function parseUy(input: string): IdCheck {
  const label = LABEL.exec(input);
  return checkCi(label ? input.slice(label[0].length) : input);
}

// Dotted with its dash ("1.234.567-2") is an ID by its shape; bare digits only beside an ID word.
const DOTTED = /(?<![\d.])(\d\.\d{3}\.\d{3}\s?[-\u2010-\u2015]\s?\d)(?![\d])/g;
const LABELLED = /(?:c[ée]dula(?:\s{1,2}de\s{1,2}identidad)?|\bC\.?I\b\.?|documento)\s{0,3}(?:N[°º.o]?\s{0,2})?(?:es\s{1,2})?:?\s{0,3}(\d[\d.]{5,9}\s?[-\u2010-\u2015]?\s?\d)(?![\d])/gi;

function findUy(text: string): NationalId | null {
  return firstId(text, DOTTED, (m) => checkCi(m[1]).id) ?? firstId(text, LABELLED, (m) => checkCi(m[1]).id);
}

export const UY: CountryModule<'UY'> = {
  code: 'UY',
  name: 'Uruguay',
  language: 'es',
  idLabel: 'C.I.',
  ids: [ci],
  parseId: parseUy,
  findId: findUy,
  phone: { region: 'UY', callingCode: '598', isMobile: isMobileType },
  holidays: (year) => nationalHolidays('UY', year),
  samples: {
    id: '1.234.567-2', value: '12345672', type: 'ci',
    sentence: 'Hola, mi cédula es 1.234.567-2, gracias.',
    phone: '094 123 456', e164: '+59894123456',
  },
};
