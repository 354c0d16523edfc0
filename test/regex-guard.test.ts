import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadParsers, parseParserFile } from '../src/parsers/load.ts';
import { patternProblem } from '../src/parsers/schema.ts';

// The shapes a review found accepted by the old guard; one of them froze the daemon 91 s.
const catastrophic = [
  '(a|a)+$',
  '(a|aa)*$',
  '(\\d|\\d\\d)+$',
  '(\\w|\\d)+$',
  '\\s*.*\\s*.*\\s*.*=$',
  '(?:a|b|ab)*c',
  '(?:(A|a))+b', // case-insensitive: A and a are the same character
  '(a|)+x',
  '(a+)+$',
  '(\\w+\\s?)*$',
  '(.*a){12}',
  '(x+x+)+y',
  '(?:-?\\d+)+x',
  '.*.*=',
  '\\d+\\d+x',
  '\\s*(.*)=',
  '\\s*:?\\s*-?\\s*x',
  '(a)\\1',
];

// What admins write and must keep working.
const fine = [
  'RUT:?\\s*(?<value>[\\d.]+-[\\dkK])',
  'nuevo (contacto|lead)',
  'Proyecto:\\s*(?<value>.+)',
  '(?:aviso|proyecto)\\s*:?\\s*(?<value>[^\\n]{3,100})',
  '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+',
  '([\\w-]+\\.)+cl',
  '(?:\\d{1,3}\\.)?\\d{3}\\.\\d{3}-[\\dk]',
  '(?i)^re:',
];

describe('config regex guard', () => {
  it.each(catastrophic)('refuses %s', (src) => {
    expect(patternProblem(src)).toMatch(/catastrophic backtracking|back-references/);
  });

  it.each(fine)('accepts %s', (src) => {
    expect(patternProblem(src)).toBeNull();
  });

  it('names what is wrong', () => {
    expect(patternProblem('(\\w|\\d)+$')).toMatch(/alternatives "\\w" and "\\d" of the repeated group/);
    expect(patternProblem('\\s*.*=')).toMatch(/"\\s\*" followed by "\.\*"/);
    expect(patternProblem('(a+)+$')).toMatch(/nested quantifier: "a\+"/);
    expect(patternProblem('x{2,1}')).toMatch(/invalid regular expression/);
  });

  it('accepts every shipped parser', () => {
    expect(loadParsers(path.resolve('parsers')).length).toBeGreaterThan(5);
  });

  it('a refused pattern in a parser file is reported with file, line and key', () => {
    const yaml = 'id: x\nname: X\nmedium: web\nmatch: {from: x.cl}\nfields:\n  phone: {regex: "(\\\\d|\\\\d\\\\d)+$"}\n';
    expect(() => parseParserFile(yaml, 'parsers/x.yaml')).toThrow(/^parsers\/x\.yaml:6:\d+: fields\.phone\.regex: alternatives/);
    const post = 'id: x\nname: X\nmedium: web\nmatch: {from: x.cl, subject: "ok"}\nfields:\n  name: {label: Nombre, post: [{replace: ["\\\\s*.*\\\\s*.*=", ""]}]}\n';
    expect(() => parseParserFile(post, 'parsers/x.yaml')).toThrow(/parsers\/x\.yaml:6:\d+: fields\.name\.post\.0\.replace\.0: "\\s\*" followed by/);
  });

  it('a refused pattern in a parsers directory keeps the whole set from loading', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'id: a\nname: A\nmedium: web\nmatch: {subject: "(a|aa)*$"}\n');
    expect(() => loadParsers(dir)).toThrow(/a\.yaml:4:\d+: match\.subject: alternatives "a" and "aa"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
