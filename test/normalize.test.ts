import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import {
  normalizeNationalId, findNationalIdInText, nationalIdSearchForms, isValidRut, rutCheckDigit, type Country,
} from '../src/normalize/national-id.ts';
import { normalizePhone, phoneSearchForms } from '../src/normalize/phone.ts';
import { normalizeName } from '../src/normalize/name.ts';
import { normalizeEmail } from '../src/normalize/email.ts';
import { repairMojibake } from '../src/normalize/mojibake.ts';

const COUNTRIES: Country[] = ['CL', 'PE', 'BR'];
const id = (s: string, c: Country) => normalizeNationalId(s, c).id;

// Independent oracles (python-stdnum formulations), so the tests do not reuse the code under test.
function stdnumRutCheck(body: string): string {
  const w = [9, 8, 7, 6, 5, 4];
  const sum = [...body].reverse().reduce((acc, d, i) => acc + Number(d) * w[i % 6], 0);
  return '0123456789K'[sum % 11];
}
function cpfWithChecks(nine: string): string {
  const digit = (ds: string) => {
    const sum = [...ds].reduce((acc, d, i) => acc + Number(d) * (ds.length + 1 - i), 0);
    return String(((11 - (sum % 11)) % 11) % 10);
  };
  const d1 = digit(nine);
  return nine + d1 + digit(nine + d1);
}
const dotted = (body: string) => body.replace(/\B(?=(\d{3})+$)/g, '.');

describe('national IDs: reference examples', () => {
  it('validates Chilean RUTs by modulo 11', () => {
    for (const r of ['12.678.579-8', '15.509.661-6', '12.345.678-5', '76086428-5']) expect(isValidRut(r)).toBe(true);
    expect(isValidRut('12531909-3')).toBe(false);
    expect(id('12.345.678-5', 'CL')).toEqual({ type: 'rut', value: '12345678-5' });
    expect(rutCheckDigit('12678579')).toBe('8');
    expect(rutCheckDigit('1000005')).toBe('K');
  });
  it('accepts every written form of a RUT', () => {
    for (const r of ['12345678-5', '123456785', 'RUT: 12.345.678-5', 'CL 12345678-5', ' 12 345 678 - 5 ', '012.345.678-5']) {
      expect(id(r, 'CL')).toEqual({ type: 'rut', value: '12345678-5' });
    }
    expect(id('1.000.005-k', 'CL')).toEqual({ type: 'rut', value: '1000005-K' });
  });
  it('validates Peruvian RUC, DNI and C.E.', () => {
    expect(id('20512333797', 'PE')).toEqual({ type: 'ruc', value: '20512333797' });
    expect(normalizeNationalId('20512333798', 'PE')).toEqual({ id: null, problem: 'invalid' });
    expect(id('05414828', 'PE')).toEqual({ type: 'dni', value: '05414828' });
    expect(id('10117410-2', 'PE')).toEqual({ type: 'dni', value: '10117410' });
    expect(id('10812543-H', 'PE')).toEqual({ type: 'dni', value: '10812543' });
    expect(normalizeNationalId('10117410-3', 'PE').problem).toBe('invalid');
    expect(id('DNI: 05414828', 'PE')).toEqual({ type: 'dni', value: '05414828' });
    expect(id('CE 001234567', 'PE')).toEqual({ type: 'ce', value: '001234567' });
    expect(id('C.E. AB123456', 'PE')).toEqual({ type: 'ce', value: 'AB123456' });
    expect(normalizeNationalId('5414828', 'PE').problem).toBe('invalid'); // leading zero lost: 7 digits
  });
  it('validates Brazilian CPFs and rejects repeated digits', () => {
    expect(id('390.533.447-05', 'BR')).toEqual({ type: 'cpf', value: '39053344705' });
    expect(id('CPF: 39053344705', 'BR')).toEqual({ type: 'cpf', value: '39053344705' });
    expect(normalizeNationalId('231.002.999-00', 'BR').problem).toBe('invalid');
    expect(normalizeNationalId('111.111.111-11', 'BR').problem).toBe('invalid');
  });
  it('reports missing vs invalid', () => {
    for (const c of COUNTRIES) {
      expect(normalizeNationalId('   ', c)).toEqual({ id: null, problem: 'missing' });
      expect(normalizeNationalId(null, c)).toEqual({ id: null, problem: 'missing' });
      expect(normalizeNationalId('no tengo', c)).toEqual({ id: null, problem: 'invalid' });
    }
  });
});

