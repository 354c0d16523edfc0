import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// The commit side of post-sale mail on both engines, read back through the port: the complaint
// opens a case with its acknowledgement queued, a sales lead stays a lead, the client's answer
// joins the case, a replay changes nothing.
const fixture = (name: string) => fs.readFileSync(path.resolve('fixtures/cases', name));
const engines = noPostgres() ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(engines)('post-sale mail on %s', (engine) => {
  let app: App;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cases-engines-'));
    const pg = engine === 'postgres' ? await createTestDatabase() : null;
    const yaml = [
      'country: CL', 'timezone: America/Santiago',
      'projects:', '  - {name: Parque Los Robles, vendors: [{id: vera, name: Vera Díaz, email: vera@inmobiliaria-ejemplo.cl}]}',
      `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`,
      'smtp: {host: 127.0.0.1, port: 2525, from: avisos@inmobiliaria-ejemplo.cl}',
      ...(pg ? ['database:', `  url: ${pg.url}`] : []),
    ].join('\n');
    app = await createApp(parseConfig(yaml, 'test', {}), createLogger('silent'), { ...(pg ? {} : { dbPath: path.join(dir, 'c.db') }), notify: true, syncConfig: true });
    cleanup = async () => {
      await app.close();
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(async () => cleanup());

  it('opens a case with one acknowledgement; the answer joins it; a lead stays a lead', async () => {
    const r = await app.ingestor.ingest(fixture('13-reclamo-filtracion-1502.eml'), { source: 'file' });
    expect(r).toMatchObject({ status: 'case', leadId: null });
    const c = (await app.store.getCase(r.caseId!))!;
    expect(c).toMatchObject({ category: 'reclamo', unit: 'depto 1502', status: 'abierto', contactEmail: 'pedro.morales.c@gmail.com' });
    expect(await app.store.leadOfRaw(r.rawEmailId)).toBeNull();
    const thread = await app.store.caseMessages(c.id);
    expect(thread.map((m) => m.direction)).toEqual(['in', 'out']);
    const ack = await app.store.unitOfWork((tx) => io(tx.claimNotification(Date.now() + 1000, 60_000)));
    expect(ack).toMatchObject({ kind: 'case_ack', caseId: c.id, recipient: 'pedro.morales.c@gmail.com' });
    expect(ack!.subject).toContain(`[Caso ${c.number}]`);
    expect(JSON.parse(ack!.headers!)['Message-ID']).toBe(thread[1].messageId);
    expect(await app.store.unitOfWork((tx) => io(tx.claimNotification(Date.now() + 1000, 60_000)))).toBeNull();

    const reply = Buffer.from(`From: pedro.morales.c@gmail.com\r\nTo: ventas@inmobiliaria-ejemplo.cl\r\nSubject: Re: ${ack!.subject}\r\nMessage-ID: <pg-reply@gmail.com>\r\nIn-Reply-To: ${thread[1].messageId}\r\nDate: Fri, 04 Dec 2026 10:00:00 -0300\r\n\r\nSigue goteando.\r\n`);
    expect(await app.ingestor.ingest(reply, { source: 'file' })).toMatchObject({ status: 'case', caseId: c.id, leadId: null });
    expect((await app.store.caseMessages(c.id)).map((m) => m.messageId)).toContain('<pg-reply@gmail.com>');
    expect((await app.ingestor.ingest(reply, { source: 'file' })).duplicate).toBe(true);
    expect(await app.store.caseMessages(c.id)).toHaveLength(3);

    const lead = await app.ingestor.ingest(fixture('02-portal-entrega-inmediata.eml'), { source: 'file' });
    expect(lead).toMatchObject({ status: 'lead' });
    expect(await app.store.caseOfRaw(lead.rawEmailId)).toBeNull();
  });
});

describe.each(engines)('a lead moved to a case on %s', (engine) => {
  it('takes its subject and category from the email read again, and tells the client the case number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cases-move-'));
    const pg = engine === 'postgres' ? await createTestDatabase() : null;
    const yaml = ['country: CL', 'timezone: America/Santiago', 'projects:', '  - {name: Parque Los Robles}', `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`, ...(pg ? ['database:', `  url: ${pg.url}`] : [])].join('\n');
    const app = await createApp(parseConfig(yaml, 'test', {}), createLogger('silent'), { ...(pg ? {} : { dbPath: path.join(dir, 'c.db') }), notify: true, syncConfig: true });
    try {
      const { leadToCase } = await import('../src/cases/move.ts');
      const raw = fixture('10-portal-pregunta-garantia.eml');
      const r = await app.ingestor.ingest(raw, { source: 'file' });
      expect(r.status).toBe('lead');
      const outcome = await app.ingestor.outcome(raw);
      const moved = await app.store.unitOfWork((tx) => leadToCase(tx, app.config, { leadId: r.leadId!, category: undefined, comment: '', outcome, acknowledge: true }, 'admin@inmo.cl', Date.now()));
      expect(moved.category).toBe('postventa');
      const c = (await app.store.getCase(moved.caseId))!;
      expect(c).toMatchObject({ subject: 'Nuevo contacto en tu publicación: Edificio Las Encinas', contactEmail: 'tomas.herrera@gmail.com', fromLeadId: r.leadId });
      let ack = null;
      for (let n = 0; n < 5 && !ack?.kind.startsWith('case'); n++) ack = await app.store.unitOfWork((tx) => io(tx.claimNotification(Date.now() + 1000, 60_000)));
      expect(ack).toMatchObject({ kind: 'case_ack', caseId: moved.caseId, recipient: 'tomas.herrera@gmail.com' });
      expect(ack!.text).toContain(`número de caso ${moved.number}`);
    } finally {
      await app.close();
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('metrics', () => {
  it('count an email that opened or joined a case apart from the leads', async () => {
    const { createMetrics } = await import('../src/metrics.ts');
    const m = createMetrics();
    const base = { rawEmailId: 1, messageId: null, duplicate: false, error: null, leadId: null, clientId: null, followUpAt: null, receivedAt: 0 };
    const outcome = { kind: 'lead', parser: null, quality: 'bueno' } as never;
    m.onIngest({ ...base, outcome, status: 'case', caseId: 7 }, 5);
    m.onIngest({ ...base, outcome, status: 'lead', leadId: 3 }, 5);
    const text = await m.registry.metrics();
    expect(text).toMatch(/^centralizer_emails_case_total 1$/m);
    expect(text).toMatch(/^centralizer_emails_ingested_total\{parser="generic",quality="bueno"\} 1$/m);
  });
});
