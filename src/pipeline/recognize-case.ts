// Is this email an owner's post-sale matter (a case) or a sales enquiry (a lead)? A pure stage of
// the pipeline, run in the worker: it weighs the words of the subject and the body (Spanish and
// Portuguese), who sent it (a portal's notification is a sales lead unless it carries a real
// complaint) and how it is phrased (first person: "mi departamento", "ya llamé dos veces"). One
// word never decides: "entrega inmediata" and "gastos comunes $80.000" are what listings say.
// The commit adds what only the database knows: a reply in a case's thread, an existing client
// past promesa/escritura, a service mailbox (src/cases/route.ts).
import { caseNumberIn, type CaseCategory } from '../case-vocabulary.ts';
import { fold } from './text.ts';
import { TermIndex, type Terms } from './term-index.ts';

export interface CaseSignal {
  /** What the text says on its own: a case, or a lead (the commit may still make it a case). */
  verdict: 'case' | 'lead';
  category: CaseCategory;
  /** Post-sale weight minus sales weight (the portal's handicap included). */
  score: number;
  /** Why, in Spanish, one line per piece of evidence. */
  evidence: string[];
  /** The unit as written: "depto 1502", "casa 12", "bodega 3". */
  unit: string | null;
  /** The "[Caso N]" tag of the subject, when there is one. */
  caseNumber: number | null;
  /** The language the client wrote in (the acknowledgement answers in it). */
  lang: 'es' | 'pt';
}

export interface RecognizeInput {
  subject: string;
  /** The body's own text (above the quote for a reply). */
  body: string;
  /** The portal parser that claimed the email, and its medium; null for a person's own email. */
  parser: { id: string; medium: string } | null;
}

/** A term: folded words; a trailing `*` matches any ending ("filtrac*": filtración, filtraciones). */

