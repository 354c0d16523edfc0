import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadParsers, parseParserFile } from '../src/parsers/load.ts';
import { compilePattern, patternProblem } from '../src/parsers/schema.ts';
import { LinearRegex, MAX_INSTRUCTIONS, type PatternUse } from '../src/parsers/regex-guard.ts';

const A = 'a'.repeat(20_000);
const D = '1'.repeat(20_000);
const S = ' '.repeat(20_000);

// Shapes that backtrack catastrophically on V8 (the attacks' and a review's), each with a
// 20,000-character input built to make a backtracking engine try every split, and whether it
// matches. On the linear-time engine each is refused (too large a program) or answers; a
// backtracking engine needs from minutes to longer than the universe on these inputs.
const catastrophic: [string, string, boolean | 'refused'][] = [
  ['a{0,100}a{0,100}a{0,100}a{0,100}x', A, 'refused'],
  ['\\d+\\.?\\d+x', D, false],
  ['(a|a)*b', A, false],
  ['(\\w+\\s?)*$', `${A}!`, true], // the empty match at the end
  ['(.*a){20}x', A, false],
  ['(a+)+$', `${A}!`, false],
  ['(a|aa)*$', `${A}!`, true],
  ['(\\d|\\d\\d)+$', `${D}x`, false],
  ['(\\w|\\d)+$', `${D}!`, false],
  ['\\s*.*\\s*.*\\s*.*=$', S, false],
  ['(?:a|b|ab)*c', 'ab'.repeat(10_000), false],
  ['(a|)+x', A, false],
  ['(x+x+)+y', 'x'.repeat(20_000), false],
  ['(?:-?\\d+)+x', D, false],
  ['.*.*=', A, false],
  ['\\s*(.*)=', S, false],
  ['(a{1,10}){1,10}b', A, false],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', `${A}!`, false],
];

