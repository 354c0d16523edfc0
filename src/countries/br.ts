// Brazil: CPF with its two check digits (shared/reference/national-ids-and-phones.md §4).
import { DASHES, ID_LABEL, PHONE_LABEL, bad, before, checkReasonPt, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

function cpfDigit(digits: string, firstWeight: number): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (firstWeight - i);
  return ((11 - (sum % 11)) % 11) % 10;
}

function checkCpfDigits(d: string): IdCheck {
  if (!/^\d{11}$/.test(d)) return bad('um CPF tem 11 dígitos');
  // Repeated digits pass the arithmetic but are never issued.
  if (/^(\d)\1{10}$/.test(d)) return bad('um CPF de um único dígito repetido nunca é emitido');
  const d1 = cpfDigit(d.slice(0, 9), 10);
  const d2 = cpfDigit(d.slice(0, 9) + d1, 11);
  const expected = `${d1}${d2}`;
  return expected === d.slice(9) ? ok('cpf', d) : bad(checkReasonPt('CPF', expected, d.slice(9)));
}

function validateCpf(input: string): IdCheck {
  const s = input.replace(DASHES, '-').replace(/^\s*CPF\s*(?:N[°º.o]?\s*)?:?\s*/i, '');
  if (!/^[\d\s.\-/]+$/.test(s)) return bad('um CPF se escreve só com dígitos, pontos e um hífen');
  return checkCpfDigits(s.replace(/\D/g, ''));
}

const cpf: IdKind = {
  type: 'cpf',
  name: 'CPF',
  labels: ['CPF', 'C.P.F.'],
  checkDigit: true,
  personal: true,
  validate: validateCpf,
  format: (v) => v.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4'),
};

// CNPJ: a company's number (14 digits, two check digits). Recognised so that a "CPF/CNPJ" field
// holding one reads as a company buyer, never as a person's CPF.
function cnpjDigit(digits: string): number {
  const weights = digits.length === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

function checkCnpj(d: string): IdCheck {
  if (!/^\d{14}$/.test(d) || /^(\d)\1{13}$/.test(d)) return bad('um CNPJ tem 14 dígitos');
  const d1 = cnpjDigit(d.slice(0, 12));
  const d2 = cnpjDigit(d.slice(0, 12) + d1);
  return `${d1}${d2}` === d.slice(12) ? ok('cnpj', d) : bad(checkReasonPt('CNPJ', `${d1}${d2}`, d.slice(12)));
}

const cnpj: IdKind = {
  type: 'cnpj',
  name: 'CNPJ',
  labels: ['CNPJ', 'C.N.P.J.'],
  checkDigit: true,
  personal: false,
  validate: (input) => checkCnpj(input.replace(/^\s*CNPJ\s*:?\s*/i, '').replace(/\D/g, '')),
  format: (v) => v.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5'),
};

/** A "CPF/CNPJ" field: 14 digits are a CNPJ (a company), otherwise a CPF. */
function parseBr(input: string): IdCheck {
  const s = input.replace(/^\s*(CPF\s*\/\s*CNPJ|CNPJ)\s*(?:N[°º.o]?\s*)?:?\s*/i, '');
  const digits = s.replace(/\D/g, '');
  if (digits.length === 14 && /^[\d\s.\-/]+$/.test(s)) return checkCnpj(digits);
  return validateCpf(s);
}

const CPF_DOTTED = /(?<![\d.])(\d{3}\.\d{3}\.\d{3}-\d{2})(?![\d])/g;
const CPF_PLAIN = /(?<![\d+.\-])(\d{11})(?![\d])/g;

function findCpf(text: string): NationalId | null {
  return (
    firstId(text, CPF_DOTTED, (m) => checkCpfDigits(m[1].replace(/\D/g, '')).id) ??
    // Bare 11 digits are often a mobile (DDD + 9 + 8 digits): need a label or a non-phone shape.
    firstId(text, CPF_PLAIN, (m) => {
      const ctx = before(text, m.index);
      const labelled = ID_LABEL.test(ctx);
      if (!labelled && (PHONE_LABEL.test(ctx) || /^[1-9]{2}9/.test(m[1]))) return null;
      return checkCpfDigits(m[1]).id;
    })
  );
}

export const BR: CountryModule<'BR'> = {
  code: 'BR',
  name: 'Brasil',
  language: 'pt',
  idLabel: 'CPF',
  ids: [cpf, cnpj],
  parseId: parseBr,
  findId: findCpf,
  phone: { region: 'BR', callingCode: '55', isMobile: isMobileType },
  holidays: (year) => nationalHolidays('BR', year, ['bank']),
  samples: {
    id: '390.533.447-05', value: '39053344705', type: 'cpf',
    sentence: 'Olá, meu CPF é 390.533.447-05, aguardo retorno.',
    phone: '(11) 96123-4567', e164: '+5511961234567',
  },
};
