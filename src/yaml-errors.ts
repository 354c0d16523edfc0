import type { Document, LineCounter } from 'yaml';
import { isNode } from 'yaml';

export interface SourceLocator {
  doc: Document;
  lineCounter: LineCounter;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
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

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One line per issue: `file:line:col: key.path: message (got value)`. */
export function formatIssues(file: string, issues: IssueLike[], data: unknown, loc?: SourceLocator): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const where = loc ? locate(loc, issue.path) : '';
      const key = issue.path.map(String).join('.') || '(root)';
      return `${file}${where ? `:${where}` : ''}: ${key}: ${issue.message} (got ${show(valueAt(data, issue.path))})`;
    })
    .join('\n');
}
