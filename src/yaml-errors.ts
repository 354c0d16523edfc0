import type { Document, LineCounter } from 'yaml';
import { isMap, isNode, isScalar } from 'yaml';
import { z } from 'zod';

/** zod's own messages in Spanish, as the CLI and the page speak, for the config and parser files (a schema's own message wins). */
export const ZOD_SPANISH = z.locales.es().localeError;

export interface SourceLocator {
  doc: Document;
  lineCounter: LineCounter;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: IssueLike[][];
}

/**
 * A union's "Invalid input" says nothing; the branch that came closest (fewest issues, deepest
 * path) says what is wrong. Its issues are lifted to absolute paths.
 */
function explain(issue: IssueLike): IssueLike[] {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  const depth = (list: IssueLike[]) => Math.max(...list.map((i) => i.path.length));
  const best = [...issue.errors].filter((b) => b.length).sort((a, b) => a.length - b.length || depth(b) - depth(a))[0];
  if (!best) return [issue];
  return best.flatMap((i) => explain({ ...i, path: [...issue.path, ...i.path] }));
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Line:col of the deepest node of `path` that exists in the YAML source. */
export function locate(loc: SourceLocator, path: PropertyKey[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = loc.doc.getIn(path.slice(0, n).map((k) => (typeof k === 'symbol' ? String(k) : k)), true);
    if (isNode(node) && node.range) {
      const p = loc.lineCounter.linePos(node.range[0]);
      return `${p.line}:${p.col}`;
    }
  }
  return '';
}

/** Line:col of the key `path`'s last element is written under (a map key), else of its value. */
export function locateKey(loc: SourceLocator, path: PropertyKey[]): string {
  const parent = path.length > 1 ? loc.doc.getIn(path.slice(0, -1).map((k) => (typeof k === 'symbol' ? String(k) : k)), true) : loc.doc.contents;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
    if (pair && isNode(pair.key) && pair.key.range) {
      const p = loc.lineCounter.linePos(pair.key.range[0]);
      return `${p.line}:${p.col}`;
    }
  }
  return locate(loc, path);
}

function show(value: unknown): string {
  if (value === undefined) return 'ausente';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One line per issue: `file:line:col: key.path: message (valor: value)`. */
export function formatIssues(file: string, issues: IssueLike[], data: unknown, loc?: SourceLocator): string {
  return issues
    .flatMap(explain)
    .slice(0, 10)
    .map((issue) => {
      const where = loc ? locate(loc, issue.path) : '';
      const key = issue.path.map(String).join('.') || '(raíz)';
      return `${file}${where ? `:${where}` : ''}: ${key}: ${issue.message} (valor: ${show(valueAt(data, issue.path))})`;
    })
    .join('\n');
}
