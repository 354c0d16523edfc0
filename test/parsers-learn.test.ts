import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/config.ts';
import { hostileTimes } from '../src/parsers/learn.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { patternProblem } from '../src/parsers/schema.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';
import { runCli } from './helpers/cli.ts';
import { CASAYA, HOGAR, PROJECTS, casaYa, hogarFacil, rut, type Person } from './helpers/learn-samples.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A throwaway tree: the shipped parsers (so the new one must coexist), the samples, a config. */
function tree(samples: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plearn-'));
  dirs.push(dir);
  fs.cpSync('parsers', path.join(dir, 'parsers'), { recursive: true });
  for (const [name, text] of Object.entries(samples)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(path.join(dir, 'c.yaml'), `country: CL\nparsersDir: ${path.join(dir, 'parsers')}\n${PROJECTS}`);
  return dir;
}

const cli = (dir: string, args: string[]) => runCli([...args, '--config', path.join(dir, 'c.yaml'), '--fixtures', path.join(dir, 'fixtures')]);

const flags = (p: Person, idText: string) => ['--field', `name=${p.name}`, '--field', `nationalId=${idText}`, '--field', `email=${p.email}`, '--field', `phone=${p.phone}`, '--field', `project=${p.project}`, '--field', `message=${p.message}`];

/** Replays an email through the real pipeline with the tree's parsers (the learned one included). */
async function replay(dir: string, eml: string | Buffer) {
  const { config } = loadConfig(path.join(dir, 'c.yaml'));
  const outcome = await runPipeline(Buffer.isBuffer(eml) ? eml : Buffer.from(eml), { parsers: loadParsers(config.parsersDir), projects: buildProjectIndex(config.projects, config.mailboxes), country: config.country, limits: config.limits });
  if (outcome.kind !== 'lead') throw new Error(`ignored: ${outcome.reason}`);
  return outcome;
}

describe('parsers learn', () => {
  it('learns a table layout with unknown labels from one sample and reads two other people', async () => {
    const dir = tree({ 'casaya-1.eml': casaYa(CASAYA[0], 0) });
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'casaya-1.eml'), '--id', 'casaya', '--name', 'CasaYa', ...flags(CASAYA[0], rut(CASAYA[0].id))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(label "Identificación"\)\s+nationalId/);
    const yaml = fs.readFileSync(path.join(dir, 'parsers', 'casaya.yaml'), 'utf8');
    expect(yaml).toContain('casaya.cl');
    // Layout, never the sample's values.
    for (const v of ['Camila', 'Rojas', '15.432', '8765', 'camila.rojas']) expect(yaml).not.toContain(v);
    expect(fs.existsSync(path.join(dir, 'fixtures', 'casaya', 'casaya-1.expected.json'))).toBe(true);
    for (const [i, p] of CASAYA.entries()) {
      const o = await replay(dir, casaYa(p, i));
      expect(o.parser).toBe('casaya');
      expect(o.fromFallback).toEqual([]);
      expect(o.fields).toMatchObject({ name: p.name, nationalId: `${p.id}-${rut(p.id).slice(-1)}`, email: p.email, project: p.project, message: p.message });
      expect(o.fields.phone).toBe(`+56${p.phone.replace(/\D/g, '').slice(-9)}`);
      expect(o.quality).toBe('bueno');
    }
  }, 60_000);

  it('learns inline bold labels with two fields on a line (Peru, no classes) and reads the others', async () => {
    const dir = tree({ 'hogar-1.eml': hogarFacil(HOGAR[0], 0) });
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'hogar-1.eml'), '--id', 'hogar-facil', ...flags(HOGAR[0], HOGAR[0].id)]);
    expect(r.code, r.stderr).toBe(0);
    const yaml = fs.readFileSync(path.join(dir, 'parsers', 'hogar-facil.yaml'), 'utf8');
    expect(yaml).toContain('country: PE');
    for (const v of ['Rosa', 'Quispe', '45678912', '987', 'rosa.quispe']) expect(yaml).not.toContain(v);
    for (const [i, p] of [...HOGAR.entries()].slice(1)) {
      const o = await replay(dir, hogarFacil(p, i));
      expect(o.parser).toBe('hogar-facil');
      expect(o.fields).toMatchObject({ name: p.name, nationalId: p.id, email: p.email, phone: `+51${p.phone.replace(/\D/g, '')}`, project: p.project, message: p.message });
    }
  }, 60_000);

  it('with --accept takes its best guesses; several samples must all agree', async () => {
    const dir = tree({ 'a.eml': casaYa(CASAYA[0], 0), 'b.eml': casaYa(CASAYA[1], 1) });
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'a.eml'), path.join(dir, 'b.eml'), '--id', 'casaya', '--accept']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok  ');
    expect(fs.readdirSync(path.join(dir, 'fixtures', 'casaya')).sort()).toEqual(['a.eml', 'a.expected.json', 'b.eml', 'b.expected.json']);
    const o = await replay(dir, casaYa(CASAYA[2], 2));
    expect(o.fields).toMatchObject({ name: CASAYA[2].name, email: CASAYA[2].email, nationalId: '20111222-2' });
  }, 60_000);

  it('never overwrites a parser without --force, and refuses to guess silently off a terminal', async () => {
    const dir = tree({ 'a.eml': casaYa(CASAYA[0], 0) });
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'a.eml'), '--id', 'toctoc', '--accept']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/toctoc\.yaml exists: add --force/);
    const q = await cli(dir, ['parsers', 'learn', path.join(dir, 'a.eml'), '--id', 'casaya']);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/--field name=VALUE/);
  }, 60_000);

  it('generated regexes pass the guard and stay fast on hostile input', async () => {
    const dir = tree({ 'hogar-1.eml': hogarFacil(HOGAR[0], 0) });
    await cli(dir, ['parsers', 'learn', path.join(dir, 'hogar-1.eml'), '--id', 'hogar-facil', ...flags(HOGAR[0], HOGAR[0].id)]);
    const p = loadParsers(path.join(dir, 'parsers')).find((x) => x.config.id === 'hogar-facil')!;
    const regexes = Object.values(p.config.fields).flat().filter((e) => 'regex' in e);
    expect(regexes.length).toBeGreaterThan(0);
    for (const e of regexes) expect(patternProblem((e as { regex: string }).regex)).toBeNull();
    for (const t of hostileTimes(Object.fromEntries(regexes.map((e, i) => [i, e])))) expect(t.ms).toBeLessThan(200);
  }, 60_000);
});

