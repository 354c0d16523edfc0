// Mexico: CURP (18 characters, check digit) is the personal ID; a person's RFC (13 characters) is
// recognised (parsed, formatted, found in text) but is a tax ID, not a personal one: a lead with only
// an RFC lacks its national ID. A company's RFC (12) is refused. Algorithms as in python-stdnum
// (stdnum/mx/curp.py, stdnum/mx/rfc.py).
import { DASHES, bad, checkReason, firstId, isMobileType, ok } from './shared.ts';
import type { CountryModule, IdCheck, IdKind, NationalId } from './types.ts';
import { nationalHolidays } from './holidays.ts';

const CURP_ALPHABET = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ';
// Two-letter birth states; NE = born abroad.
const STATES = new Set('AS BC BS CC CH CL CM CS DF DG GR GT HG JC MC MN MS NE NL NT OC PL QR QT SL SP SR TC TL TS VZ YN ZS'.split(' '));
// Words RENAPO and SAT never issue as the first four letters (an X replaces a letter).
const BLOCKED = new Set('BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY'.split(' '));

export function curpCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CURP_ALPHABET.indexOf(first17[i]) * (18 - i);
  return String((10 - (sum % 10)) % 10);
}

function dateOk(yy: string, mm: string, dd: string, century: number): boolean {
  const y = century + Number(yy);
  const d = new Date(Date.UTC(y, Number(mm) - 1, Number(dd)));
  return d.getUTCFullYear() === y && d.getUTCMonth() === Number(mm) - 1 && d.getUTCDate() === Number(dd);
}

const compact = (s: string) => s.toUpperCase().replace(DASHES, '-').replace(/[\s\-_.]/g, '');

function checkCurp(input: string): IdCheck {
  const c = compact(input);
  if (!/^[A-Z]{4}\d{6}[A-Z]{6}[0-9A-Z]\d$/.test(c)) return bad('una CURP tiene 4 letras, 6 dígitos, 6 letras, una letra o dígito y un dígito verificador');
  if (BLOCKED.has(c.slice(0, 4))) return bad(`una CURP nunca empieza con ${c.slice(0, 4)}`);
  // The 17th character is a digit for people born before 2000, a letter after.
  if (!dateOk(c.slice(4, 6), c.slice(6, 8), c.slice(8, 10), /\d/.test(c[16]) ? 1900 : 2000)) return bad(`la fecha de nacimiento ${c.slice(4, 10)} de la CURP no existe`);
  if (c[10] !== 'H' && c[10] !== 'M') return bad(`el sexo de la CURP es H o M, no ${c[10]}`);
  if (!STATES.has(c.slice(11, 13))) return bad(`${c.slice(11, 13)} no es un código de estado de la CURP`);
  const expected = curpCheckDigit(c);
  return expected === c[17] ? ok('curp', c) : bad(checkReason('CURP', expected, c[17], 'f'));
}

// The RFC's last character is a check digit, but about 1.5% of RFCs in use fail it (stdnum leaves
// the check off by default): a valid client must not be refused, so only shape and date count.
function checkRfc(input: string): IdCheck {
  const c = compact(input);
  if (/^[A-Z&Ñ]{3}\d{6}[0-9A-Z]{3}$/.test(c)) return bad('un RFC de 12 caracteres es de una empresa (persona moral), no de una persona');
  if (!/^[A-Z&Ñ]{4}\d{6}[0-9A-Z]{3}$/.test(c)) return bad('el RFC de una persona tiene 4 letras, 6 dígitos y una homoclave de 3 caracteres');
  if (BLOCKED.has(c.slice(0, 4))) return bad(`un RFC nunca empieza con ${c.slice(0, 4)}`);
  if (!dateOk(c.slice(4, 6), c.slice(6, 8), c.slice(8, 10), 2000)) return bad(`la fecha ${c.slice(4, 10)} del RFC no existe`);
  return ok('rfc', c);
}

const curp: IdKind = {
  type: 'curp', name: 'CURP', labels: ['CURP', 'C.U.R.P.', 'Clave Única de Registro de Población'],
  checkDigit: true, personal: true, validate: checkCurp, format: (v) => v,
};
const rfc: IdKind = {
  type: 'rfc', name: 'RFC', labels: ['RFC', 'R.F.C.', 'Registro Federal de Contribuyentes'],
  checkDigit: false, personal: false, validate: checkRfc,
  format: (v) => `${v.slice(0, 4)} ${v.slice(4, 10)} ${v.slice(10)}`,
};

const LABEL = /^\s*(C\.?\s?U\.?\s?R\.?\s?P|R\.?\s?F\.?\s?C)\b\.?\s*(?:N[°º.O]?\s*)?:?\s*/i;

function parseMx(input: string): IdCheck {
  const label = LABEL.exec(input);
  const rest = label ? input.slice(label[0].length) : input;
  if (label && /^R/i.test(label[1])) return checkRfc(rest);
  const len = compact(rest).length;
  if (label || len === 18) return checkCurp(rest);
  if (len === 12 || len === 13) return checkRfc(rest);
  return bad('no es una CURP (18 caracteres) ni el RFC de una persona (13)');
}

const CURP_IN_TEXT = /(?<![A-Za-z0-9])([A-Za-z]{4}\d{6}[HMhm][A-Za-z]{5}[0-9A-Za-z]\d)(?![A-Za-z0-9])/g;
const RFC_IN_TEXT = /(?<![A-Za-z0-9&Ñ])([A-Za-z&Ñ]{4}-?\d{6}-?[0-9A-Za-z]{3})(?![A-Za-z0-9])/g;

function findMx(text: string): NationalId | null {
  return firstId(text, CURP_IN_TEXT, (m) => checkCurp(m[1]).id) ?? firstId(text, RFC_IN_TEXT, (m) => checkRfc(m[1]).id);
}

export const MX: CountryModule<'MX'> = {
  code: 'MX',
  name: 'México',
  language: 'es',
  idLabel: 'CURP/RFC',
  ids: [curp, rfc],
  parseId: parseMx,
  findId: findMx,
  phone: {
    region: 'MX',
    callingCode: '52',
    // Before 2019 mobiles were dialled 044/045 locally, +52 1 from abroad, and 01 was the long-distance
    // prefix: all are now the plain 10-digit number.
    legacy(digits) {
      const m = /^(?:52)?1(\d{10})$/.exec(digits) ?? /^0(?:44|45|1)(\d{10})$/.exec(digits);
      return m ? [`+52${m[1]}`] : [];
    },
    isMobile: isMobileType,
  },
  holidays: (year) => nationalHolidays('MX', year),
  samples: {
    id: 'BOXW310820HNERXN09', value: 'BOXW310820HNERXN09', type: 'curp',
    sentence: 'Buen día, mi CURP es BOXW310820HNERXN09, espero su llamada.',
    phone: '55 1234 5678', e164: '+525512345678',
  },
};
