import { describe, it, expect } from 'vitest';
import { COUNTRY_CODES, COUNTRY_MODULES, ID_LABEL_WORDS, countryModule, isCountry } from '../src/countries/index.ts';
import { checkNationalId, findNationalIdInText, formatNationalId, nationalIdSearchForms, normalizeNationalId } from '../src/normalize/national-id.ts';
import { normalizePhone } from '../src/normalize/phone.ts';
import { fieldForLabel } from '../src/pipeline/labels.ts';
import { configSchema } from '../src/config.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { formEmail, testContext } from './helpers/mail.ts';

/** The same ID with its last (check) character changed. */
const tamper = (s: string) => {
  const last = s.at(-1)!;
  const next = /\d/.test(last) ? String((Number(last) + 1) % 10) : '0';
  return s.slice(0, -1) + next;
};

describe('every registered country meets the same contract', () => {
  it('the registry lists every module under its own code', () => {
    expect(COUNTRY_CODES).toEqual(['CL', 'PE', 'BR', 'MX', 'CO', 'AR', 'EC', 'UY']);
    for (const code of COUNTRY_CODES) expect(countryModule(code).code).toBe(code);
    expect(isCountry('MX')).toBe(true);
    expect(isCountry('XX')).toBe(false);
    expect(isCountry('toString')).toBe(false);
  });

  for (const m of COUNTRY_MODULES) {
    describe(`${m.code} (${m.name})`, () => {
      const s = m.samples;
      it('a valid sample validates to its canonical value', () => {
        expect(normalizeNationalId(s.id, m.code)).toEqual({ id: { type: s.type, value: s.value }, problem: null });
        expect(m.ids.some((k) => k.type === s.type)).toBe(true);
      });
      it('a changed check digit does not, and says why', () => {
        const r = checkNationalId(tamper(s.id), m.code);
        expect(r.id).toBeNull();
        expect(r.problem).toBe('invalid');
        expect(r.reason).toMatch(m.code === 'BR' ? /o dígito verificador do .+ é \w+, não \w+/ : /el dígito verificador (del|de la) .+ es \w+, no \w+/);
      });
      it('finds the ID in a sentence, and nothing in one without it', () => {
        expect(findNationalIdInText(s.sentence, m.code)).toEqual({ type: s.type, value: s.value });
        expect(findNationalIdInText(s.sentence.replace(s.id, tamper(s.id)), m.code)).toBeNull();
        expect(findNationalIdInText('Hola, quisiera más información del proyecto.', m.code)).toBeNull();
      });
      it('the phone sample normalises to E.164', () => {
        expect(normalizePhone(s.phone, m.code)).toEqual({ e164: s.e164, problem: null });
        expect(normalizePhone(s.e164, m.code).e164).toBe(s.e164);
        expect(m.phone.region).toBe(m.code);
        expect(s.e164.startsWith(`+${m.phone.callingCode}`)).toBe(true);
      });
      it('formats, searches and labels its IDs', () => {
        expect(formatNationalId({ type: s.type, value: s.value }, m.code)).toMatch(/\S/);
        expect(nationalIdSearchForms(s.id, m.code)).toContain(s.value);
        for (const kind of m.ids) {
          expect(kind.labels.length).toBeGreaterThan(0);
          for (const word of kind.labels) expect(fieldForLabel(word), word).toBe('nationalId');
        }
        expect(['es', 'pt']).toContain(m.language);
        expect(m.idLabel).toMatch(/\S/);
      });
      it('rejects junk with a reason and stays bounded', () => {
        for (const junk of ['hola', '123', 'x'.repeat(101)]) {
          const r = checkNationalId(junk, m.code);
          expect(r.id).toBeNull();
          expect(r.reason).toMatch(/\S/);
        }
        expect(checkNationalId('  ', m.code)).toEqual({ id: null, problem: 'missing', reason: null });
        const t = Date.now();
        expect(findNationalIdInText('1.'.repeat(100_000) + 'A'.repeat(50_000) + '9'.repeat(50_000), m.code)).toBeNull();
        expect(Date.now() - t).toBeLessThan(2000);
      });
    });
  }
});

const id = (s: string, c: 'CL' | 'MX' | 'CO' | 'AR') => normalizeNationalId(s, c).id;

