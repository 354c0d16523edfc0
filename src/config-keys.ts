// Keys a config file writes that its schema does not know (a typo such as `followupDays` would
// otherwise be dropped silently), with the closest known key and the file:line of each.
import { z } from 'zod';
import { locateKey, type SourceLocator } from './yaml-errors.ts';

/** The object schema under defaults, optionals and pipes (a transform's input), or the schema itself. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodPipe) s = (s instanceof z.ZodPipe ? s.in : s.unwrap()) as z.ZodType;
  return s;
}

export interface UnknownKey {
  /** Key path in the file: ['projects', 0, 'alias']. */
  path: (string | number)[];
  /** The keys allowed where it was written. */
  known: string[];
}

/**
 * Keys the schema does not know: a typo such as `followupDays` or `vendor:` would otherwise be
 * dropped silently (and `vendor:` would leave every vendor out). For a union (a mailbox's `auth`)
 * the branch that fits best is the one checked.
 */
export function unknownKeys(data: unknown, schema: z.ZodType, at: (string | number)[] = []): UnknownKey[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && data && typeof data === 'object' && !Array.isArray(data)) {
    const shape = s.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    return Object.entries(data).flatMap(([k, v]) => (k in shape ? unknownKeys(v, shape[k], [...at, k]) : [{ path: [...at, k], known }]));
  }
  if (s instanceof z.ZodArray && Array.isArray(data)) return data.flatMap((item, i) => unknownKeys(item, s.element as z.ZodType, [...at, i]));
  if (s instanceof z.ZodUnion) {
    const found = (s.options as z.ZodType[]).filter((o) => unwrap(o) instanceof z.ZodObject).map((o) => unknownKeys(data, o, at));
    return found.sort((a, b) => a.length - b.length)[0] ?? [];
  }
  return [];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known key closest to `key` (case aside), when it is close enough to be a typo of it. */
export function closestKey(key: string, known: string[]): string | null {
  const k = key.toLowerCase();
  let best: { key: string; d: number } | null = null;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const d = c.startsWith(k) || k.startsWith(c) ? Math.min(editDistance(k, c), 2) : editDistance(k, c);
    if (!best || d < best.d) best = { key: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.key : null;
}

export function unknownKeyMessages(found: UnknownKey[], file: string, loc: SourceLocator): string {
  return found
    .slice(0, 10)
    .map(({ path: at, known }) => {
      const where = locateKey(loc, at);
      const key = String(at[at.length - 1]);
      const near = closestKey(key, known);
      const hint = near ? `¿quiso decir "${near}"?` : `claves válidas aquí: ${known.join(', ')}`;
      return `${file}${where ? `:${where}` : ''}: ${at.join('.')}: clave desconocida "${key}"; ${hint}`;
    })
    .join('\n');
}
