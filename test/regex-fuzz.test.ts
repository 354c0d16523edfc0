import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadParsers } from '../src/parsers/load.ts';
import { compilePattern, type Extractor } from '../src/parsers/schema.ts';
import type { PatternUse } from '../src/parsers/regex-guard.ts';

// Every pattern an admin wrote in parsers/, against long adversarial inputs, on the engine the
// pipeline runs them on (RE2: linear time). Results are what is asserted.
const patterns = loadParsers(path.resolve('parsers')).flatMap((p) => {
  const list: [string, PatternUse][] = [];
  if (p.config.match.subject) list.push([p.config.match.subject, 'test']);
  for (const v of Object.values(p.config.match.header ?? {})) list.push([v, 'test']);
  for (const exs of Object.values(p.config.fields) as Extractor[][]) {
    for (const ex of exs) {
      if ('regex' in ex) list.push([ex.regex, 'extract']);
      for (const step of ex.post ?? []) if (typeof step === 'object' && 'replace' in step) list.push([step.replace[0], 'replace']);
    }
  }
  return list.map(([src, use]) => [p.config.id, src, use] as const);
});

const adversarial = [
  'a'.repeat(30_000),
  ' '.repeat(30_000) + '!',
  'Nombre: '.repeat(4_000),
  '1.'.repeat(15_000),
  '-'.repeat(30_000) + 'x',
  'Proyecto '.repeat(3_000) + '<',
  '@'.repeat(10_000) + '.'.repeat(10_000),
];

describe('parser patterns under adversarial input', () => {
  it('there are patterns to test', () => {
    expect(patterns.length).toBeGreaterThan(0);
  });
  it.each(patterns)('%s: %s (%s)', (_id, src, use) => {
    const re = compilePattern(src, use);
    for (const s of adversarial) {
      const m = re.exec(s);
      expect(m === null || Array.isArray(m)).toBe(true);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 5_000 }), (s) => {
        const m = re.exec(s.repeat(3));
        expect(m === null || typeof m[0] === 'string').toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