describe('reasons name the check digit', () => {
  it('Chile', () => {
    expect(checkNationalId('12.345.678-K', 'CL').reason).toBe('el dígito verificador del RUT es 5, no K');
  });
});

describe('Mexico', () => {
  it('CURP: check digit, birth date, state and sex', () => {
    expect(id('boxw310820hnerxn09', 'MX')).toEqual({ type: 'curp', value: 'BOXW310820HNERXN09' });
    expect(id('CURP: BOXW-310820-HNERXN-09', 'MX')).toEqual({ type: 'curp', value: 'BOXW310820HNERXN09' });
    expect(checkNationalId('BOXW310820HNERXN08', 'MX').reason).toBe('el dígito verificador de la CURP es 9, no 8');
    expect(checkNationalId('BOXW310230HNERXN09', 'MX').reason).toMatch(/fecha de nacimiento/); // 30 February
    expect(checkNationalId('BOXW310820HXXRXN09', 'MX').reason).toMatch(/código de estado/);
    expect(checkNationalId('BOXW310820ZNERXN09', 'MX').reason).toMatch(/sexo/);
  });
  it('RFC: a person\'s 13 characters are accepted, a company\'s 12 refused', () => {
    expect(id('GODE 561231 GR8', 'MX')).toEqual({ type: 'rfc', value: 'GODE561231GR8' });
    expect(id('RFC: VACE-460910-SX6', 'MX')).toEqual({ type: 'rfc', value: 'VACE460910SX6' });
    expect(checkNationalId('MAB-930714-8T4', 'MX').reason).toMatch(/empresa/);
    expect(checkNationalId('GODE561341GR8', 'MX').reason).toMatch(/fecha/);
  });
  it('finds a CURP or an RFC in free text', () => {
    expect(findNationalIdInText('mi rfc es GODE561231GR8 saludos', 'MX')).toEqual({ type: 'rfc', value: 'GODE561231GR8' });
    expect(findNationalIdInText('Empresa MAB930714 8T4', 'MX')).toBeNull();
  });
  it('reads the old 044 / 045 / +52 1 / 01 mobile forms', () => {
    for (const p of ['044 55 1234 5678', '045 55 1234 5678', '+52 1 55 1234 5678', '5215512345678', '01 55 1234 5678', '+52 55 1234 5678']) {
      expect(normalizePhone(p, 'MX').e164, p).toBe('+525512345678');
    }
  });
});

describe('Colombia', () => {
  it('cédula without check digit, NIT with one', () => {
    expect(id('1.020.304.050', 'CO')).toEqual({ type: 'cc', value: '1020304050' });
    expect(id('C.C. 79.123.456', 'CO')).toEqual({ type: 'cc', value: '79123456' });
    expect(id('NIT 213.123.432-1', 'CO')).toEqual({ type: 'nit', value: '213123432-1' });
    expect(id('213123435-1', 'CO')).toEqual({ type: 'nit', value: '213123435-1' });
    expect(checkNationalId('213123435-0', 'CO').reason).toBe('el dígito verificador del NIT es 1, no 0');
    expect(checkNationalId('12345', 'CO').problem).toBe('invalid'); // too short for a cédula
  });
  it('finds a labelled cédula; a company NIT in a footer is the sender\'s', () => {
    expect(findNationalIdInText('Mi cédula es 1.020.304.050, gracias', 'CO')).toEqual({ type: 'cc', value: '1020304050' });
    expect(findNationalIdInText('llamar al 3001234567', 'CO')).toBeNull();
    expect(findNationalIdInText('Inmobiliaria S.A.S. NIT 900.373.913-4', 'CO')).toBeNull();
  });
  it('searching a cédula finds its NIT and back', () => {
    expect(nationalIdSearchForms('213123432', 'CO')).toEqual(['213123432', '213123432-1']);
    expect(nationalIdSearchForms('213.123.432-1', 'CO')).toEqual(['213123432-1', '213123432']);
  });
  it('reads pre-2021 fixed lines with a one-digit area code', () => {
    expect(normalizePhone('(1) 234 5678', 'CO').e164).toBe('+576012345678');
    expect(normalizePhone('+57 300 1234567', 'CO').e164).toBe('+573001234567');
  });
});

