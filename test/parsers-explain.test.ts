import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { explainEmail, formatExplanation } from '../src/parsers/explain.ts';
import { compileParser } from '../src/parsers/load.ts';
import { parserSchema } from '../src/parsers/schema.ts';
import { loadConfig } from '../src/config.ts';
import type { PipelineContext } from '../src/pipeline/index.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';
import { CASAYA, PROJECTS, casaYa } from './helpers/learn-samples.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const { config } = loadConfig('fixtures/config.yaml');
const parser = (fields: Record<string, unknown>) =>
  compileParser(parserSchema.parse({ id: 'casaya', name: 'CasaYa', medium: 'portales', match: { from: ['casaya.cl'] }, fields }), 'casaya.yaml');
const ctx = (parsers = [parser({ name: { css: 'span.name' }, nationalId: { label: 'Identificación' } })]): PipelineContext => ({
  parsers, projects: buildProjectIndex(config.projects), country: 'CL', limits: config.limits,
});

describe('parsers explain', () => {
  it('says why a national ID was refused: the check digit', async () => {
    const e = await explainEmail(Buffer.from(casaYa(CASAYA[0], 0, '15.432.876-K')), ctx());
    const id = e.fields.find((f) => f.field === 'nationalId')!;
    expect(id).toMatchObject({ source: 'parser', raw: '15.432.876-K', normalized: null });
    expect(id.problems.join()).toContain('el dígito verificador del RUT es 9, no K');
    expect(e.problems).toContain('nationalId.invalid');
  });

  it('says the parser chosen and why, and flags a dead selector hidden by the generic fallback', async () => {
    const e = await explainEmail(Buffer.from(casaYa(CASAYA[0], 0)), ctx());
    expect(e.parser).toBe('casaya');
    expect(e.parserReason).toEqual(['remitente: coincide con casaya.cl']);
    const name = e.fields.find((f) => f.field === 'name')!;
    expect(name.tried[0].note).toBe('el selector span.name no encontró elementos');
    expect(name).toMatchObject({ source: 'label', raw: 'Camila Rojas Soto', normalized: 'Camila Rojas Soto' });
    expect(name.problems[0]).toMatch(/tu regla para name no encontró nada \(el selector span.name no encontró elementos\); la extracción genérica lo completó/);
    const text = formatExplanation(e);
    expect(text).toMatch(/3 \| Interesado\tCamila Rojas Soto/);
    expect(text).toContain('probado {"css":"span.name"}: el selector span.name no encontró elementos');
  });

  it('speaks Portuguese for a company in Brazil: the rules that held, a dead selector, a refused phone', async () => {
    const br = { ...ctx(), country: 'BR' as const };
    const e = await explainEmail(Buffer.from(casaYa(CASAYA[0], 0)), br);
    expect(e.parserReason).toEqual(['remetente: corresponde a casaya.cl']);
    const name = e.fields.find((f) => f.field === 'name')!;
    expect(name.tried[0].note).toBe('o seletor span.name não encontrou elementos');
    expect(name.problems[0]).toBe('sua regra para name não encontrou nada (o seletor span.name não encontrou elementos); a extração genérica o completou');
    const eml = `From: Web <form@sitio.com.br>\r\nTo: v@i.com.br\r\nSubject: Contato\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNome: Ana Souza\r\nTelefone: 12\r\nE-mail: ana@@correio\r\n`;
    const g = await explainEmail(Buffer.from(eml), { ...br, parsers: [] });
    expect(g.parserReason).toEqual(['nenhum parser cumpre todas as suas regras (remetente, assunto, marca no corpo): só a extração genérica']);
    expect(g.fields.find((f) => f.field === 'phone')!.problems).toEqual(['o telefone "12" é curto demais para BR']);
    expect(g.fields.find((f) => f.field === 'email')!.problems).toEqual(['"ana@@correio" não é um endereço de e-mail utilizável']);
    const said = JSON.stringify([g.parserReason, g.fields.map((f) => [f.problems, f.tried])]);
    expect(said).not.toMatch(/coincide|ningún|encontró|teléfono|dirección|extracción/);
  });

  it('shows the text the extractor reads for spans, and why a phone is refused', async () => {
    const eml = `From: Web <form@sitio.cl>\r\nTo: v@i.cl\r\nSubject: Contacto\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p><span>Nombre</span> <span>Ana Soto</span></p><p><span>Teléfono:</span> <span>+56 2 0123 4567</span></p><p>Email: ana@correo.cl</p>\r\n`;
    const e = await explainEmail(Buffer.from(eml), ctx([]));
    expect(e.parser).toBeNull();
    expect(e.lines).toContain('Nombre Ana Soto'); // one line, no separator: not a label pair
    const phone = e.fields.find((f) => f.field === 'phone')!;
    expect(phone.problems).toContain('teléfono no asignado en CL ("+56 2 0123 4567")');
    expect(e.fields.find((f) => f.field === 'name')!.raw).toBeNull();
  });

  it('CLI: text and --json, --parser forces a parser and says whether its rules hold', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pexplain-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'a.eml'), casaYa(CASAYA[0], 0, '15.432.876-K'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), `country: CL\n${PROJECTS}`);
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (d) => (stdout += d));
    const code = await main(['parsers', 'explain', path.join(dir, 'a.eml'), '--json', '--parser', 'toctoc', '--config', path.join(dir, 'c.yaml')], { out, err: new PassThrough() } as never);
    expect(code).toBe(0);
    const j = JSON.parse(stdout);
    expect(j.parser).toBe('toctoc');
    expect(j.parserReason[0]).toMatch(/sus reglas NO se cumplen/);
    expect(j.fields.find((f: { field: string }) => f.field === 'nationalId').problems.join()).toContain('dígito verificador');
  }, 30_000);
});

