// The sentences of an explanation in the company's language: Spanish, Portuguese for Brazil. They
// reach the page's "¿Por qué?" as they are (the CLI's own layout around them stays Spanish).
import type { Country } from '../normalize/national-id.ts';
import type { ExtractNote } from '../pipeline/extract.ts';

export type ExplainLang = 'es' | 'pt';
export const explainLang = (country: Country): ExplainLang => (country === 'BR' ? 'pt' : 'es');

export interface ExplainWords {
  sender(hit: string): string;
  subject(pattern: string): string;
  body(hit: string): string;
  header(name: string, pattern: string): string;
  noParser: string;
  forced(why: string[] | null): string;
  phoneTooShort(raw: string, country: string): string;
  phoneTooLong(raw: string, country: string): string;
  notAPhone(raw: string): string;
  phoneUnallocated(raw: string, country: string): string;
  badEmail(raw: string): string;
  badName(raw: string): string;
  unknownProject(raw: string, nearest: { name: string; similarity: number } | null): string;
  ruleFoundNothing(field: string, why: string, completed: boolean): string;
  /** The rule named for a name put together from first and last name. */
  combined: string;
  note(n: ExtractNote): string;
}

const ES: ExplainWords = {
  sender: (hit) => `remitente: coincide con ${hit}`,
  subject: (pattern) => `asunto: coincide con /${pattern}/`,
  body: (hit) => `cuerpo: contiene "${hit}"`,
  header: (name, pattern) => `cabecera ${name}: coincide con ${pattern}`,
  noParser: 'ningún parser cumple todas sus reglas (remitente, asunto, marca en el cuerpo): solo la extracción genérica',
  forced: (why) => (why ? `forzado con --parser; sus reglas se cumplen: ${why.join('; ')}` : 'forzado con --parser; sus reglas NO se cumplen en este correo'),
  phoneTooShort: (raw, country) => `el teléfono "${raw}" es demasiado corto para ${country}`,
  phoneTooLong: (raw, country) => `el teléfono "${raw}" es demasiado largo para ${country}`,
  notAPhone: (raw) => `"${raw}" no es un número de teléfono`,
  phoneUnallocated: (raw, country) => `teléfono no asignado en ${country} ("${raw}")`,
  badEmail: (raw) => `"${raw}" no es una dirección de correo utilizable`,
  badName: (raw) => `"${raw}" no parece el nombre de una persona`,
  unknownProject: (raw, n) => `"${raw}" no coincide con ningún proyecto configurado${n ? ` (el más parecido: ${n.name}, ${n.similarity.toFixed(2)})` : ''}`,
  ruleFoundNothing: (field, why, completed) => `tu regla para ${field} no encontró nada (${why})${completed ? '; la extracción genérica lo completó' : ''}`,
  combined: 'nombre + apellido',
  note: (n) => {
    switch (n.code) {
      case 'no-html': return 'el correo no tiene parte HTML para un selector';
      case 'no-element': return `el selector ${n.css} no encontró elementos`;
      case 'own-id': return 'un identificador de la empresa o del portal, no del cliente';
      case 'label': return 'una etiqueta, no un valor';
      case 'nothing': return 'no encontró nada';
    }
  },
};

const PT: ExplainWords = {
  sender: (hit) => `remetente: corresponde a ${hit}`,
  subject: (pattern) => `assunto: corresponde a /${pattern}/`,
  body: (hit) => `corpo: contém "${hit}"`,
  header: (name, pattern) => `cabeçalho ${name}: corresponde a ${pattern}`,
  noParser: 'nenhum parser cumpre todas as suas regras (remetente, assunto, marca no corpo): só a extração genérica',
  forced: (why) => (why ? `forçado com --parser; suas regras se cumprem: ${why.join('; ')}` : 'forçado com --parser; suas regras NÃO se cumprem neste e-mail'),
  phoneTooShort: (raw, country) => `o telefone "${raw}" é curto demais para ${country}`,
  phoneTooLong: (raw, country) => `o telefone "${raw}" é longo demais para ${country}`,
  notAPhone: (raw) => `"${raw}" não é um número de telefone`,
  phoneUnallocated: (raw, country) => `telefone não atribuído em ${country} ("${raw}")`,
  badEmail: (raw) => `"${raw}" não é um endereço de e-mail utilizável`,
  badName: (raw) => `"${raw}" não parece o nome de uma pessoa`,
  unknownProject: (raw, n) => `"${raw}" não corresponde a nenhum projeto configurado${n ? ` (o mais parecido: ${n.name}, ${n.similarity.toFixed(2)})` : ''}`,
  ruleFoundNothing: (field, why, completed) => `sua regra para ${field} não encontrou nada (${why})${completed ? '; a extração genérica o completou' : ''}`,
  combined: 'nome + sobrenome',
  note: (n) => {
    switch (n.code) {
      case 'no-html': return 'o e-mail não tem parte HTML para um seletor';
      case 'no-element': return `o seletor ${n.css} não encontrou elementos`;
      case 'own-id': return 'um identificador da empresa ou do portal, não do cliente';
      case 'label': return 'um rótulo, não um valor';
      case 'nothing': return 'não encontrou nada';
    }
  },
};

export const explainWords = (lang: ExplainLang): ExplainWords => (lang === 'pt' ? PT : ES);
