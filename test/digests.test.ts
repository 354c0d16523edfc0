import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { parseConfig } from '../src/config.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { testContext } from './helpers/mail.ts';
import { reprocess } from '../src/reprocess.ts';
import { exec, rows, value } from './helpers/db-rows.ts';
import { runCli } from './helpers/cli.ts';
import { startHarness, type Harness } from './http-fixture.ts';
import { testConfig } from './helpers/mail.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// Messages carrying several people (fixtures/digests/) through the real pipeline and storage on
// both engines: one lead per person, each with its raw email and position, exactly once.

const DIR = 'fixtures/digests';
const read = (name: string) => fs.readFileSync(path.join(DIR, name));

interface Opened { app: App; close(): Promise<void> }

const engines: { name: string; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digests-'));
      const app = await createApp(testConfig(), createLogger('silent'), { dbPath: path.join(dir, 'd.db') });
      return { app, close: async () => { await app.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  ...(noPostgres() ? [] : [{
    name: 'postgres',
    async open() {
      const db = await createTestDatabase();
      const app = await createApp(testConfig(`database:\n  url: ${db.url}\n`), createLogger('silent'));
      return { app, close: async () => { await app.close(); await db.drop(); } };
    },
  }]),
];

const PEOPLE_OF = 'select l.part_index "part", l.name, l.email, l.phone, l.national_id "nationalId", p.name "project", l.quality, l.client_id "clientId" from leads l left join projects p on p.id = l.project_id where l.raw_email_id = ? order by l.part_index';

describe.each(engines)('digests on $name', (engine) => {
  let o: Opened;
  beforeAll(async () => {
    o = await engine.open();
  });
  afterAll(async () => {
    await o.close();
  });
  const ingest = (name: string) => o.app.ingestor.ingest(read(name), { source: 'file', file: name });
  const people = async (rawEmailId: number) => rows(o.app, PEOPLE_OF, [rawEmailId]);

  it('a text digest of three people gives three leads, each with its own fields, client and position', async () => {
    const r = await ingest('01-text-digest-three.eml');
    expect(r.status).toBe('lead');
    const got = await people(r.rawEmailId);
    expect(got.map(({ clientId, ...p }) => p)).toEqual([
      { part: 0, name: 'Valentina Fuentes', email: 'valentina.fuentes@correo.cl', phone: '+56961234567', nationalId: '15509661-6', project: 'Parque Los Robles', quality: 'bueno' },
      { part: 1, name: 'Matías Herrera', email: 'matias.herrera@correo.cl', phone: '+56972345678', nationalId: '16234567-2', project: 'Mirador del Valle', quality: 'bueno' },
      { part: 2, name: 'Josefa Morales', email: 'josefa.morales@correo.cl', phone: '+56983456789', nationalId: '17345678-6', project: 'Parque Los Robles', quality: 'bueno' },
    ]);
    // Each person is a client of their own, with their own follow-up, as if each came alone.
    expect(new Set(got.map((p) => p.clientId)).size).toBe(3);
    expect(got.every((p) => p.clientId !== null)).toBe(true);
    expect(await value(o.app, "select count(*) from follow_ups f join leads l on l.id = f.lead_id where l.raw_email_id = ? and f.status = 'open'", [r.rawEmailId])).toBe(3);
    expect(r.leadId).toBe(await value(o.app, 'select id from leads where raw_email_id = ? and part_index = 0', [r.rawEmailId]));
  });

  it('an HTML table of three rows (with a text part repeating them) gives three leads, not six', async () => {
    const r = await ingest('02-html-table-three.eml');
    const got = await people(r.rawEmailId);
    expect(got.map((p) => [p.part, p.name, p.email, p.phone, p.project])).toEqual([
      [0, 'Ignacio Rojas', 'ignacio.rojas@correo.cl', '+56951112233', 'Costanera Sur'],
      [1, 'Catalina Vera', 'catalina.vera@correo.cl', '+56952223344', 'Mirador del Valle'],
      [2, 'Tomás Pizarro', 'tomas.pizarro@correo.cl', '+56953334455', 'Costanera Sur'],
    ]);
  });

  it('a CSV attachment of two rows gives two leads', async () => {
    const r = await ingest('03-csv-two-rows.eml');
    const got = await people(r.rawEmailId);
    expect(got.map((p) => [p.part, p.name, p.nationalId, p.email, p.phone, p.project, p.quality])).toEqual([
      [0, 'Francisca Soto', '18456789-K', 'francisca.soto@correo.cl', '+56944441212', 'Mirador del Valle', 'bueno'],
      [1, 'Benjamín Castro', '19567890-1', 'benjamin.castro@correo.cl', '+56945552323', 'Parque Los Robles', 'bueno'],
    ]);
  });

  it('a single lead quoting an earlier lead stays one lead, the writer', async () => {
    const r = await ingest('04-single-quoting-earlier.eml');
    const got = await people(r.rawEmailId);
    expect(got.map((p) => [p.part, p.name, p.email, p.nationalId])).toEqual([[0, 'Daniela Paredes', 'daniela.paredes@correo.cl', '13579246-2']]);
  });

  it('re-delivering every digest adds no lead, client or follow-up', async () => {
    const count = async () => Promise.all(['leads', 'clients', 'follow_ups', 'raw_emails'].map((t) => value(o.app, `select count(*) from ${t}`)));
    const before = await count();
    expect(before[0]).toBe(9);
    for (const f of fs.readdirSync(DIR).filter((n) => n.endsWith('.eml'))) expect((await ingest(f)).duplicate).toBe(true);
    expect(await count()).toEqual(before);
  });

  it('processing a digest again (a second daemon, a retry) keeps exactly one lead per position', async () => {
    const id = await value(o.app, 'select id from raw_emails where message_id = ?', ['<digest-text-3@portal-resumen.cl>']);
    const leadsBefore = await value(o.app, 'select count(*) from leads');
    const again = await o.app.ingestor.process(id, read('01-text-digest-three.eml'), Date.now(), '<digest-text-3@portal-resumen.cl>');
    expect(again.status).toBe('lead');
    expect(await value(o.app, 'select count(*) from leads')).toBe(leadsBefore);
  });

  it('reprocess re-reads each lead of a digest at its own position', async () => {
    const id = await value(o.app, 'select id from raw_emails where message_id = ?', ['<digest-html-3@inmobiliaria-ejemplo.cl>']);
    // An older reading that got the third person's name wrong: reprocess puts back that person's, not the first's.
    expect(await exec(o.app, "update leads set name = 'Nombre Equivocado' where raw_email_id = ? and part_index = 2", [id])).toBe(1);
    const leadsBefore = await value(o.app, 'select count(*) from leads');
    const report = await reprocess(o.app, { qualities: ['con_problemas'], since: null });
    expect(report.errors).toBe(0);
    expect(report.changed + report.upgraded).toBeGreaterThanOrEqual(1);
    expect((await people(id)).map((p) => p.name)).toEqual(['Ignacio Rojas', 'Catalina Vera', 'Tomás Pizarro']);
    expect(await value(o.app, 'select count(*) from leads')).toBe(leadsBefore);
  });
});

describe('notifications of a digest', () => {
  it('each person is notified on their own: the vendor one email per lead, each client their own acknowledgement', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digests-notify-'));
    const config = parseConfig(JSON.stringify({
      country: 'CL', timezone: 'America/Santiago', parsersDir: path.resolve('parsers'),
      smtp: { host: '127.0.0.1', port: 2, secure: false, from: 'Centralizador <leads@inmobiliaria.example.cl>' },
      projects: [
        { name: 'Parque Los Robles', aliases: ['PLR'], vendors: [{ id: 'ana', name: 'Ana Vendedora', email: 'ana@inmobiliaria.example.cl' }], ack: { enabled: true, from: 'plr@inmobiliaria.example.cl' } },
        { name: 'Mirador del Valle', aliases: ['MDV'], vendors: [{ id: 'hugo', name: 'Hugo Vendedor', email: 'hugo@inmobiliaria.example.cl' }], ack: { enabled: true, from: 'mdv@inmobiliaria.example.cl' } },
      ],
    }), 'test.yaml', {});
    const app = await createApp(config, createLogger('silent'), { dbPath: path.join(dir, 'n.db'), notify: true, syncConfig: true });
    try {
      const r = await app.ingestor.ingest(read('01-text-digest-three.eml'), { source: 'file' });
      const leads = await rows(app, 'select id, email, owner_vendor_id "owner" from leads where raw_email_id = ? order by part_index', [r.rawEmailId]);
      expect(leads.map((l) => l.owner)).toEqual(['ana', 'hugo', 'ana']);
      const sent = await rows(app, "select lead_id \"leadId\", kind, recipient from notifications where kind in ('assignment', 'ack') order by lead_id, kind");
      expect(sent.map((n) => [n.leadId, n.kind, n.recipient])).toEqual([
        [leads[0].id, 'ack', 'valentina.fuentes@correo.cl'], [leads[0].id, 'assignment', 'ana@inmobiliaria.example.cl'],
        [leads[1].id, 'ack', 'matias.herrera@correo.cl'], [leads[1].id, 'assignment', 'hugo@inmobiliaria.example.cl'],
        [leads[2].id, 'ack', 'josefa.morales@correo.cl'], [leads[2].id, 'assignment', 'ana@inmobiliaria.example.cl'],
      ]);
    } finally {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay of the digests', () => {
  it('reports how many people each email gave, the first person\'s fields, and nothing new the second time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digests-replay-'));
    try {
      const args = ['replay', DIR, '--json', '--config', 'fixtures/config.yaml', '--db', path.join(dir, 'r.db')];
      const first = (await runCli(args)).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; people: number; fields: { name: string }; duplicate: boolean });
      expect(first.map((l) => [path.basename(l.file), l.people, l.fields.name])).toEqual([
        ['01-text-digest-three.eml', 3, 'Valentina Fuentes'],
        ['02-html-table-three.eml', 3, 'Ignacio Rojas'],
        ['03-csv-two-rows.eml', 2, 'Francisca Soto'],
        ['04-single-quoting-earlier.eml', 1, 'Daniela Paredes'],
      ]);
      const again = (await runCli(args)).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { duplicate: boolean; people: number });
      expect(again.map((l) => [l.duplicate, l.people])).toEqual([[true, 3], [true, 3], [true, 2], [true, 1]]);
      // The summary counts leads, each person under its own quality, beside the emails.
      const human = await runCli(['replay', DIR, '--config', 'fixtures/config.yaml', '--db', path.join(dir, 'h.db')]);
      expect(human.stdout).toMatch(/\n4 correos, 9 leads: 6 bueno, 3 con_problemas\n/); // the table gives no RUT
      expect(JSON.parse((await runCli(args)).stdout.split('\n')[0]).qualities).toEqual(['bueno', 'bueno', 'bueno']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parsers explain on a digest', () => {
  it('shows each person with their own fields and quality; a single lead quoting another shows none', async () => {
    const r = await runCli(['parsers', 'explain', path.join(DIR, '01-text-digest-three.eml'), '--json', '--config', 'fixtures/config.yaml']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as { people: { part: number; quality: string; fields: { field: string; normalized: string | null }[] }[]; fields: { field: string; normalized: string | null }[] };
    const names = e.people.map((p) => [p.part, p.fields.find((f) => f.field === 'name')?.normalized, p.quality]);
    expect(names).toEqual([[0, 'Valentina Fuentes', 'bueno'], [1, 'Matías Herrera', 'bueno'], [2, 'Josefa Morales', 'bueno']]);
    expect(e.fields.find((f) => f.field === 'email')?.normalized).toBe('valentina.fuentes@correo.cl');
    const text = await runCli(['parsers', 'explain', path.join(DIR, '03-csv-two-rows.eml'), '--config', 'fixtures/config.yaml']);
    expect(text.stdout).toContain('personas: 2');
    expect(text.stdout).toMatch(/persona 1 [\s\S]*Benjamín Castro/);
    const single = JSON.parse((await runCli(['parsers', 'explain', path.join(DIR, '04-single-quoting-earlier.eml'), '--json', '--config', 'fixtures/config.yaml'])).stdout) as { people?: unknown };
    expect(single.people).toBeUndefined();
  });
});

describe.each(engines.map((e) => e.name as 'sqlite' | 'postgres'))('a digest person\'s lead page on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine });
  });
  afterAll(async () => {
    await h.close();
  });

  it('names the person\'s position in the email and serves that email as the lead\'s raw source', async () => {
    const raw = read('01-text-digest-three.eml');
    const r = await h.app.ingestor.ingest(raw, { source: 'file' });
    const second = await value(h.app, 'select id from leads where raw_email_id = ? and part_index = 1', [r.rawEmailId]);
    const d = await h.json<{ lead: { name: string; partIndex: number }; rawEmail: { people: number } }>(`/api/leads/${second}`);
    expect(d.lead).toMatchObject({ name: 'Matías Herrera', partIndex: 1 });
    expect(d.rawEmail.people).toBe(3);
    const source = await h.call(`/api/leads/${second}/raw`);
    expect(source.status).toBe(200);
    expect(Buffer.from(await source.arrayBuffer()).equals(raw)).toBe(true);
    const one = await h.app.ingestor.ingest(read('04-single-quoting-earlier.eml'), { source: 'file' });
    const single = await h.json<{ lead: { partIndex: number }; rawEmail: { people: number } }>(`/api/leads/${one.leadId}`);
    expect(single.lead.partIndex).toBe(0);
    expect(single.rawEmail.people).toBe(1);
  });
});

