// Chile: RUT/RUN with its modulo-11 check character (shared/reference/national-ids-and-phones.md §1).
import { DASHES, ID_LABEL, bad, before, checkReason, dotted, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

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

/** Canonical '12345678-5'. Accepts dots, spaces, lowercase k, 'CL'/'RUT:' prefixes. */
function validateRut(input: string): IdCheck {
  const s = input
    .toUpperCase()
    .replace(DASHES, '-')
    .replace(/^\s*(?:CL)?\s*(?:R\.?U\.?[TN]\.?)?\s*(?:N[°º.O]?\s*)?:?\s*/, '')
    .replace(/[\s.\-]/g, '');
  const m = /^0*(\d{7,8})([\dK])$/.exec(s);
  if (!m) return bad('un RUT tiene 7 u 8 dígitos y un dígito verificador (0-9 o K)');
  const expected = rutCheckDigit(m[1]);
  return expected === m[2] ? ok('rut', `${m[1]}-${m[2]}`) : bad(checkReason('RUT', expected, m[2]));
}

const rut: IdKind = {
  type: 'rut',
  name: 'RUT',
  labels: ['RUT', 'R.U.T.', 'RUN', 'R.U.N.', 'C.I.', 'Cédula de identidad'],
  checkDigit: true,
  personal: true,
  validate: validateRut,
  format: (v) => {
    const [body, check] = v.split('-');
    return `${dotted(body)}-${check}`;
  },
};

// All patterns are flat (no nested quantifiers) so matchAll stays linear.
const RUT_SEPARATED = /(?<![\d.])(\d{1,2}\.\d{3}\.\d{3}|\d{7,8}) ?[-\u2010-\u2015] ?([\dkK])(?![\dA-Za-z])/g;
const RUT_PLAIN = /(?<![\d+.\-$])(\d{7,8}[\dkK])(?![\dA-Za-z.\-])/g;

/** RUT bodies from 50 million up belong to companies: a footer's "RUT 76.543.210-3" is the sender's. */
const isCompanyRut = (v: string) => Number(v.split('-')[0]) >= 50_000_000;

const personRut = ({ id }: IdCheck): NationalId | null => (id && !isCompanyRut(id.value) ? id : null);

function findRut(text: string): NationalId | null {
  return (
    firstId(text, RUT_SEPARATED, (m) => personRut(validateRut(`${m[1]}-${m[2]}`))) ??
    // Bare digits need an ID label: ~1 in 11 phone numbers or prices pass mod 11 by chance.
    firstId(text, RUT_PLAIN, (m) => (ID_LABEL.test(before(text, m.index)) ? personRut(validateRut(m[1])) : null))
  );
}

export const CL: CountryModule<'CL'> = {
  code: 'CL',
  name: 'Chile',
  language: 'es',
  idLabel: 'RUT',
  ids: [rut],
  parseId: validateRut,
  findId: findRut,
  searchForms(q) {
    // A body typed without its check digit.
    const digits = q.replace(/\D/g, '');
    if (!/^[\d\s.\-]+$/.test(q.trim()) || !/^\d{7,8}$/.test(digits)) return [];
    return [`${digits.replace(/^0+/, '')}-${rutCheckDigit(digits)}`];
  },
  phone: {
    region: 'CL',
    callingCode: '56',
    // Pre-2012 mobile: trunk 0 + 8 digits ('09-1234567'); a '9' was prepended to all mobiles.
    legacy(digits) {
      const m = /^0?([5-9]\d{7})$/.exec(digits);
      return m ? [`+569${m[1]}`] : [];
    },
    isMobile: isMobileType,
  },
  holidays: (year) => nationalHolidays('CL', year),
  samples: {
    id: '12.345.678-5', value: '12345678-5', type: 'rut',
    sentence: 'Hola, mi rut es 12.345.678-5 y quiero cotizar.',
    phone: '9 8765 4321', e164: '+56987654321',
  },
};
