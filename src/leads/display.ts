// What people read instead of the program's ids: a portal's display name (declared once, as `name:`
// in its parsers/*.yaml) and a problem code's text in the company's language, with the country's
// own name for its ID ("RUT inválido", "CPF inválido"). The emails, the page (through /api/options)
// and the CLI all read them here.
import { countryModule, type Country } from '../countries/index.ts';

export type Lang = 'es' | 'pt';

/** Parser ids no portal has: leads read by the generic extraction, or with no parser at all. */
const NO_PORTAL = new Set(['', '-', '_generic']);
const NONE: Record<Lang, string> = { es: 'Sin portal', pt: 'Sem portal' };

/**
 * A portal's name for people: the parser's declared name, "Sin portal" for none; an id no loaded
 * parser declares (a parser since removed) reads as words ("mercado-libre" -> "Mercado libre").
 */
export function portalDisplayName(id: string | null | undefined, declared: (id: string) => string | null | undefined, lang: Lang): string {
  if (id === null || id === undefined || NO_PORTAL.has(id.trim())) return NONE[lang];
  const name = declared(id);
  if (name) return name;
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Texts = Record<string, (idName: string) => string>;
const PROBLEMS: Record<Lang, Texts> = {
  es: {
    'name.missing': () => 'Falta el nombre', 'name.invalid': () => 'Nombre no válido',
    'nationalId.notPersonal': () => 'No es un documento de identidad personal',
    'nationalId.missing': (id) => `Falta el ${id}`, 'nationalId.invalid': (id) => `${id} inválido`,
    'email.missing': () => 'Falta el email', 'email.invalid': () => 'Email no válido',
    'phone.missing': () => 'Falta el teléfono', 'phone.invalid': () => 'Teléfono no válido',
    'project.missing': () => 'Falta el proyecto', 'project.unmatched': () => 'Proyecto no reconocido',
    'contact.missing': () => 'Sin email ni teléfono válidos',
  },
  pt: {
    'name.missing': () => 'Falta o nome', 'name.invalid': () => 'Nome inválido',
    'nationalId.notPersonal': () => 'Não é um documento de identidade pessoal',
    'nationalId.missing': (id) => `Falta o ${id}`, 'nationalId.invalid': (id) => `${id} inválido`,
    'email.missing': () => 'Falta o e-mail', 'email.invalid': () => 'E-mail inválido',
    'phone.missing': () => 'Falta o telefone', 'phone.invalid': () => 'Telefone inválido',
    'project.missing': () => 'Falta o projeto', 'project.unmatched': () => 'Projeto não reconhecido',
    'contact.missing': () => 'Sem e-mail nem telefone válidos',
  },
};
const OTHER: Record<Lang, string> = { es: 'Dato con problemas', pt: 'Dado com problemas' };

/** The country's name for its national ID as people say it ("RUT", "CPF", "DNI/C.E./RUC"). */
export const idName = (country: string): string => countryModule(country as Country).idLabel;

/** A problem code in words: 'nationalId.invalid' -> 'RUT inválido' (Chile), 'CPF inválido' (Brazil). */
export function problemText(code: string, country: string, lang: Lang): string {
  const text = PROBLEMS[lang][code];
  return text ? text(idName(country)) : OTHER[lang];
}

/** Every known problem code with its text, for the page (served in /api/options). */
export function problemTexts(country: string, lang: Lang): Record<string, string> {
  return Object.fromEntries(Object.keys(PROBLEMS[lang]).map((code) => [code, problemText(code, country, lang)]));
}

/**
 * A lead's problem details as today's leads store them: only the value, the words come from the
 * company's language. Leads stored before that carry English ("closest: X (0.83)", "RUT … is not
 * a personal ID"); they are shown in today's form instead of being rewritten in the database.
 */
export function currentProblemDetails(details: Record<string, unknown> | null | undefined): Record<string, unknown> | null | undefined {
  if (!details) return details;
  const out: Record<string, unknown> = { ...details };
  const closest = typeof out['project.unmatched'] === 'string' ? /^closest: (.+) \(\d(?:\.\d+)?\)$/.exec(out['project.unmatched']) : null;
  if (closest) out['project.unmatched'] = `¿${closest[1]}?`;
  if (typeof out['nationalId.notPersonal'] === 'string') out['nationalId.notPersonal'] = out['nationalId.notPersonal'].replace(/ is not a personal ID$/, '');
  return out;
}