describe('findNationalIdInText', () => {
  it('finds separated RUTs and ignores phone numbers', () => {
    expect(findNationalIdInText('Hola, mi rut es 12.345.678-5 y mi fono +56 9 8765 4321', 'CL'))
      .toEqual({ type: 'rut', value: '12345678-5' });
    expect(findNationalIdInText('fono +56 9 1234 5678', 'CL')).toBeNull();
    expect(findNationalIdInText('llamar al 123456785', 'CL')).toBeNull(); // bare digits need a label
    expect(findNationalIdInText('RUT 123456785', 'CL')).toEqual({ type: 'rut', value: '12345678-5' });
    expect(findNationalIdInText('rut 12.345.678-4', 'CL')).toBeNull();
  });
  it('finds RUC anywhere and DNI only after a label (PE)', () => {
    expect(findNationalIdInText('mi RUC 10054148289.', 'PE')).toEqual({ type: 'ruc', value: '10054148289' });
    // A legal entity's RUC (20…) in free text is the sender's footer, not the lead.
    expect(findNationalIdInText('empresa RUC 20512333797.', 'PE')).toBeNull();
    expect(findNationalIdInText('TocToc SpA · RUT 76.086.428-5 · Santiago', 'CL')).toBeNull();
    expect(findNationalIdInText('mi DNI: 05414828 gracias', 'PE')).toEqual({ type: 'dni', value: '05414828' });
    expect(findNationalIdInText('DNI 10117410-3', 'PE')).toBeNull();
    expect(findNationalIdInText('código 05414828', 'PE')).toBeNull();
  });
  it('finds CPFs but not Brazilian mobiles', () => {
    expect(findNationalIdInText('CPF 390.533.447-05', 'BR')).toEqual({ type: 'cpf', value: '39053344705' });
    expect(findNationalIdInText('meu cpf 39053344705', 'BR')).toEqual({ type: 'cpf', value: '39053344705' });
    expect(findNationalIdInText('Telefone: 39053344705', 'BR')).toBeNull();
  });
  it('stays bounded on long adversarial input', () => {
    const junk = '1.'.repeat(150_000) + '-'.repeat(1000) + '9'.repeat(100_000);
    for (const c of COUNTRIES) expect(findNationalIdInText(junk, c)).toBeNull();
    expect(findNationalIdInText('x'.repeat(250_000) + ' RUT 12.345.678-5', 'CL')).toBeNull(); // past the cap
  });
});

describe('nationalIdSearchForms', () => {
  it('maps queries to canonical values', () => {
    expect(nationalIdSearchForms('12.345.678-5', 'CL')).toEqual(['12345678-5']);
    expect(nationalIdSearchForms('12345678', 'CL')).toContain('12345678-5'); // body without check digit
    expect(nationalIdSearchForms('05414828', 'PE')).toEqual(['05414828', '10054148289']);
    expect(nationalIdSearchForms('10054148289', 'PE')).toEqual(['10054148289', '05414828']);
    expect(nationalIdSearchForms('', 'CL')).toEqual([]);
    expect(nationalIdSearchForms('hola', 'BR')).toEqual([]);
  });
});

describe('normalizePhone', () => {
  const cl = (s: string) => normalizePhone(s, 'CL').e164;
  it('accepts the usual written forms', () => {
    for (const s of ['+56 9 8765 4321', '56987654321', '987654321', '+56 (9) 8765-4321', '0056 9 8765 4321', '0987654321']) {
      expect(cl(s)).toBe('+56987654321');
    }
    expect(normalizePhone('(11) 96123-4567', 'BR').e164).toBe('+5511961234567');
    expect(normalizePhone('(01) 123 4567', 'PE').e164).toBe('+5111234567');
    expect(normalizePhone('+51 1 123 4567 Anexo 123', 'PE').e164).toBe('+5111234567');
    expect(cl('+56 2 2345 6789 ext. 12')).toBe('+56223456789');
    expect(cl('51987654321')).toBe('+51987654321'); // country code without '+'
    expect(cl('09-1234567')).toBe('+56991234567'); // pre-2012 mobile
    expect(cl('987654321 / 221234567')).toBe('+56987654321');
  });
  it('rejects numbers that are not valid, including unallocated ranges', () => {
    expect(normalizePhone('+56 9 1234 5678', 'CL')).toEqual({ e164: null, problem: 'invalid' }); // 91xx not allocated
    expect(normalizePhone('12345', 'CL').problem).toBe('invalid');
    expect(normalizePhone('9'.repeat(65), 'CL').problem).toBe('invalid');
    expect(normalizePhone(' ', 'PE')).toEqual({ e164: null, problem: 'missing' });
  });
  it('gives every reading for search', () => {
    expect(phoneSearchForms('987654321 / 221234567', 'CL')).toEqual(['+56987654321', '+56221234567']);
    expect(phoneSearchForms('abc', 'CL')).toEqual([]);
  });
});

