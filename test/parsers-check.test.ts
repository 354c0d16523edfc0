import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseParserFile } from '../src/parsers/load.ts';
import { selectorProblem, senderProblem } from '../src/parsers/checks.ts';
import { runCli } from './helpers/cli.ts';

const parser = (rest: string) => `id: p\nname: P\nmedium: portales\n${rest}`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs the CLI in-process on a throwaway parsers/ and fixtures/ tree. */
async function cli(args: string[], files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcheck-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, 'c.yaml'), `parsersDir: ${path.join(dir, 'parsers')}\nprojects: [{name: Uno}]\n`);
  return { ...(await runCli([...args, '--config', path.join(dir, 'c.yaml'), '--fixtures', path.join(dir, 'fixtures')])), dir };
}

describe('parsers check validates behaviour, not only shape', () => {
  it('an invalid CSS selector is refused at load with file, line and key', () => {
    expect(selectorProblem('span..x[')).toMatch(/invalid CSS selector/);
    expect(() => parseParserFile(parser('match: {from: p.cl}\nfields:\n  phone: {css: "span..x["}\n'), 'parsers/p.yaml')).toThrow(
      /^parsers\/p\.yaml:6:\d+: fields\.phone\.css: invalid CSS selector/,
    );
  });

  it('selectors the extractor supports (cheerio extensions included) pass', () => {
    for (const s of ['td.fono', 'td:contains("RUT") + td', 'tr:first td', 'a[title=lead-email]', 'p:eq(0)']) expect(selectorProblem(s)).toBeNull();
    expect(selectorProblem(':nonsense')).toMatch(/invalid CSS selector/);
  });

  it('a sender that is not an address or a domain is refused; a wrongly indented list item is named', () => {
    expect(senderProblem('goplaceit.com')).toBeNull();
    expect(senderProblem('avisos@goplaceit.cl')).toBeNull();
    expect(senderProblem('XN--80AK6AA92E.com')).toBeNull();
    for (const bad of ['goplaceit', 'goplaceit.com - goplaceit.cl', '@goplaceit.cl', 'a b@c.cl', 'http://goplaceit.cl']) expect(senderProblem(bad)).not.toBeNull();
    const yaml = parser('match:\n  from:\n    - goplaceit.com\n      - goplaceit.cl\n');
    expect(() => parseParserFile(yaml, 'parsers/p.yaml')).toThrow(/^parsers\/p\.yaml:6:\d+: match\.from\.0: not an email address or a domain \(two senders in one string\?/);
  });

  it('`parsers check` reports a malformed fixture JSON with its file name, not a stack trace', async () => {
    const r = await cli(['parsers', 'check'], {
      'parsers/p.yaml': parser('match: {from: p.cl}\n'),
      'fixtures/p/one.eml': 'From: a@p.cl\n\nhola\n',
      'fixtures/p/one.expected.json': '{"parser": "p",\n  "quality": "bueno",\n}\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fixtures\/p\/one\.expected\.json:3:1: invalid JSON/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('`parsers test` reports the malformed fixture JSON as that fixture failing and goes on', async () => {
    const r = await cli(['parsers', 'test'], {
      'parsers/p.yaml': parser('match: {from: p.cl}\n'),
      'fixtures/p/one.eml': 'From: a@p.cl\nSubject: x\n\nhola\n',
      'fixtures/p/one.expected.json': '{"parser": "p",}',
      'fixtures/p/two.eml': 'From: a@p.cl\nSubject: x\n\nhola\n',
      'fixtures/p/two.expected.json': '{"parser": "p"}',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*one\.eml\n\s+.*one\.expected\.json:1:\d+: invalid JSON/);
    expect(r.stdout).toMatch(/ok {3}.*two\.eml/);
  });

  it('`parsers check` refuses a parsers directory with a bad selector, exit 2 and the file named', async () => {
    const r = await cli(['parsers', 'check'], { 'parsers/p.yaml': parser('match: {from: p.cl}\nfields:\n  name: {css: "span..x["}\n') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\.yaml:6:\d+: fields\.name\.css: invalid CSS selector/);
  });
});
