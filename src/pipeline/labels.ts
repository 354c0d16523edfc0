import type { FieldName } from '../parsers/schema.ts';
import { fold, remembered } from './text.ts';
import { ID_LABEL_WORDS } from '../countries/index.ts';

/**
 * Words that make a label mean a field, in Spanish, Portuguese and English. Checked in this order,
 * so "Nombre del proyecto" is a project and "Teléfono del cliente" a phone, not a name.
 */
const LABEL_WORDS: [FieldName, RegExp][] = [
  ['message', /^(mensaje|mensagem|message|cuerpo del mensaje|message body|corpo da mensagem|comentarios?|comments?|pregunta|consulta|observaci(on|ones)|observac(ao|oes)|detalle|texto|duda|requerimiento|descripcion|su mensaje|tu mensaje)\b/],
  // Every country's words for its IDs (RUT, D.N.I., CPF, CURP, Cédula…), from the country registry.
  ['nationalId', new RegExp(`\\b(${ID_LABEL_WORDS.map(fold).join('|')})\\b`)],
  ['email', /\b(e ?mail|correo|mail|email address|endereco de e ?mail|correo electronico)\b/],
  ['phone', /\b(telefono|telefonos|telefone|celular|cel|fono|movil|whatsapp|phone|phone number|tel|mobile|contacto telefonico|numero de contacto)\b/],
  ['project', /\b(proyecto|propiedad|aviso|publicacion|inmueble|imovel|property|listing|anuncio|empreendimento|unidad de interes|proyecto de interes|desarrollo)\b/],
  ['lastName', /^(apellidos?|apellido paterno|apellido materno|primer apellido|segundo apellido|sobrenome|last name|surname)\b/],
  ['firstName', /^(nombres|primer nombre|first name|given name|primeiro nome)$/],
  ['name', /^(nombre|nombres? y apellidos?|nombre completo|nome|nome completo|name|full name|your name|tu nombre|su nombre|cliente|interesado|remitente|contato)\b/],
];

// Relays and CRMs prefix or suffix the form's labels: "Lead Full Name", "Contact email",
// "Nombre completo del lead", "Teléfono do cliente". The label without them is read too.
const LABEL_PREFIX = /^(lead|leads|contact|contacto|customer|client|cliente|user|usuario|prospect|prospecto|your|tu|su|seu|sua|person|persona|deal|negocio) (?=\S)/;
const LABEL_SUFFIX = / (del|de la|do|da|of the|of) (lead|cliente|client|contacto|contato|contact|interesado|prospecto|usuario|customer|user)$/;

const STAFF = /\b(owner|asesora?|vendedora?|ejecutiv[oa]s?|agente|broker|corredora?|corretora?|responsable|assigned|asignad[oa]|atendido por|sales rep|vendor|inmobiliaria|empresa|company)\b/;

/** The field a label names ("Nombre y apellido" → name), or null. */
export const fieldForLabel = remembered(fieldForLabelOf);
/** A line made only of labels (a table's header row, "Documento E-mail Fono"). */
export const isLabelText = remembered(isLabelTextOf);
const isBareLabel = remembered(isBareLabelOf);

function fieldForKey(key: string): FieldName | null {
  for (const [field, re] of LABEL_WORDS) if (re.test(key)) return field;
  return null;
}

/** Field a label means, or null. Labels are short: a sentence that happens to contain a word is not one. */
function fieldForLabelOf(label: string): FieldName | null {
  // Values and separators ("-----Mensaje original-----") are not labels.
  if (label.includes('@') || /\d{3}/.test(label) || /-{3,}|_{3,}|={3,}/.test(label)) return null;
  const key = fold(label);
  if (!key || key.length > 40 || key.split(' ').length > 6) return null;
  // The vendor's or the portal's own data in a CRM digest ("Email del ejecutivo", "Contact owner").
  if (STAFF.test(key)) return null;
  const direct = fieldForKey(key);
  const bare = key.replace(LABEL_SUFFIX, '').replace(LABEL_PREFIX, '');
  // "Contact name" is a name, not the phone "contacto" would suggest on its own.
  if (bare !== key && bare) return fieldForKey(bare) ?? direct;
  return direct;
}