describe('GET /api/emails/:id/explain', () => {
  it('explains a stored email for admins only, parsed in the worker pool', async () => {
    const { startHarness } = await import('./http-fixture.ts');
    const h = await startHarness();
    try {
      const r = await h.app.ingestor.ingest(Buffer.from(casaYa(CASAYA[0], 0, '15.432.876-K')), { source: 'file' });
      const e = await h.json(`/api/emails/${r.rawEmailId}/explain`);
      expect(e.id).toBe(r.rawEmailId);
      expect(e.lines).toContain('Identificación\t15.432.876-K');
      expect(e.fields.find((f: { field: string }) => f.field === 'nationalId').problems.join()).toContain('el dígito verificador del RUT es 9, no K');
      expect((await h.call('/api/emails/999999/explain')).status).toBe(404);
      const vendor = await h.addUser('v@inmobiliaria.cl', 'vendedor', { vendorId: 'v1' }).catch(() => null);
      if (vendor) expect((await h.call(`/api/emails/${r.rawEmailId}/explain`, { token: vendor })).status).toBe(403);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe('parsers test diffs that teach', () => {
  it('a failing field says what the rule found, the fallback, and the rejection reason', async () => {
    const { checkFixture } = await import('../src/cli/parsers.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pteach-'));
    dirs.push(dir);
    const file = path.join(dir, 'a.eml');
    fs.writeFileSync(file, casaYa(CASAYA[0], 0, '15.432.876-K'));
    fs.writeFileSync(path.join(dir, 'a.expected.json'), JSON.stringify({ fields: { nationalId: '15432876-K', name: 'Camila Rojas Soto', email: 'otra@correo.cl' } }));
    const r = await checkFixture(file, ctx());
    expect(r.ok).toBe(false);
    expect(r.diffs).toContain('fields.nationalId: se esperaba "15432876-K", se obtuvo null');
    expect(r.diffs).toContain('  nationalId: tu regla encontró "15.432.876-K"; el dígito verificador del RUT es 9, no K ("15.432.876-K")');
    expect(r.diffs.join('\n')).toMatch(/email: la extracción genérica \(etiqueta genérica\) encontró "camila.rojas@correo.cl"/);
  });
});