describe("a parser's repeat: locator", () => {
  const card = (name: string, email: string, phone: string) => `<div class="card"><b class="who">${name}</b><br>${email}<br>${phone}</div>`;
  const mail = Buffer.from([
    'From: Resumen <resumen@resumen-portal.cl>', 'To: ventas@inmobiliaria-ejemplo.cl', 'Subject: Tus interesados de hoy', 'Message-ID: <repeat-1@resumen-portal.cl>',
    'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '',
    `<html><body><p>Interesados en Parque Los Robles</p>${card('Paula Díaz', 'paula.diaz@correo.cl', '+56 9 6111 2222')}${card('Andrés Soto', 'andres.soto@correo.cl', '+56 9 6333 4444')}</body></html>`,
  ].join('\r\n'));
  const parserYaml = (repeat: string) => `id: resumen-portal\nname: Resumen Portal\nmedium: portales\nmatch:\n  from: resumen-portal.cl\n${repeat}fields:\n  name:\n    - css: b.who\n`;

  it('reads one person per element, the parser\'s own rules inside each; without it the unlabelled cards stay one lead', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digests-repeat-'));
    try {
      fs.writeFileSync(path.join(dir, 'resumen-portal.yaml'), parserYaml('repeat:\n  css: div.card\n'));
      const o = await runPipeline(mail, testContext(loadParsers(dir)));
      if (o.kind !== 'lead') throw new Error(`not a lead: ${o.reason}`);
      expect([o, ...(o.others ?? [])].map((p) => [p.part, p.parser, p.fields.name, p.fields.email, p.fields.phone])).toEqual([
        [0, 'resumen-portal', 'Paula Díaz', 'paula.diaz@correo.cl', '+56961112222'],
        [1, 'resumen-portal', 'Andrés Soto', 'andres.soto@correo.cl', '+56963334444'],
      ]);
      fs.writeFileSync(path.join(dir, 'resumen-portal.yaml'), parserYaml(''));
      const plain = await runPipeline(mail, testContext(loadParsers(dir)));
      expect(plain.kind === 'lead' && plain.others).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