// Relays' symbol labels with no word beside them: "📧 ana@correo.cl", "📱: +56 9 …".
const EMOJI_LABELS: [RegExp, string][] = [
  [/^(?:👤|🙋|🧑|👨|👩)/u, 'Nombre'],
  [/^(?:📧|✉|📩|📨|💌)/u, 'Email'],
  [/^(?:📱|📞|☎|📲|☏)/u, 'Teléfono'],
  [/^(?:🪪|🆔)/u, 'RUT'],
  [/^(?:🏢|🏠|🏡|🏘|🏗|🏬)/u, 'Proyecto'],
  [/^(?:💬|📝|🗨)/u, 'Mensaje'],
];

/** A line whose only label is a symbol, rewritten as `Label: value`; other lines as they are. */
export function emojiLabelLine(line: string): string {
  if (!line || line.charCodeAt(0) < 0x2000) return line;
  for (const [re, label] of EMOJI_LABELS) {
    const m = re.exec(line);
    if (!m) continue;
    const rest = line.slice(m[0].length).replace(/^[\ufe0f\u200d\s]+/, '');
    if (rest.startsWith(':')) return `${label}: ${rest.slice(1).trim()}`;
    // "👤 Nombre: Ana" already has its word; "👤 Ana Soto" has none.
    const split = splitLabelLine(rest);
    return split && fieldForLabel(split.label) ? rest : `${label}: ${rest}`;
  }
  return line;
}

// Several fields on one line: "RUT: … · Teléfono: …", "Email: … | Proyecto: …".
// A dash, slash or comma separates fields only when a `Label:` follows it.
const MULTI_SEPARATOR = /\s+[·|•¦]\s+|(?:\s+[-–—/]|,)\s+(?=[^\s:,]{1,30}(?: [^\s:,]{1,30}){0,3}:)/;

/**
 * Lines carrying several `Label: value` pairs split into one line each, when at least two of the
 * pieces start with a known label; other lines are kept as they are.
 */
export function splitMultiLabelLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const raw of lines) {
    const line = emojiLabelLine(raw);
    if (line.length > 2000 || !MULTI_SEPARATOR.test(line)) { out.push(line); continue; }
    const pieces = line.split(MULTI_SEPARATOR).map((p) => p.trim()).filter(Boolean);
    const known = pieces.filter((p) => { const s = splitLabelLine(p); return s !== null && s.value !== '' && fieldForLabel(s.label) !== null; });
    if (known.length >= 2) out.push(...pieces);
    else out.push(line);
  }
  return out;
}

// Column headers that name no lead field but sit in a form's header row ("Fecha", "Hora", "Origen").
const OTHER_HEADER_WORDS = /^(fecha|hora|date|time|origen|fuente|source|canal|tipo|estado|status|id|n|nro|numero|codigo|code|comuna|ciudad|cidade|city|region|pais|country|monto|precio|valor|presupuesto|renta|operacion|y|e|de|del|do|da|and)$/;

// Words that only ever sit inside a label beside a field word: "Nombre completo", "Correo
// electrónico", "Apellido paterno", "Your name", "Número de contacto", "Teléfono del cliente".
const LABEL_FILLER_WORDS = new Set([
  'completo', 'completa', 'electronico', 'paterno', 'materno', 'primer', 'primeiro', 'segundo', 'full', 'first', 'last',
  'given', 'your', 'tu', 'su', 'seu', 'sua', 'address', 'number', 'numero', 'nro', 'body', 'corpo', 'cuerpo', 'endereco',
  'contacto', 'contato', 'contact', 'telefonico', 'lead', 'customer', 'client', 'user', 'usuario', 'prospect', 'prospecto',
  'person', 'persona', 'interes', 'identidad', 'nacional', 'unica',
]);
// Joining words: inside a label only ("Nombre y apellido"), never at either end ("Cliente Y" is a name).
const LABEL_JOINERS = new Set(['y', 'e', 'de', 'del', 'do', 'da', 'and', 'of', 'the', 'la']);
const ID_WORDS = new Set(ID_LABEL_WORDS.flatMap((w) => fold(w).split(' ')).filter((w) => w.length > 1));

/** Whether one folded word is a label's word on its own: a field word, an ID's, a column's or a label's filler. */
function labelWord(w: string): boolean {
  if (w.length < 2) return false; // "Cliente A": a single letter is an initial, not a label
  return fieldForLabel(w) !== null || ID_WORDS.has(w) || LABEL_FILLER_WORDS.has(w) || (OTHER_HEADER_WORDS.test(w) && !LABEL_JOINERS.has(w));
}