// Damage, defects and repairs: an owner's words, rarely a buyer's.
const DEFECTS: Terms = [
  ['filtrac*', 3], ['humedad', 3], ['gotera*', 3], ['goteando', 3], ['hongo*', 2], ['moho', 2], ['trizadura*', 3], ['fisura*', 2], ['grieta*', 3],
  ['desperfecto*', 3], ['defecto*', 2], ['falla*', 2], ['fallando', 2], ['no funciona*', 2], ['se rompio', 3], ['se cayo', 2], ['roto', 1], ['rota', 1], ['inundac*', 3],
  ['se llueve', 3], ['cortocircuito', 3], ['sin agua caliente', 3], ['calefont', 1], ['mal olor', 2], ['desprendi*', 2], ['se despega*', 2], ['fuga de agua', 3], ['fuga de gas', 3],
  ['agua caliente', 1], ['no sale agua', 2], ['no enciende', 2], ['no prende', 2], ['no cierra', 2], ['no cierran', 2], ['tapad*', 2], ['atascad*', 2], ['se corto', 1], ['problema con', 1], ['problemas con', 1], ['problemas de', 1],
  ['vazamento*', 3], ['soltando', 2], ['descolando', 2], ['entupid*', 2], ['nao liga', 2], ['nao fecha', 2], ['curto circuito', 3], ['problema no', 1], ['problemas no', 1], ['infiltrac*', 3], ['terminaciones', 2], ['manchas', 2], ['nao esquenta', 2], ['umidade', 3], ['goteira*', 3], ['rachadura*', 3], ['trinca*', 2], ['mofo', 2], ['defeito*', 3], ['nao funciona*', 2], ['quebrad*', 1],
];
// Complaint and frustration.
const COMPLAINT: Terms = [
  ['reclamo*', 3], ['reclamar', 3], ['reclamacion*', 3], ['queja*', 3], ['quejarme', 3], ['nadie vino', 3], ['nadie ha venido', 3], ['nadie me responde', 3], ['nadie responde', 3],
  ['sin respuesta', 2], ['ya llame', 3], ['llame dos veces', 3], ['varias veces', 1], ['inaceptable', 3], ['indignad*', 3], ['pesimo servicio', 3], ['me molesta', 1], ['ruidos molestos', 2], ['sernac', 3],
  ['reclamacao', 3], ['reclamacoes', 3], ['reclamar', 3], ['ninguem veio', 3], ['ninguem responde', 3], ['sem resposta', 2], ['ja liguei', 3], ['absurdo', 2], ['procon', 3], ['descaso', 3],
];
// After the sale: the owner's processes and the building's life.
const OWNER: Terms = [
  ['postventa', 3], ['post venta', 3], ['garantia', 2], ['servicio tecnico', 2], ['visita tecnica', 2], ['mantencion', 2], ['mantenimiento', 1],
  ['soy propietari*', 3], ['somos propietari*', 3], ['mi departamento', 2], ['mi depto', 2], ['nuestro departamento', 2], ['nuestro depto', 2], ['mi casa', 1], ['mi unidad', 2], ['mi bodega', 2], ['mi estacionamiento', 2],
  ['me entregaron', 3], ['nos entregaron', 3], ['recibi el departamento', 3], ['recibimos el departamento', 3], ['acta de entrega', 3], ['entrega del depto', 2], ['entrega de mi', 3], ['entrega del departamento', 2],
  ['escritura', 1], ['escrituracion', 2], ['copia de la escritura', 3], ['certificado de dominio', 2], ['asamblea de copropietarios', 3], ['copropietari*', 2], ['comite de administracion', 2], ['mis llaves', 2], ['vengan a revisar', 2], ['venir a revisar', 2], ['pueden venir', 2], ['enviar a alguien', 2], ['manden a alguien', 2], ['la escritura de mi', 3], ['firmamos la escritura', 3], ['firmamos la promesa', 3], ['cuando nos entregan', 3], ['cuando me entregan', 3], ['entrega de llaves', 2], ['inscripcion', 1], ['conservador de bienes raices', 2], ['recepcion final', 3], ['gastos comunes', 1], ['administracion', 1], ['administrador', 1], ['copropiedad', 2], ['conserje*', 1],
  ['compre', 1], ['compramos', 1], ['propietario', 2], ['propietaria', 2], ['sugerencia*', 3], ['sugiero', 3], ['sugerir', 2], ['felicit*', 1],
  ['soy dueno', 3], ['soy duena', 3], ['somos duenos', 3], ['firme la promesa', 3], ['firme promesa', 3], ['firmamos promesa', 3], ['promesa de compraventa', 2], ['ya pague el pie', 3], ['ya pagamos el pie', 3], ['boleta de gastos comunes', 3], ['cuenta de gastos comunes', 2], ['estado de mi escritura', 3], ['vivo en el', 2],
  ['pos venda', 3], ['pos-venda', 3], ['assistencia tecnica', 3], ['garantia', 2], ['condominio', 1], ['sindico', 2], ['meu apartamento', 2], ['meu apto', 2], ['nosso apartamento', 2], ['recebi as chaves', 3], ['receber as chaves', 3], ['iptu', 1], ['portaria', 1],
  ['entrega das chaves', 2], ['sou proprietari*', 3], ['somos proprietari*', 3], ['sou dono', 3], ['sou dona', 3], ['sugestao', 3], ['sugiro', 3], ['manutencao', 2], ['vistoria', 2],
];
// Who writes: an owner naming what is theirs ("mi depto", "soy propietaria", "compré").
const IDENTITY: Terms = [
  ['mi departamento', 2], ['mi depto', 2], ['nuestro departamento', 2], ['nuestro depto', 2], ['mi casa', 1], ['mi unidad', 2], ['mi bodega', 2], ['mi estacionamiento', 2],
  ['propietari*', 2], ['soy dueno', 2], ['soy duena', 2], ['dueno del', 2], ['duena del', 2], ['compre', 1], ['compramos', 1], ['meu apartamento', 2], ['meu apto', 2], ['nosso apartamento', 2], ['proprietari*', 2], ['vivo en el', 2],
];
// A buyer's words: price, availability, visits, financing.
const SALES: Terms = [
  ['cotizar', 3], ['cotizacion', 2], ['me interesa*', 3], ['estoy interesad*', 3], ['interesad*', 1], ['quisiera informacion', 2], ['mas informacion', 2], ['solicito informacion', 2], ['precio*', 2], ['valor', 1],
  ['disponibilidad', 2], ['disponible*', 1], ['piloto', 2], ['agendar una visita', 2], ['agendar visita', 2], ['dividendo', 2], ['pie', 1], ['credito hipotecario', 2], ['financiamiento', 2], ['subsidio', 2],
  ['tipologia*', 2], ['entrega inmediata', 2], ['en verde', 2], ['en blanco', 2], ['arriendo', 1], ['comprar', 2], ['quiero comprar', 3], ['busco', 1], ['contactarme', 1],
  ['estoy buscando', 2], ['busco un', 2], ['busco algo', 2], ['mudarme', 2], ['cambiarme', 2], ['ofrecen', 3], ['que tienen', 2], ['algo nuevo', 1], ['depto actual', 2], ['departamento actual', 2], ['casa actual', 2], ['incluye', 1], ['incluyen', 1], ['arrendar', 1], ['reservar', 2], ['reserva', 1], ['estou procurando', 2], ['procuro', 1], ['invertir', 2], ['inversion', 2], ['sala de ventas', 2], ['cotice', 1],
  ['tenho interesse', 3], ['gostaria de mais informac*', 3], ['mais informac*', 2], ['valores', 1], ['simulac*', 2], ['financiamento', 2], ['plantas', 1], ['decorado', 2], ['agendar', 1],
];
const SUGGESTION: Terms = [['sugerencia*', 3], ['sugiero', 3], ['sugerir', 3], ['seria bueno', 2], ['podrian considerar', 2], ['propongo', 2], ['sugestao', 3], ['sugiro', 3], ['seria bom', 2], ['felicit*', 3], ['parabens', 3]];
const QUESTION: Terms = [['consulta*', 2], ['quisiera saber', 2], ['quisiera consultar', 2], ['me pueden indicar', 2], ['cuando', 1], ['como puedo', 2], ['duvida', 2], ['gostaria de saber', 2], ['como faco', 2], ['necesito', 1], ['a quien', 1], ['cada cuanto', 2]];
const REPAIR: Terms = [['garantia', 2], ['postventa', 2], ['post venta', 2], ['mantencion', 2], ['servicio tecnico', 2], ['visita tecnica', 2], ['revisar', 1], ['reparar', 2], ['reparac*', 2], ['arreglar', 2], ['assistencia tecnica', 2], ['pos venda', 2], ['reparo*', 2], ['conserto', 2]];

