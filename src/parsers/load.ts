import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { compileParser } from './compile.ts';
import { parserSchema } from './schema.ts';
import { formatIssues, ZOD_SPANISH } from '../yaml-errors.ts';
import type { LoadedParser } from './compile.ts';

export { compileParser, type LoadedParser } from './compile.ts';

export class ParserConfigError extends Error {
  readonly code = 'ParserConfigError';
}

/** Parses one parser file (YAML or JSON); errors name the file, line and key path. */
export function parseParserFile(text: string, file: string): LoadedParser {
  const lineCounter = new LineCounter();
  // YAML is a superset of JSON, so one reader serves both and gives line numbers for both.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ParserConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${file.endsWith('.json') ? 'JSON' : 'YAML'} no válido: ${e.message.split('\n')[0]}`);
  }
  const data = doc.toJS();
  const result = parserSchema.safeParse(data, { error: ZOD_SPANISH });
  if (!result.success) throw new ParserConfigError(formatIssues(file, result.error.issues, data, { doc, lineCounter }));
  return compileParser(result.data, file);
}

export const PARSER_FILE = /\.(ya?ml|json)$/i;

/** Loads every parser in `dir`; all errors are collected so an admin sees them at once. */
export function loadParsers(dir: string): LoadedParser[] {
  if (!fs.existsSync(dir)) throw new ParserConfigError(`${dir}: no se encontró la carpeta de parsers`);
  const files = fs.readdirSync(dir).filter((f) => PARSER_FILE.test(f)).sort();
  const errors: string[] = [];
  const parsers: LoadedParser[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const p = parseParserFile(fs.readFileSync(file, 'utf8'), file);
      const other = seen.get(p.config.id);
      if (other) throw new ParserConfigError(`${file}: id: "${p.config.id}" ya lo usa ${other}`);
      seen.set(p.config.id, file);
      parsers.push(p);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) throw new ParserConfigError(errors.join('\n'));
  return parsers;
}