describe('Argentina', () => {
  it('DNI of 7-8 digits, CUIT/CUIL with its check digit', () => {
    expect(id('12.345.678', 'AR')).toEqual({ type: 'dni', value: '12345678' });
    expect(id('DNI 7.123.456', 'AR')).toEqual({ type: 'dni', value: '7123456' });
    expect(id('20267565393', 'AR')).toEqual({ type: 'cuit', value: '20267565393' });
    expect(id('CUIL: 20-05536168-2', 'AR')).toEqual({ type: 'cuit', value: '20055361682' });
    expect(checkNationalId('20267565392', 'AR').reason).toBe('el dígito verificador del CUIT/CUIL es 3, no 2');
    expect(checkNationalId('CUIT 12345678', 'AR').problem).toBe('invalid');
  });
  it('finds a labelled DNI; a company CUIT is the sender\'s', () => {
    expect(findNationalIdInText('mi DNI es 12.345.678', 'AR')).toEqual({ type: 'dni', value: '12345678' });
    expect(findNationalIdInText('código 12345678', 'AR')).toBeNull();
    const company = `30${'12345678'}`;
    const cuit = company + (['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].find((d) => normalizeNationalId(company + d, 'AR').id) ?? '');
    expect(findNationalIdInText(`Inmobiliaria SRL CUIT ${cuit.slice(0, 2)}-${cuit.slice(2, 10)}-${cuit.slice(10)}`, 'AR')).toBeNull();
  });
  it('searching a DNI finds its CUIL and back', () => {
    expect(nationalIdSearchForms('5536168', 'AR')).toContain('20055361682');
    expect(nationalIdSearchForms('20-05536168-2', 'AR')).toEqual(['20055361682', '5536168']);
  });
  it('reads mobiles written with 15', () => {
    expect(normalizePhone('0351 15 234 5678', 'AR').e164).toBe('+5493512345678');
  });
});

describe('config', () => {
  it('accepts every registered country and refuses others', () => {
    for (const c of COUNTRY_CODES) expect(configSchema.parse({ country: c }).country).toBe(c);
    expect(configSchema.safeParse({ country: 'XX' }).success).toBe(false);
  });
  it('every country module contributes its label words', () => {
    for (const w of ['R.U.T.', 'D.N.I.', 'CPF', 'CURP', 'NIT', 'CUIL', 'Cédula de ciudadanía']) expect(ID_LABEL_WORDS).toContain(w);
    expect(fieldForLabel('C.U.R.P.')).toBe('nationalId');
    expect(fieldForLabel('Cc')).toBeNull(); // a mail header, not a cédula
  });
});

describe('a company in Mexico, through the whole pipeline', () => {
  const ctx = { ...testContext(), country: 'MX' as const };
  it('a labelled CURP and an old-style mobile make a bueno lead', async () => {
    const o = await runPipeline(formEmail({ lines: { Nombre: 'Guadalupe Hernández', CURP: 'boxw310820hnerxn09', Correo: 'lupita@correo.mx', Celular: '044 55 1234 5678', Proyecto: 'Costanera Sur' } }), ctx);
    expect(o.kind).toBe('lead');
    if (o.kind !== 'lead') return;
    expect(o.fields).toMatchObject({ nationalId: 'BOXW310820HNERXN09', nationalIdType: 'curp', phone: '+525512345678' });
    expect(o.quality).toBe('bueno');
  });
  it('a CURP only in the message is found; a wrong check digit is a problem', async () => {
    const found = await runPipeline(formEmail({ lines: { Nombre: 'Guadalupe Hernández', Correo: 'lupita@correo.mx', Proyecto: 'Costanera Sur', Mensaje: 'Hola, mi CURP es BOXW310820HNERXN09, gracias' } }), ctx);
    expect(found.kind === 'lead' && found.fields.nationalId).toBe('BOXW310820HNERXN09');
    const wrong = await runPipeline(formEmail({ lines: { Nombre: 'Guadalupe Hernández', CURP: 'BOXW310820HNERXN08', Correo: 'lupita@correo.mx', Proyecto: 'Costanera Sur' } }), ctx);
    expect(wrong.kind === 'lead' && wrong.problems).toContain('nationalId.invalid');
  });
});