describe('admin regexes run on the linear-time engine', () => {
  it('has the 18 shapes', () => expect(catastrophic).toHaveLength(18));

  it.each(catastrophic)('%s on 20,000 adversarial characters', (src, input, matches) => {
    if (matches === 'refused') {
      expect(patternProblem(src)).toMatch(/demasiado grande para el motor de tiempo lineal/);
      return;
    }
    expect(patternProblem(src)).toBeNull();
    const re = compilePattern(src, 'extract');
    expect(re).toBeInstanceOf(LinearRegex); // RE2: an automaton, no backtracking
    expect(re.instructions).toBeLessThanOrEqual(MAX_INSTRUCTIONS);
    const start = performance.now();
    expect(re.exec(input) !== null).toBe(matches);
    // Generous: RE2 takes milliseconds here; a backtracking engine takes hours or more.
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('refuses what RE2 cannot express, saying why', () => {
    expect(patternProblem('(a)\\1')).toMatch(/la referencia hacia atrás "\\1" no está soportada: los patrones corren en un motor de tiempo lineal \(RE2\)/);
    expect(patternProblem('(?<=RUT )\\d+')).toMatch(/lookbehind "\(\?<=RUT \)" no está soportado/);
    expect(patternProblem('a(?=b)c')).toMatch(/lookahead "\(\?=b\)" no está soportado.*solo se acepta un lookahead al final/);
    expect(patternProblem('(?<value>\\d+)(?=x)', 'replace')).toMatch(/lookahead .* no está soportado/);
    expect(patternProblem('\\d+(?!\\d)')).toMatch(/debe tomar su valor de un grupo/);
    expect(patternProblem('(?<value>\\d+)(?!ab)')).toMatch(/solo se puede excluir un carácter \(o una clase\)/);
    expect(patternProblem('x{0,5000}')).toMatch(/supera 1000, el límite del motor/);
    expect(patternProblem('(\\w{0,40}\\s?){1,20}')).toMatch(/demasiado grande para el motor de tiempo lineal: \d+ pasos por carácter \(como máximo 600\)/);
    expect(patternProblem('x{2,1}')).toMatch(/expresión regular no válida/);
    expect(patternProblem('\\p{Script_Extensions=Greek}')).toMatch(/propiedad Unicode .* no está soportada/);
    expect(patternProblem('\\p{ASCII}')).toMatch(/no lo soporta el motor de tiempo lineal \(RE2\)/);
  });

  it('keeps JavaScript meaning: case, unicode, \\s, ., $, groups, replace', () => {
    const ex = (src: string, s: string) => {
      const m = compilePattern(src, 'extract').exec(s);
      return m ? m.groups?.value ?? m[1] ?? m[0] : null;
    };
    expect(ex('RUT:?\\s*(?<value>[\\d.]+-[\\dkK])', 'rut:\u00a012.345.678-K')).toBe('12.345.678-K'); // \s is Unicode space
    expect(ex('Ñuñoa', 'ÑUÑOA')).toBe('ÑUÑOA');
    expect(ex('(?i)^re:', 'RE: hola')).toBe('RE:');
    expect(ex('a.c', 'a\rc')).toBeNull(); // . stops at \r as in JavaScript
    expect(ex('x$', 'x\n')).toBeNull(); // $ is the end of the text
    expect(ex('(\\d+)-(\\d+)', 'tel 22-33')).toBe('22');
    expect(ex('(?<value>\\d+)(?![\\dA-Za-z])', '123a 456 7')).toBe('456');
    expect(ex('(?<value>[^\\n][\\s\\S]*?)(?=\\n\\s*\\n|$)', 'uno\ndos\n\ntres')).toBe('uno\ndos');
    expect(ex('\\p{L}+', '¡Ángela!')).toBe('Ángela');
    expect(ex('😀+', 'ok 😀😀')).toBe('😀😀');
    const rep = (src: string, s: string, w: string) => compilePattern(src, 'replace').replace(s, w);
    expect(rep('^\\s*(nome|name)\\s*:\\s*', ' Nome: Ana', '')).toBe('Ana');
    expect(rep('(\\d+)\\.(\\d+)', '1.2 y 3.4', '$2,$1')).toBe('2,1 y 4,3');
    expect(rep('(?<a>\\w+)@', 'ana@x', '$<a> en ')).toBe('ana en x');
    expect(rep('x', 'axbx', '$$')).toBe('a$b$');
    expect(compilePattern('nuevo (contacto|lead)', 'test').test('Nuevo Lead')).toBe(true);
  });

  // The engine must read every shipped and typical pattern as V8 did: same value on random text.
  const differential: (readonly [string, PatternUse])[] = [
    ...loadParsers(path.resolve('parsers')).flatMap((p) => [
      ...(p.config.match.subject ? [[p.config.match.subject, 'test'] as const] : []),
      ...Object.values(p.config.match.header ?? {}).map((v) => [v, 'test'] as const),
      ...Object.values(p.config.fields).flatMap((exs) =>
        exs!.flatMap((ex) => [
          ...('regex' in ex ? [[ex.regex, 'extract'] as const] : []),
          ...(ex.post ?? []).flatMap((s) => (typeof s === 'object' && 'replace' in s ? [[s.replace[0], 'replace'] as const] : [])),
        ]),
      ),
    ]),
    ['Proyecto:\\s*(?<value>.+)', 'extract'],
    ['[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+', 'extract'],
    ['(?:\\d{1,3}\\.)?\\d{3}\\.\\d{3}-[\\dk]', 'extract'],
  ];
  const alphabet = fc.constantFrom(...'aAñÑ1 9.:-@<>kK\n\r\t\u00a0xR' + 'UT', 'de: ', 'RUT ', 'cotización: ', 'cuerpo del mensaje: ', 'Nome: ', '12.345.678-5', 'a@b.cl', '+56 9 1234 5678', '\n\n');
  const text = fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''));

  it.each(differential)('%s (%s) reads as V8 reads it', (src, use) => {
    const body = src.startsWith('(?i)') ? src.slice(4) : src;
    const v8 = new RegExp(body, use === 'replace' ? 'giu' : 'iu');
    const re2 = compilePattern(src, use);
    fc.assert(
      fc.property(text, (s) => {
        if (use === 'test') expect(re2.test(s)).toBe(v8.test(s));
        else if (use === 'replace') expect(re2.replace(s, '[$1]')).toBe(s.replace(v8, '[$1]'));
        else {
          const a = v8.exec(s);
          const b = re2.exec(s);
          expect(b ? b.groups?.value ?? b[1] ?? b[0] : null).toBe(a ? a.groups?.value ?? a[1] ?? a[0] : null);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every shipped parser', () => {
    expect(loadParsers(path.resolve('parsers')).length).toBeGreaterThan(5);
  });

  it('a refused pattern in a parser file is reported with file, line and key', () => {
    const yaml = 'id: x\nname: X\nmedium: web\nmatch: {from: x.cl}\nfields:\n  phone: {regex: "(\\\\d)\\\\1"}\n';
    expect(() => parseParserFile(yaml, 'parsers/x.yaml')).toThrow(/^parsers\/x\.yaml:6:\d+: fields\.phone\.regex: la referencia hacia atrás "\\1" no está soportada/);
    const post = 'id: x\nname: X\nmedium: web\nmatch: {from: x.cl, subject: "ok"}\nfields:\n  name: {label: Nombre, post: [{replace: ["(?<=a)b", ""]}]}\n';
    expect(() => parseParserFile(post, 'parsers/x.yaml')).toThrow(/parsers\/x\.yaml:6:\d+: fields\.name\.post\.0\.replace\.0: lookbehind/);
  });

  it('a refused pattern in a parsers directory keeps the whole set from loading', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'id: a\nname: A\nmedium: web\nmatch: {subject: "a{0,2000}"}\n');
    expect(() => loadParsers(dir)).toThrow(/a\.yaml:4:\d+: match\.subject: la cantidad en "a\{0,2000\}" supera 1000/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
