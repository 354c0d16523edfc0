// A validated parser config to the parser the pipeline runs. Apart from load.ts (YAML and the zod
// schema) so the worker threads, which get configs already validated, load neither.
import { compilePattern } from './patterns.ts';
import type { LinearRegex } from './regex-guard.ts';
import type { ParserConfig } from './schema.ts';

/** A parser config with its match rules compiled once at load. */
export interface LoadedParser {
  config: ParserConfig;
  file: string;
  fromRules: string[];
  subject: LinearRegex | null;
  bodyMarkers: string[];
  headerRules: [string, LinearRegex][];
}

const toList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function compileParser(config: ParserConfig, file: string): LoadedParser {
  return {
    config,
    file,
    fromRules: toList(config.match.from).map((s) => s.toLowerCase().trim()),
    subject: config.match.subject ? compilePattern(config.match.subject, 'test') : null,
    bodyMarkers: toList(config.match.body).map((s) => s.toLowerCase()),
    headerRules: Object.entries(config.match.header ?? {}).map(([k, v]) => [k.toLowerCase(), compilePattern(v, 'test')]),
  };
}