/** A subject that opens with the matter counts again: the strong complaint words and the post-sale ones. */
const SUBJECT_TERMS: Terms = [...COMPLAINT.filter(([, w]) => w >= 3), ['postventa', 3], ['post venta', 3], ['pos venda', 3], ['garantia', 2], ['sugerencia*', 2]];

const PORTUGUESE: Terms = [['nao', 1], ['voce', 1], ['obrigad*', 1], ['ola', 1], ['boa tarde', 1], ['bom dia', 1], ['meu', 1], ['minha', 1], ['estou', 1], ['gostaria', 1], ['apartamento', 1], ['ninguem', 1], ['tenho', 1], ['preciso', 1], ['sou', 1]];
const SPANISH: Terms = [['hola', 1], ['gracias', 1], ['buenos dias', 1], ['buenas tardes', 1], ['mi', 1], ['estoy', 1], ['quisiera', 1], ['departamento', 1], ['depto', 1], ['nadie', 1], ['tengo', 1], ['necesito', 1], ['soy', 1], ['usted*', 1]];

/** Every list the recognizer looks up: the term index is built for them. */
const ASKED: readonly Terms[] = [DEFECTS, COMPLAINT, OWNER, IDENTITY, SALES, SUGGESTION, QUESTION, REPAIR, SUBJECT_TERMS, PORTUGUESE, SPANISH];

const sum = (hits: [string, number][]) => hits.reduce((n, [, w]) => n + w, 0);
const quote = (hits: [string, number][]) => hits.map(([t]) => `"${t}"`).join(', ');