describe('normalizeName', () => {
  const name = (s: string) => normalizeName(s).name;
  it('fixes casing only when it carries no information', () => {
    expect(name('ÁLVARO PÉREZ')).toEqual({ full: 'Álvaro Pérez', first: 'Álvaro', last: 'Pérez' });
    expect(name('  "juan   carlos  pérez\u00a0gonzález" ')).toEqual({
      full: 'Juan Carlos Pérez González', first: 'Juan Carlos', last: 'Pérez González',
    });
    expect(name('Ronald McDonald')?.last).toBe('McDonald');
    expect(name("JEAN-PIERRE O'HIGGINS")?.full).toBe("Jean-Pierre O'Higgins");
    expect(name('JosÃ© PÃ©rez')?.full).toBe('José Pérez');
  });
  it('splits Spanish and Portuguese names keeping particles with the surname', () => {
    expect(name('MARÍA DE LA CRUZ SOTO')).toEqual({ full: 'María de la Cruz Soto', first: 'María', last: 'de la Cruz Soto' });
    expect(name('Juan')).toEqual({ full: 'Juan', first: 'Juan', last: '' });
    expect(name('Pedro Soto')).toEqual({ full: 'Pedro Soto', first: 'Pedro', last: 'Soto' });
    expect(name('maria da silva e souza')?.last).toBe('da Silva e Souza');
  });
  it('rejects placeholders and junk', () => {
    for (const s of ['A', 'test', 'N/A', '-', 'juan@x.cl', 'Juan 12345', 'Sin Nombre', 'xxx', 'null', 'x'.repeat(121)]) {
      expect(normalizeName(s)).toEqual({ name: null, problem: 'invalid' });
    }
    expect(normalizeName('')).toEqual({ name: null, problem: 'missing' });
  });
});

describe('normalizeEmail', () => {
  it('cleans and lowercases', () => {
    expect(normalizeEmail('  Juan@Gmail.COM ').email).toBe('juan@gmail.com');
    expect(normalizeEmail('mailto:Juan.Perez@Empresa.cl').email).toBe('juan.perez@empresa.cl');
    expect(normalizeEmail('"Juan" <juan@empresa.cl>').email).toBe('juan@empresa.cl');
  });
  it('rejects malformed and placeholder addresses', () => {
    for (const s of ['test@test.com', 'a@a.cl', 'x@example.com', 'noreply@portal.cl', 'juan@@x.cl', 'juan@localhost', 'juan..p@empresa.cl', 'juan@empresa.c', 'sincorreo@gmail.com']) {
      expect(normalizeEmail(s)).toEqual({ email: null, problem: 'invalid' });
    }
    expect(normalizeEmail(undefined)).toEqual({ email: null, problem: 'missing' });
  });
});

describe('repairMojibake', () => {
  it('repairs the common sequences', () => {
    expect(repairMojibake('TelÃ©fono')).toBe('Teléfono');
    expect(repairMojibake('Ã±andÃº')).toBe('ñandú');
    expect(repairMojibake('Ã\u00a0 la')).toBe('à la');
    expect(repairMojibake('Itâ€™s')).toBe('It’s');
    expect(repairMojibake('Ã“SCAR')).toBe('ÓSCAR');
    expect(repairMojibake('JosÃ© Pérez')).toBe('José Pérez'); // mixed: piecewise
    expect(repairMojibake('ÃƒÂ©')).toBe('é'); // double-encoded
    expect(repairMojibake('SÃO PAULO')).toBe('SÃO PAULO');
  });
});

// ---- property tests ----------------------------------------------------------

const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const LOOKS_MOJIBAKED = new RegExp(`[ÂÃâ][\\u0080-\\u00bf${CP1252_HIGH}]`);
const decodeCp1252 = (b: Buffer) => [...b].map((x) => (x >= 0x80 && x < 0xa0 ? CP1252_HIGH[x - 0x80] : String.fromCharCode(x))).join('');
const accented = fc.string({
  unit: fc.constantFrom(...'abcdeñóüçãõáéíúÁÉÍÓÚÑÇÃÕâêôàÂ ¿¡ºª’“”€', ...['José', 'Pérez', 'São', 'ação', 'Ñuñoa', ' ']),
  maxLength: 30,
}).filter((s) => !LOOKS_MOJIBAKED.test(s)); // e.g. 'Ã¡' in clean text is indistinguishable from 'á'