describe('measure: the shipped portals learned back from their own fixtures', () => {
  it('reproduces the expected fields of at least 90% of the portals from one sample each', async () => {
    const started = performance.now();
    const ids = fs.readdirSync('parsers').filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
    let portals = 0;
    const failed: string[] = [];
    for (const id of ids) {
      const fx = path.join('fixtures', id);
      if (!fs.existsSync(fx)) continue;
      const cases = fs.readdirSync(fx).filter((f) => f.endsWith('.expected.json')).sort()
        .map((f) => ({ eml: path.join(fx, f.replace('.expected.json', '.eml')), want: JSON.parse(fs.readFileSync(path.join(fx, f), 'utf8')) }))
        .filter((c) => c.want.quality === 'bueno' && fs.existsSync(c.eml));
      if (!cases.length) continue;
      portals++;
      // The portal's own parser removed; the fixtures' projects; its first fixture's fields confirmed.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plearn-shipped-'));
      dirs.push(dir);
      fs.mkdirSync(path.join(dir, 'parsers'));
      for (const f of fs.readdirSync('parsers')) if (f !== `${id}.yaml`) fs.copyFileSync(path.join('parsers', f), path.join(dir, 'parsers', f));
      fs.writeFileSync(path.join(dir, 'c.yaml'), `${fs.readFileSync('fixtures/config.yaml', 'utf8')}\nparsersDir: ${path.join(dir, 'parsers')}\n`);
      const flags = Object.entries(cases[0].want.fields ?? {}).filter(([, v]) => v).flatMap(([k, v]) => ['--field', `${k}=${v}`]);
      await cli(dir, ['parsers', 'learn', cases[0].eml, '--id', `${id}-learned`, ...flags]);
      const ok = await Promise.all(cases.map(async (c) => {
        const o = await replay(dir, fs.readFileSync(c.eml)).catch(() => null);
        return o !== null && Object.entries(c.want.fields ?? {}).every(([k, v]) => JSON.stringify((o.fields as unknown as Record<string, unknown>)[k] ?? null) === JSON.stringify(v));
      }));
      if (ok.includes(false)) failed.push(id);
    }
    const share = (portals - failed.length) / portals;
    console.log(`parsers learn: ${portals - failed.length}/${portals} shipped portals reproduced from one sample in ${((performance.now() - started) / 1000).toFixed(1)} s${failed.length ? ` (not: ${failed.join(', ')})` : ''}`);
    expect(portals).toBeGreaterThan(10);
    expect(share).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});

describe('parsers learn on a terminal', () => {
  it('asks for each field: Enter keeps the guess, a number picks a candidate, "-" means none', async () => {
    const dir = tree({ 'a.eml': casaYa(CASAYA[0], 0) });
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const out = new PassThrough();
    let stdout = '';
    // name: Enter (the guess); nationalId: candidate 2; email, phone, project: Enter; message: none.
    const answers = ['', '2', '', '', '', '-'];
    out.on('data', (d) => {
      stdout += d;
      if (/\]: $/.test(String(d))) input.write(`${answers.shift() ?? ''}\n`);
    });
    const code = await main(['parsers', 'learn', path.join(dir, 'a.eml'), '--id', 'casaya', '--config', path.join(dir, 'c.yaml'), '--fixtures', path.join(dir, 'fixtures')], { out, err: new PassThrough() } as never, input);
    expect(code).toBe(0);
    expect(stdout).toContain('name [Camila Rojas Soto]: ');
    const yaml = fs.readFileSync(path.join(dir, 'parsers', 'casaya.yaml'), 'utf8');
    expect(yaml).toContain('label: Identificación');
    expect(yaml).not.toContain('message:');
  }, 60_000);
});

describe('parsers learn --db: before going live', () => {
  it('says what the new parser would change on the stored emails of that portal', async () => {
    const dir = tree({ 'hogar-1.eml': hogarFacil(HOGAR[0], 0), 'hogar-2.eml': hogarFacil(HOGAR[1], 1), 'hogar-3.eml': hogarFacil(HOGAR[2], 2) });
    const db = path.join(dir, 'c.db');
    const stored = await cli(dir, ['replay', path.join(dir, 'hogar-2.eml'), path.join(dir, 'hogar-3.eml'), '--db', db, '--json']);
    expect(stored.stdout).toContain('"quality":"con_problemas"'); // Peruvian DNIs read as Chilean RUTs
    const r = await cli(dir, ['parsers', 'learn', path.join(dir, 'hogar-1.eml'), '--id', 'hogar-facil', '--db', db, ...flags(HOGAR[0], HOGAR[0].id)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 correos guardados usarían hogar-facil: 2 con_problemas → bueno, 0 empeoran');
  }, 60_000);
});