// "depto 1502", "departamento 1502", "dpto. 34B", "casa 12", "bodega 3", "estacionamiento 45", "apto 302".
const UNIT = /\b(depto|dpto|departamento|depa|casa|bodega|estacionamiento|oficina|local|apto|apartamento|unidad)\.?\s*(?:n[°ºo.]?\s*|#\s*)?(\d{1,5}[a-z]?)\b/i;

/** The unit the owner names (the first one), normalised to "depto 1502" style. */
export function unitIn(text: string): string | null {
  const m = UNIT.exec(text.slice(0, 20_000));
  if (!m) return null;
  const kind = m[1].toLowerCase();
  const name = ['dpto', 'departamento', 'depa'].includes(kind) ? 'depto' : kind === 'apartamento' ? 'apto' : kind;
  return `${name} ${m[2].toUpperCase()}`;
}

/** The text's verdict, category and evidence. */
export function recognizeCase(input: RecognizeInput): CaseSignal {
  const subject = ` ${fold(input.subject.slice(0, 1000))} `;
  // Line by line: fold remembers short lines, and a template's lines come back in every email.
  const body = ` ${input.body.slice(0, 20_000).split('\n').map(fold).filter(Boolean).join(' ')} `;
  const all = `${subject}${body}`;
  const inAll = new TermIndex(all, ASKED);
  const inSubject = new TermIndex(subject, ASKED);
  const evidence: string[] = [];
  const defects = inAll.found(DEFECTS);
  const complaint = inAll.found(COMPLAINT);
  const owner = inAll.found(OWNER);
  // A buyer's word inside an owner's phrase ("pie" in "ya pagué el pie") is the owner's.
  const sales = inAll.found(SALES).filter(([t]) => !owner.some(([o]) => o.length > t.length && o.includes(t.replace('*', ''))));
  // A subject that opens with the matter ("Reclamo: …", "Postventa depto 1502") counts again.
  const subjectWords = inSubject.found(SUBJECT_TERMS);
  const post = sum(defects) + sum(complaint) + sum(owner) + sum(subjectWords);
  const strong = [...defects, ...complaint, ...owner].some(([, w]) => w >= 3);
  let score = post - sum(sales);
  if (defects.length) evidence.push(`daños o defectos: ${quote(defects)} (+${sum(defects)})`);
  if (complaint.length) evidence.push(`palabras de reclamo: ${quote(complaint)} (+${sum(complaint)})`);
  if (owner.length) evidence.push(`asuntos de propietario: ${quote(owner)} (+${sum(owner)})`);
  if (subjectWords.length) evidence.push(`el asunto lo dice: ${quote(subjectWords)} (+${sum(subjectWords)})`);
  if (sales.length) evidence.push(`palabras de venta: ${quote(sales)} (−${sum(sales)})`);
  // A portal's notification is an enquiry about a listing: only a strong complaint turns it.
  // The company's own web form is where owners write too; a portal or an ad is about a listing.
  if (input.parser) {
    const handicap = input.parser.medium === 'web' ? 2 : 4;
    score -= handicap;
    evidence.push(`lo envía ${input.parser.medium === 'web' ? 'un formulario de la empresa' : 'un portal o un aviso'} (${input.parser.id}): −${handicap}`);
  }
  // A strong post-sale word, or an owner speaking of theirs with enough post-sale matter and no buyer's words.
  const identity = inAll.found(IDENTITY);
  // Nothing of a buyer's: a strong word is enough; with a buyer's words the owner's side must clearly weigh more.
  const isCase = (strong || identity.length > 0 || sum(defects) >= 3) && (sales.length ? score >= 4 : score >= 3);
  const against = `postventa ${post} contra venta ${sum(sales)}${input.parser ? ' + portal' : ''}`;
  const why = strong ? '' : identity.length ? ` (escribe un propietario: ${quote(identity)})` : ', sin palabra fuerte de postventa ni propietario que escriba';
  evidence.push(`${against}${why}: ${isCase ? 'es un caso' : 'es un lead'}`);
  return { verdict: isCase ? 'case' : 'lead', category: categoryOf(inSubject, inAll, defects, complaint), score, evidence, unit: unitIn(`${input.subject}\n${input.body}`), caseNumber: caseNumberIn(input.subject), lang: inAll.found(PORTUGUESE).length > inAll.found(SPANISH).length ? 'pt' : 'es' };
}

/** reclamo: a complaint; sugerencia: a suggestion; postventa: a repair or warranty request; consulta: a question. */
function categoryOf(inSubject: TermIndex, inAll: TermIndex, defects: [string, number][], complaint: [string, number][]): CaseCategory {
  const c = sum(complaint);
  const suggestion = sum(inAll.found(SUGGESTION)) + sum(inSubject.found(SUGGESTION));
  const repair = sum(inAll.found(REPAIR)) + sum(defects);
  const question = sum(inAll.found(QUESTION));
  if (c >= 3) return 'reclamo';
  if (suggestion >= 3 && suggestion >= repair) return 'sugerencia';
  if (repair >= 2) return 'postventa';
  if (question > 0) return 'consulta';
  return c > 0 ? 'reclamo' : 'consulta';
}
