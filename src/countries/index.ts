// The registry: the one list of countries. Config, parsers, normalisation, extraction, labels and
// exports ask it instead of branching on the code. Adding a country: write its module, add it here.
import { AR } from './ar.ts';
import { BR } from './br.ts';
import { CL } from './cl.ts';
import { CO } from './co.ts';
import { EC } from './ec.ts';
import { MX } from './mx.ts';
import { PE } from './pe.ts';
import { UY } from './uy.ts';
import type { CountryModule } from './types.ts';

const MODULES = { CL, PE, BR, MX, CO, AR, EC, UY };

export type Country = keyof typeof MODULES;

// Each key names its own module (a module filed under the wrong code fails to compile).
const _keysMatch: { [K in Country]: CountryModule<K> } = MODULES;
void _keysMatch;

/** Every supported country code, for zod enums and UI lists. */
export const COUNTRY_CODES = Object.keys(MODULES) as [Country, ...Country[]];

export function isCountry(code: unknown): code is Country {
  return typeof code === 'string' && Object.hasOwn(MODULES, code);
}

export function countryModule(code: Country): CountryModule<Country> {
  const m = MODULES[code];
  if (!m) throw new Error(`unknown country: ${String(code)}`);
  return m;
}

export const COUNTRY_MODULES: readonly CountryModule<Country>[] = Object.values(MODULES);

/** Label words for a national ID that no single country owns. */
const GENERIC_ID_LABELS = [
  'Documento', 'Doc', 'Cédula', 'Identificación', 'Nro. de documento', 'Número de documento',
  'N° de documento', 'ID nacional', 'National ID',
];

/** Every word a form may use to label a national ID, in any supported country. */
export const ID_LABEL_WORDS: readonly string[] = [
  ...new Set([...COUNTRY_MODULES.flatMap((m) => m.ids.flatMap((k) => k.labels)), ...GENERIC_ID_LABELS]),
];

export type { CountryModule, IdCheck, IdKind, NationalId, PhoneRules } from './types.ts';