/**
 * Whether a text is only labels ("Documento E-mail Fono Aviso", "Nombre y apellido", "D.N.I."): a
 * table's header row read as a value. Such a text is never a person's name nor any field's value.
 * Every word must be a label's word, and at least one must name a field: a name with one word that
 * is also a label ("Rut Pérez", "Cliente A", "Ana Contacto") is a name.
 */
function isLabelTextOf(text: string): boolean {
  const cells = text.split('\t').map((c) => c.trim()).filter(Boolean);
  if (!cells.length) return false;
  if (cells.length > 1) return cells.every(isLabelText);
  const key = fold(cells[0].replace(/[:*]+$/, ''))
    // Abbreviations read as one word: "e mail" (E-mail), "d n i" (D.N.I.), "c i" (C.I.).
    .replace(/\be mail\b/g, 'email')
    .replace(/\b[a-z](?: [a-z]\b)+/g, (m) => m.replace(/ /g, ''));
  const words = key.split(' ').filter(Boolean);
  if (!words.length || words.length > 8) return false;
  let field = fieldForLabel(key) !== null;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (LABEL_JOINERS.has(w) && k > 0 && k < words.length - 1) continue;
    if (w === 'n' && k === 0 && words.length > 1) continue; // "N° de documento"
    if (!labelWord(w)) return false;
    if (!field && fieldForLabel(w)) field = true;
  }
  return field;
}

/**
 * A table's header row ("Nombre<TAB>Documento<TAB>E-mail<TAB>Fono<TAB>Aviso"): its cells, or null.
 * Two or more cells, none of them a value (no address, no number), at least two of them labels.
 */
export function headerCells(line: string, isLabel: (label: string) => boolean): string[] | null {
  if (!line.includes('\t')) return null;
  const cells = line.split('\t').map((c) => c.replace(/[:*]+$/, '').trim());
  if (cells.length < 2 || cells.length > 16) return null;
  let known = 0;
  for (const c of cells) {
    if (!c || c.length > 40 || /@|\d{3}/.test(c) || c.split(/\s+/).length > 5) return null;
    if (isLabel(c) || fieldForLabel(c)) known++;
    else if (!isLabelText(c) && !OTHER_HEADER_WORDS.test(fold(c))) return null;
  }
  return known >= 2 ? cells : null;
}

type CellKind = 'email' | 'number' | 'text';
const cellKind = (v: string): CellKind => (/@/.test(v) ? 'email' : (v.match(/\d/g)?.length ?? 0) >= 6 ? 'number' : 'text');
const headerKind = (h: string): CellKind => {
  const f = fieldForLabel(h);
  return f === 'email' ? 'email' : f === 'phone' || f === 'nationalId' ? 'number' : 'text';
};

/**
 * A value row under a header row, as `header → value`. Same number of cells: by column. An empty
 * cell drops out of the row when HTML becomes text, so otherwise by kind (an address under the email
 * header, numbers under the ID and phone headers in order, words under the other headers in order).
 */
export function rowValues(headers: string[], row: string[]): [string, string][] {
  if (headers.length === row.length) return headers.map((h, k) => [h, row[k]]);
  const out: [string, string][] = [];
  for (const kind of ['email', 'number', 'text'] as const) {
    const hs = headers.filter((h) => headerKind(h) === kind);
    const vs = row.filter((v) => cellKind(v) === kind);
    // Only when the counts agree: a guess between two numbers would swap an ID and a phone.
    if (hs.length !== vs.length) continue;
    hs.forEach((h, k) => out.push([h, vs[k]]));
  }
  return out;
}

export interface LabelledValue {
  label: string;
  value: string;
  /** The line index the value came from, to keep the first occurrence. */
  line: number;
}

/**
 * A label alone on its line: ends with a colon, or is at most three words (a table cell, a dt) once
 * a relay's prefix or suffix is set aside ("NOMBRE COMPLETO DEL LEAD").
 */
function isBareLabelOf(line: string): boolean {
  if (/:\s*$/.test(line)) return true;
  const words = line.trim().split(/\s+/).length;
  if (words <= 3) return true;
  if (words > 6) return false;
  return fold(line).replace(LABEL_SUFFIX, '').replace(LABEL_PREFIX, '').split(' ').length <= 3;
}

