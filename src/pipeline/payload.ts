// Lead-ad payloads mailed as JSON (Google Ads lead forms, Meta lead ads through a relay, webhooks a
// CRM forwards): turned into `Label: value` lines the label extraction reads like any form.
//   Google Ads: user_column_data: [{column_id: FULL_NAME, column_name: "Full Name", string_value}]
//   Meta:       field_data: [{name: full_name, values: [..]}]
//   Anything else: plain "key": "value" members, nested objects walked.

const MAX_JSON = 200_000;
const MAX_PAIRS = 200;

// Google Ads column ids to the label words the extraction knows.
const COLUMN_IDS: Record<string, string> = {
  FULL_NAME: 'Nombre completo', FIRST_NAME: 'Nombres', LAST_NAME: 'Apellido', EMAIL: 'Email',
  WORK_EMAIL: 'Email', PHONE_NUMBER: 'Teléfono', WORK_PHONE: 'Teléfono',
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function scalar(v: Json | undefined): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number') return String(v);
  return null;
}

function walk(node: Json, out: string[], depth: number): void {
  if (out.length >= MAX_PAIRS || depth > 12 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, out, depth + 1);
    return;
  }
  // {column_id, column_name, string_value}: one Google Ads answer.
  const answer = scalar(node.string_value) ?? scalar(node.value) ?? (Array.isArray(node.values) ? scalar(node.values[0]) : null);
  const question = scalar(node.column_name) ?? scalar(node.question) ?? scalar(node.label) ?? scalar(node.name) ?? scalar(node.key);
  const columnId = scalar(node.column_id) ?? scalar(node.id);
  if (answer && (question || columnId)) {
    const known = columnId ? COLUMN_IDS[columnId.toUpperCase()] : undefined;
    out.push(`${known ?? question ?? columnId}: ${answer}`);
    if (known && question && question !== known) out.push(`${question}: ${answer}`);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    const s = scalar(v);
    if (s !== null) out.push(`${k}: ${s}`);
    else walk(v, out, depth + 1);
  }
}

function tryParse(s: string): Json | undefined {
  try {
    return JSON.parse(s) as Json;
  } catch {
    return undefined;
  }
}

/**
 * The `Label: value` lines of a JSON payload in the text, or [] when there is none. Tries the span
 * from the first '{' or '[' to the last '}' or ']', then each line that is a JSON object by itself.
 */
export function payloadLines(text: string): string[] {
  if (!text || text.length > MAX_JSON * 2) return [];
  const start = text.search(/[{[]/);
  if (start < 0) return [];
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  const out: string[] = [];
  if (end > start && end - start < MAX_JSON) {
    const whole = tryParse(text.slice(start, end + 1));
    if (whole !== undefined && typeof whole === 'object') walk(whole, out, 0);
  }
  if (!out.length) {
    for (const line of text.split('\n')) {
      const t = line.trim();
      if (t.length > 2 && t.length < MAX_JSON && t.startsWith('{') && t.endsWith('}')) {
        const one = tryParse(t);
        if (one !== undefined) walk(one, out, 0);
      }
    }
  }
  // Snake-case keys read as words: "phone_number" is "phone number", "¿cuál_es_tu_rut?" a question.
  return out.map((l) => {
    const i = l.indexOf(': ');
    return `${l.slice(0, i).replace(/_/g, ' ')}: ${l.slice(i + 2).replace(/\s*\n\s*/g, ' ')}`;
  });
}
