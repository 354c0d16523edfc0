// Argentina: DNI (7-8 digits, no check digit) and CUIT/CUIL (11 digits: type prefix, the DNI and a
// modulo-11 check digit). Check digit as in python-stdnum stdnum/ar/cuit.py.
import { DASHES, ID_LABEL, bad, before, checkReason, dotted, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

export function cuitCheckDigit(first10: string): string {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(first10[i]) * w[i];
  // 10 cannot be a digit: such numbers are issued with prefix 23/33 instead, and stdnum maps it to 9.
  return '012345678990'[11 - (sum % 11)];
}

const PERSON_PREFIX = /^(?:20|23|24|27)/;
const CUIT_PREFIX = /^(?:20|23|24|27|30|33|34)/;

function checkCuit(input: string): IdCheck {
  const d = input.replace(/[\s.\-]/g, '');
  if (!/^\d{11}$/.test(d) || !CUIT_PREFIX.test(d)) return bad('un CUIT/CUIL tiene 11 dígitos y empieza con 20, 23, 24, 27, 30, 33 o 34');
  const expected = cuitCheckDigit(d);
  if (expected !== d[10]) return bad(checkReason('CUIT/CUIL', expected, d[10]));
  // Prefixes 30/33/34 are companies': a company buyer, not a person's ID.
  return PERSON_PREFIX.test(d) ? ok('cuit', d) : ok('cuit-empresa', d);
}

function checkDni(input: string): IdCheck {
  const d = input.replace(/[\s.]/g, '');
  if (!/^\d{7,8}$/.test(d)) return bad('un DNI tiene 7 u 8 dígitos');
  return ok('dni', d.replace(/^0+/, ''));
}

const dni: IdKind = {
  type: 'dni', name: 'DNI', labels: ['DNI', 'D.N.I.', 'Documento Nacional de Identidad'],
  checkDigit: false, personal: true, validate: checkDni, format: dotted,
};
const cuit: IdKind = {
  type: 'cuit', name: 'CUIT/CUIL', labels: ['CUIT', 'CUIL', 'C.U.I.T.', 'C.U.I.L.'],
  checkDigit: true, personal: true, validate: checkCuit,
  format: (v) => `${v.slice(0, 2)}-${v.slice(2, 10)}-${v.slice(10)}`,
};

const cuitEmpresa: IdKind = { ...cuit, type: 'cuit-empresa', name: 'CUIT (empresa)', labels: ['CUIT'], personal: false };

const LABEL = /^\s*(C\.?\s?U\.?\s?I\.?\s?[TL]|D\.?\s?N\.?\s?I)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/i;

function parseAr(input: string): IdCheck {
  const label = LABEL.exec(input);
  const rest = (label ? input.slice(label[0].length) : input).replace(DASHES, '-').trim();
  const digits = rest.replace(/[\s.\-]/g, '');
  if (label && /^C/i.test(label[1])) return checkCuit(rest);
  if (digits.length === 11) return checkCuit(rest);
  if (/^[\d\s.]+$/.test(rest)) return checkDni(rest);
  return bad('no es un DNI (7 u 8 dígitos) ni un CUIT/CUIL (11)');
}

const CUIT_DASHED = /(?<![\d.\-])(\d{2}[-\u2010-\u2015]\d{8}[-\u2010-\u2015]\d)(?![\d])/g;
const CUIT_PLAIN = /(?<![\d+.\-])(\d{11})(?![\d])/g;
const CUIT_LABEL = /\bC\.?U\.?I\.?[TL]\b[^\n\d]{0,16}$/i;
// A bare DNI has no checksum: only trusted right after its label.
const DNI_IN_TEXT = /\bD\.?N\.?I\b\.?\s{0,3}(?:N[°º.o]?\s{0,2})?(?:es\s{1,2})?:?\s{0,3}(\d{1,2}\.\d{3}\.\d{3}|\d{7,8})(?![\d\-\u2010-\u2015])/gi;

// Prefixes 30/33/34 are companies' (a footer's), not the person writing.
const personCuit = ({ id }: IdCheck): NationalId | null => (id && PERSON_PREFIX.test(id.value) ? id : null);

function findAr(text: string): NationalId | null {
  return (
    firstId(text, CUIT_DASHED, (m) => personCuit(checkCuit(m[1].replace(DASHES, '-')))) ??
    // Bare 11 digits could be a phone: need a label.
    firstId(text, CUIT_PLAIN, (m) => {
      const ctx = before(text, m.index);
      return CUIT_LABEL.test(ctx) || ID_LABEL.test(ctx) ? personCuit(checkCuit(m[1])) : null;
    }) ??
    firstId(text, DNI_IN_TEXT, (m) => checkDni(m[1]).id)
  );
}

/** A person's CUIT/CUIL is a prefix, the DNI (8 digits) and a check digit. */
function samePersonAr(id: NationalId): string[] {
  if (id.type === 'dni') {
    const body = id.value.padStart(8, '0');
    return ['20', '23', '24', '27'].map((p) => p + body + cuitCheckDigit(p + body));
  }
  if (id.type === 'cuit' && PERSON_PREFIX.test(id.value)) return [id.value.slice(2, 10).replace(/^0+/, '')];
  return [];
}

export const AR: CountryModule<'AR'> = {
  code: 'AR',
  name: 'Argentina',
  language: 'es',
  idLabel: 'DNI/CUIT',
  ids: [dni, cuit, cuitEmpresa],
  parseId: parseAr,
  findId: findAr,
  searchForms: (_q, id) => (id ? samePersonAr(id) : []),
  samePerson: samePersonAr,
  phone: { region: 'AR', callingCode: '54', isMobile: isMobileType },
  holidays: (year) => nationalHolidays('AR', year),
  samples: {
    id: '20-05536168-2', value: '20055361682', type: 'cuit',
    sentence: 'Hola, mi CUIL es 20-05536168-2, espero respuesta.',
    phone: '011 15 2345-6789', e164: '+5491123456789',
  },
};
