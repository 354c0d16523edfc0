import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { embeddedValue } from '../src/parsers/locate.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { runPipeline, type PipelineContext } from '../src/pipeline/index.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';
import { runCli } from './helpers/cli.ts';
import { PROJECTS, rut, type Person } from './helpers/learn-samples.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// An unknown portal's table layout: a header row, then the person's row; the portal's RUT and
// switchboard in the footer, the company's RUT in the config.
const PEOPLE: Person[] = [
  { name: 'Francisca Javiera Muñoz Lagos', id: '15432876', email: 'fran.munoz.lagos@gmail.com', phone: '+56 9 8123 4567', project: 'Parque Los Robles', message: '' },
  { name: 'Ignacio Fuentes Rivas', id: '9876543', email: 'ifuentes@mail.cl', phone: '+56 9 7123 4567', project: 'Mirador del Valle', message: '' },
  { name: 'María José Pérez', id: '20111222', email: 'mjperez@gmail.com', phone: '+56 9 5511 2233', project: 'Torre Providencia', message: '' },
];

function goplaceit(p: Person, i: number, name = p.name): string {
  const html = `<html><body><h2>Nuevo contacto para tu propiedad</h2>
<table><tr><th>Nombre</th><th>Documento</th><th>E-mail</th><th>Fono</th><th>Aviso</th></tr>
<tr><td>${name}</td><td>${rut(p.id)}</td><td>${p.email}</td><td>${p.phone}</td><td>${p.project} - Depto ${i + 1}0${i + 2}</td></tr></table>
<p>Inmobiliaria Andes SpA · RUT 96.812.345-9</p><p>Goplaceit SpA · Fono +56 2 2940 1100</p></body></html>`;
  return `From: Goplaceit <notificaciones@goplaceit.com>\r\nTo: ventas@inmobiliaria.cl\r\nSubject: Tienes un nuevo contacto\r\nMessage-ID: <gp-${i}@goplaceit.com>\r\nDate: Tue, 14 May 2024 10:0${i}:00 -0400\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
}

function tree(samples: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
  dirs.push(dir);
  fs.cpSync('parsers', path.join(dir, 'parsers'), { recursive: true });
  for (const [name, text] of Object.entries(samples)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(path.join(dir, 'c.yaml'), `country: CL\nparsersDir: ${path.join(dir, 'parsers')}\ncompany: {nationalIds: ["96.812.345-9"], phones: ["+56 2 2345 6789"]}\n${PROJECTS}`);
  return dir;
}

const cli = (dir: string, args: string[]) => runCli([...args, '--config', path.join(dir, 'c.yaml'), '--fixtures', path.join(dir, 'fixtures')]);

function context(dir: string): PipelineContext {
  const { config } = loadConfig(path.join(dir, 'c.yaml'));
  return { parsers: loadParsers(config.parsersDir), projects: buildProjectIndex(config.projects), country: config.country, limits: config.limits, company: config.company };
}

async function lead(eml: string | Buffer, ctx: PipelineContext) {
  const o = await runPipeline(Buffer.isBuffer(eml) ? eml : Buffer.from(eml), ctx);
  if (o.kind !== 'lead') throw new Error(`ignored: ${o.reason}`);
  return o;
}

describe('an unknown portal in a table layout', () => {
  it('reads the value row under the header row, and a label is never the name', async () => {
    const ctx = context(tree({}));
    for (const [i, p] of PEOPLE.entries()) {
      const o = await lead(goplaceit(p, i), ctx);
      expect(o.parser).toBeNull();
      expect(o.fields).toMatchObject({ name: p.name, nationalId: `${p.id}-${rut(p.id).slice(-1)}`, email: p.email, project: p.project });
      expect(o.quality).toBe('bueno');
    }
    // The name cell left empty: the header row's other cells must not become the name.
    const empty = await lead(goplaceit(PEOPLE[0], 0, ''), ctx);
    expect(empty.fields.name).toBeNull();
    expect(empty.quality).not.toBe('bueno');
    // Written as a header row with the label beside the first cell ("Nombre<TAB>Documento…").
    const shifted = goplaceit(PEOPLE[0], 0).replace('<tr><th>Nombre</th>', '<tr><td>Nombre</td>').replace(/<tr><td>Francisca[^<]*<\/td>/, '<tr>');
    const o = await lead(shifted, ctx);
    expect(o.fields.name ?? '').not.toMatch(/Documento|E-mail|Fono|Aviso/);
    expect(o.quality).not.toBe('bueno');
  });

  it('learn from two samples writes no sample value and reads a third person right', async () => {
    const dir = tree({ 'a.eml': goplaceit(PEOPLE[0], 0), 'b.eml': goplaceit(PEOPLE[1], 1) });
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'a.eml'), path.join(dir, 'b.eml'), '--id', 'goplaceit', '--accept']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The guesses: the person, not the header row; the company's RUT never offered as a phone.
    expect(r.stdout).toMatch(/name\s+\d+\. "Francisca Javiera Muñoz Lagos"/);
    expect(r.stdout).not.toMatch(/"96\.812\.345-9".*phone/);
    const yaml = fs.readFileSync(path.join(dir, 'parsers', 'goplaceit.yaml'), 'utf8');
    for (const p of PEOPLE.slice(0, 2)) for (const v of [p.name.split(' ')[0], p.id.slice(0, 4), p.email.split('@')[0], p.project]) expect(yaml).not.toContain(v);
    const o = await lead(goplaceit(PEOPLE[2], 2), context(dir));
    expect(o.parser).toBe('goplaceit');
    expect(o.fields).toMatchObject({ name: PEOPLE[2].name, email: PEOPLE[2].email, phone: '+56955112233', project: PEOPLE[2].project });
    expect(o.quality).toBe('bueno');
  }, 60_000);

  it('learn refuses a rule that contains a sample value, and says why', async () => {
    const dir = tree({ 'a.eml': goplaceit(PEOPLE[0], 0) });
    // The row's cells as labels: "Francisca …" sits beside the ID cell, so a naive rule keys on it.
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'a.eml'), '--id', 'goplaceit', '--field', `name=${PEOPLE[0].name}`, '--field', `nationalId=${rut(PEOPLE[0].id)}`, '--field', `project=${PEOPLE[0].project}`]);
    const yaml = fs.readFileSync(path.join(dir, 'parsers', 'goplaceit.yaml'), 'utf8');
    expect(yaml).not.toContain('Francisca');
    expect(yaml).not.toContain('15.432');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 60_000);
});

describe('rules keyed on values', () => {
  it('embeddedValue names the value a rule contains, in any writing', () => {
    expect(embeddedValue({ label: 'Francisca Javiera Muñoz Lagos' }, { name: 'Francisca Javiera Muñoz Lagos' })).toMatch(/name/);
    expect(embeddedValue({ regex: 'RUT\\s*15\\.432\\.876-9 (?<value>.+)', in: 'body' }, { nationalId: '15432876-9' })).toMatch(/nationalId/);
    expect(embeddedValue({ label: 'Documento' }, { name: 'Francisca Javiera Muñoz Lagos', nationalId: '15.432.876-9' })).toBeNull();
  });

  it('parsers check refuses a parser whose rule embeds its fixture value', async () => {
    const dir = tree({});
    fs.writeFileSync(path.join(dir, 'parsers', 'goplaceit.yaml'), 'id: goplaceit\nname: Goplaceit\nmedium: portales\nmatch: {from: [goplaceit.com]}\nfields:\n  project: {label: Francisca Javiera Muñoz Lagos}\n');
    fs.mkdirSync(path.join(dir, 'fixtures', 'goplaceit'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'fixtures', 'goplaceit', 'a.eml'), goplaceit(PEOPLE[0], 0));
    fs.writeFileSync(path.join(dir, 'fixtures', 'goplaceit', 'a.expected.json'), JSON.stringify({ fields: { name: PEOPLE[0].name, project: 'Parque Los Robles' } }));
    const bad = await cli(dir, ['parsers', 'check']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/goplaceit\.yaml: fields\.project: .*a\.expected\.json's name "Francisca Javiera Muñoz Lagos"/);
    fs.writeFileSync(path.join(dir, 'parsers', 'goplaceit.yaml'), 'id: goplaceit\nname: Goplaceit\nmedium: portales\nmatch: {from: [goplaceit.com]}\nfields:\n  project: {label: Aviso}\n');
    expect((await cli(dir, ['parsers', 'check'])).code).toBe(0);
  });
});

describe("the company's own identifiers", () => {
  it('a company RUT and switchboard in the form are never the client’s once config lists them', async () => {
    const eml = fs.readFileSync('fixtures/extraction/04-company-own-numbers.eml');
    const ctx = context(tree({}));
    const without = await lead(eml, { ...ctx, company: undefined });
    expect(without.fields.nationalId).toBe('96812345-9');
    const withCompany = await lead(eml, { ...ctx, company: { nationalIds: ['96.812.345-9'], phones: ['+56 2 2345 6789'], domains: [] } });
    expect(withCompany.fields.nationalId).toBe('17234567-0');
    expect(withCompany.fields.phone).toBe('+56988776655');
  });
});
