// Field names and config patterns, without the config schema: the pipeline (in the worker
// threads) compiles parsers from configs validated on the main thread, and needs no zod or YAML.
import { LinearRegex, PatternRefused, type PatternUse } from './regex-guard.ts';

/** Fields a parser can extract; `name` may also come as firstName + lastName. */
export const FIELD_NAMES = ['name', 'firstName', 'lastName', 'nationalId', 'email', 'phone', 'project', 'message'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

const problems = new Map<string, string | null>();

/**
 * Why a config pattern is refused for `use` (see regex-guard.ts: what RE2 cannot express, such as
 * back-references and lookbehind, or a program too large), or null. Cached: parsers reload.
 */
export function patternProblem(src: string, use: PatternUse = 'extract'): string | null {
  const key = `${use}/${src}`;
  if (problems.has(key)) return problems.get(key)!;
  let problem: string | null = null;
  try {
    compilePattern(src, use);
  } catch (e) {
    if (!(e instanceof PatternRefused)) throw e;
    problem = e.message;
  }
  if (problems.size > 5000) problems.clear();
  problems.set(key, problem);
  return problem;
}

const compiled = new Map<string, LinearRegex>();

/** The pattern compiled on the linear-time engine for `use`; throws PatternRefused. Cached. */
export function compilePattern(src: string, use: PatternUse): LinearRegex {
  const key = `${use}/${src}`;
  let re = compiled.get(key);
  if (!re) {
    re = LinearRegex.compile(src, use);
    if (compiled.size > 5000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}