describe('properties', () => {
  const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom(...'0123456789.-kK +()/@Ã©DNIRUT:'), maxLength: 80 }));
  it('no function throws on any string', () => {
    fc.assert(fc.property(anyString, fc.constantFrom(...COUNTRIES), (s, c) => {
      for (const f of [() => normalizeNationalId(s, c), () => findNationalIdInText(s, c), () => nationalIdSearchForms(s, c),
        () => isValidRut(s), () => rutCheckDigit(s), () => normalizePhone(s, c), () => phoneSearchForms(s, c),
        () => normalizeName(s), () => normalizeEmail(s), () => repairMojibake(s)]) expect(f).not.toThrow();
      expect(typeof repairMojibake(s)).toBe('string');
    }), { numRuns: 300 });
  });

  it('every valid RUT round-trips through its written forms', () => {
    fc.assert(fc.property(fc.integer({ min: 1_000_000, max: 99_999_999 }), (n) => {
      const body = String(n);
      const dv = stdnumRutCheck(body);
      expect(rutCheckDigit(body)).toBe(dv);
      const canonical = `${body}-${dv}`;
      const forms = [`${dotted(body)}-${dv}`, canonical, body + dv, `${body}-${dv.toLowerCase()}`,
        `${dotted(body)} - ${dv.toLowerCase()}`, ` ${body.slice(0, 2)} ${body.slice(2)} ${dv} `, `RUT: ${dotted(body)}-${dv}`];
      for (const f of forms) expect(id(f, 'CL')).toEqual({ type: 'rut', value: canonical });
      const wrong = '0123456789K'.replace(dv, '')[n % 10];
      expect(isValidRut(`${body}-${wrong}`)).toBe(false);
    }), { numRuns: 500 });
  });

  it('every valid CPF round-trips', () => {
    const nine = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 }).filter((s) => !/^(\d)\1+$/.test(s));
    fc.assert(fc.property(nine, (n) => {
      const cpf = cpfWithChecks(n);
      const shown = `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`;
      for (const f of [cpf, shown, ` ${shown} `, `CPF: ${shown}`]) expect(id(f, 'BR')).toEqual({ type: 'cpf', value: cpf });
      expect(id(cpf.slice(0, 10) + ((Number(cpf[10]) + 1) % 10), 'BR')).toBeNull();
    }), { numRuns: 300 });
  });

  it('valid Chilean mobiles give one E.164 in every written form', () => {
    const mobile = fc.integer({ min: 0, max: 99_999_999 }).map((n) => `9${String(n).padStart(8, '0')}`)
      .filter((m) => isValidPhoneNumber(`+56${m}`));
    fc.assert(fc.property(mobile, (m) => {
      const [a, b] = [m.slice(1, 5), m.slice(5)];
      const forms = [`+56 9 ${a} ${b}`, `+56${m}`, `56${m}`, m, `+56 (9) ${a}-${b}`, `0056 9 ${a} ${b}`, `9 ${a} ${b}`, `+56-9-${a}-${b}`];
      for (const f of forms) expect(normalizePhone(f, 'CL')).toEqual({ e164: `+56${m}`, problem: null });
    }), { numRuns: 200 });
  });

  it('repairs UTF-8 read as Latin-1 or cp1252', () => {
    fc.assert(fc.property(accented, (s) => {
      const bytes = Buffer.from(s, 'utf8');
      expect(repairMojibake(bytes.toString('latin1'))).toBe(s);
      expect(repairMojibake(decodeCp1252(bytes))).toBe(s);
    }), { numRuns: 500 });
  });

  it('is the identity on clean ASCII and clean accented text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (s) => {
      expect(repairMojibake(s)).toBe(s);
    }));
    fc.assert(fc.property(accented, (s) => {
      expect(repairMojibake(s)).toBe(s);
    }), { numRuns: 500 });
  });
});

describe('Peruvian ID labels as people write them', () => {
  it('reads D.N.I., Doc. Identidad and Documento de identidad, with or without a colon', () => {
    expect(findNationalIdInText('D.N.I. N° 08765432', 'PE')).toEqual({ type: 'dni', value: '08765432' });
    expect(findNationalIdInText('Doc. Identidad 41823567-1', 'PE')).toEqual({ type: 'dni', value: '41823567' });
    expect(findNationalIdInText('Documento de identidad: 45678912', 'PE')).toEqual({ type: 'dni', value: '45678912' });
    expect(normalizeNationalId('D.N.I. 08765432', 'PE')).toEqual({ id: { type: 'dni', value: '08765432' }, problem: null });
    expect(normalizeNationalId('R.U.C. 20512333797', 'PE').id).toEqual({ type: 'ruc', value: '20512333797' });
  });
});