const SEPARATOR = /^([^:\t]{1,60}?)\s*(?::|\t|\s-\s)\s*(.*)$/;

/** A line split into label and value (`Label: value`, `Label<TAB>value`), or null. */
export function splitLabelLine(line: string): { label: string; value: string } | null {
  const m = SEPARATOR.exec(line);
  if (!m) return null;
  return { label: m[1].replace(/[*•·\-–]+$/g, '').replace(/^[*•·\-–\s]+/, '').trim(), value: m[2].trim() };
}

/**
 * Every `label: value` pair in the lines. A label alone on its line takes the next line as value
 * (definition lists, stacked cells). A message runs on until the next label line.
 */
export function labelledPairs(lines: string[], isLabel: (label: string) => boolean, multiLine: (label: string) => boolean): LabelledValue[] {
  const out: LabelledValue[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    // A table: a header row, then the value row under it (read before `Label<TAB>value`, which
    // would take the header row's second cell as the first one's value).
    const headers = headerCells(line, isLabel);
    if (headers) {
      const next = lines[i + 1];
      if (next && next.includes('\t') && !headerCells(next, isLabel)) {
        for (const [label, value] of rowValues(headers, next.split('\t').map((c) => c.trim()))) {
          if (isLabel(label) && value && value !== '-' && !isLabelText(value)) out.push({ label, value, line: i + 1 });
        }
        i++;
      }
      continue;
    }
    const split = splitLabelLine(line);
    let label: string;
    let value: string;
    if (split && isLabel(split.label)) {
      ({ label, value } = split);
    } else if (isBareLabel(line) && isLabel(line.replace(/[:*]+$/, '').trim()) && i + 1 < lines.length) {
      label = line.replace(/[:*]+$/, '').trim();
      value = '';
    } else continue;
    let j = i;
    if (!value && j + 1 < lines.length && lines[j + 1]) {
      // The next line is the value unless it is itself a label: an empty field stays empty.
      const nextLine = lines[j + 1];
      const next = splitLabelLine(nextLine);
      const looksLabel = /:\s*$/.test(nextLine) || (next && (isLabel(next.label) || fieldForLabel(next.label))) || isLabel(nextLine) || (isBareLabel(nextLine) && fieldForLabel(nextLine));
      if (!looksLabel) value = lines[++j];
    }
    if (multiLine(label)) {
      // "Mensaje:" closing its own paragraph: the message is the next one.
      if (!value && j + 2 < lines.length && lines[j + 1] === '' && lines[j + 2]) {
        const after = splitLabelLine(lines[j + 2]);
        if (!(after && isLabel(after.label)) && !isLabel(lines[j + 2])) { j += 2; value = lines[j]; }
      }
      // A message runs on to the end of its paragraph, or the next label.
      while (j + 1 < lines.length && j - i < 30 && lines[j + 1] !== '') {
        const next = lines[j + 1];
        const nextSplit = splitLabelLine(next);
        if ((nextSplit && isLabel(nextSplit.label)) || isLabel(next) || /^(--|__|saludos|atentamente|enviado desde)/i.test(next)) break;
        value = value ? `${value}\n${next}` : next;
        j++;
      }
    }
    // JSON-looking bodies: "documento": "07654321", keeps neither quotes nor the comma.
    const clean = value.replace(/\t/g, ' ').trim().replace(/^["'“«]+|["'”»]*\s*[,;]?$/g, '').replace(/^["'“«]+|["'”»]+$/g, '');
    // A header row's other cells read as this label's value are no value ("Documento E-mail Fono").
    out.push({ label, value: isLabelText(clean) ? '' : clean, line: i });
    i = j;
  }
  return out;
}

/** A label that names a lead field. */
export const isFieldLabel = (label: string): boolean => fieldForLabel(label) !== null;

const pairsOfLines = new WeakMap<string[], readonly LabelledValue[]>();

/**
 * The known fields' labelled values of these lines, "Mensaje" read over several lines: what the
 * generic extraction and the people splitter both ask of the same view, read once per lines array.
 */
export function fieldPairs(lines: string[]): readonly LabelledValue[] {
  let pairs = pairsOfLines.get(lines);
  if (!pairs) {
    pairs = labelledPairs(lines, isFieldLabel, (l) => fieldForLabel(l) === 'message');
    pairsOfLines.set(lines, pairs);
  }
  return pairs;
}
