import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config.ts';
import { DAY_MS } from '../src/vocabulary.ts';
import { updateLeadOutcome, type Reclassified } from '../src/leads/record.ts';
import { reprocess } from '../src/reprocess.ts';
import { storeRaw } from '../src/leads/intake.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

let dir: string;
let app: App;

const count = (table: string) => (sqliteStore(app).sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
const ingest = (raw: Buffer) => app.ingestor.ingest(raw, { source: 'file' });

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-'));
  app = await createApp(testConfig(), createLogger('silent'), { dbPath: path.join(dir, 'test.db') });
});
afterEach(() => {
  app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const complete = (o: Partial<Record<string, string>> = {}, extra: Parameters<typeof formEmail>[0] = {}) =>
  formEmail({ ...extra, lines: { Nombre: 'Ana Soto', RUT: rut(12345678), Correo: 'ana.soto@correo.cl', Fono: '+56 9 8765 4321', Proyecto: 'PLR', ...o } as Record<string, string> });

describe('persistence on real SQLite with the real migrations', () => {
  it('a bueno lead creates client and a continuar follow-up due at arrival + followUpDays', async () => {
    const r = await ingest(complete({}, { date: 'Mon, 23 Nov 2026 10:00:00 -0300' }));
    expect(r.outcome?.kind).toBe('lead');
    expect(r.clientId).not.toBeNull();
    expect(r.followUpAt).toBe(Date.parse('2026-11-23T13:00:00Z') + 5 * DAY_MS);
    const fu = sqliteStore(app).sqlite.prepare('select action, status, due_at from follow_ups').all();
    expect(fu).toEqual([{ action: 'continuar', status: 'open', due_at: r.followUpAt }]);
    const lead = sqliteStore(app).getLead(r.leadId!)!;
    expect(lead.contactState).toBe('por_contactar');
    expect(lead.contactType).toBe('nuevo');
  });

  it('replaying the same email changes nothing and reports the first lead', async () => {
    const raw = complete();
    const first = await ingest(raw);
    const before = ['raw_emails', 'leads', 'clients', 'follow_ups'].map(count);
    const again = await ingest(raw);
    expect(again.duplicate).toBe(true);
    expect(again.leadId).toBe(first.leadId);
    expect(['raw_emails', 'leads', 'clients', 'follow_ups'].map(count)).toEqual(before);
  });

  it('an email without Message-ID is deduplicated by content hash', async () => {
    const raw = complete({}, { messageId: null });
    await ingest(raw);
    expect((await ingest(raw)).duplicate).toBe(true);
    expect(count('leads')).toBe(1);
  });

  it('a returning client links to the same record (by RUT, then email, then phone), one open follow-up per project', async () => {
    const a = await ingest(complete());
    const byRut = await ingest(complete({ Correo: 'otro@correo.cl', RUT: '12.345.678-5' }));
    const byEmail = await ingest(complete({ RUT: '' }));
    const byPhone = await ingest(complete({ RUT: '', Correo: '', Fono: '987654321' }));
    expect(new Set([a.clientId, byRut.clientId, byEmail.clientId, byPhone.clientId]).size).toBe(1);
    expect(count('clients')).toBe(1);
    expect(sqliteStore(app).getLead(byRut.leadId!)!.contactType).toBe('retorno');
    expect(byEmail.outcome).toMatchObject({ quality: 'con_problemas' });
    expect(count("follow_ups where status = 'open'")).toBe(1);
  });

  it('a different national ID is never merged into another person through a shared email', async () => {
    const a = await ingest(complete());
    const b = await ingest(complete({ RUT: rut(15509661), Nombre: 'Luis Soto' }));
    expect(b.clientId).not.toBe(a.clientId);
  });

  it('con_problemas with complete data and only the project failing gets a client but no follow-up', async () => {
    const r = await ingest(complete({ Proyecto: 'Torre Inexistente' }));
    expect(r.outcome).toMatchObject({ quality: 'con_problemas', problems: ['project.unmatched'] });
    expect(r.clientId).not.toBeNull();
    expect(r.followUpAt).toBeNull();
    expect(count('follow_ups')).toBe(0);
  });

  it('malo and incomplete leads create no client', async () => {
    await ingest(complete({ RUT: '', Correo: '', Fono: '' }));
    await ingest(complete({ RUT: '' }));
    expect(count('clients')).toBe(0);
    expect(count('leads')).toBe(2);
  });

  it('an email that breaks the pipeline is stored with its error, raw bytes kept', async () => {
    const big = Buffer.concat([complete(), Buffer.alloc(2 * 1024 * 1024, 0x41)]);
    const small = await createApp(testConfig('limits: {maxMessageBytes: 1048576}'), createLogger('silent'), { dbPath: path.join(dir, 'small.db') });
    const r = await small.ingestor.ingest(big, { source: 'file' });
    expect(r.status).toBe('too_large');
    const row = (await small.store.getRaw(r.rawEmailId))!;
    expect(row.status).toBe('too_large');
    expect(row.size).toBe(big.length);
    small.close();
  });

  it('reprocess upgrades a lead once its project is configured, creating client and follow-up', async () => {
    const r = await ingest(complete({ Proyecto: 'Torre Nueva' }));
    expect(r.followUpAt).toBeNull();
    // testConfig's extra text lands after the project list: one more project.
    await app.reload({ config: testConfig('  - {name: Torre Nueva, aliases: []}') });
    const report = await reprocess(app, { qualities: ['con_problemas'], since: null });
    expect(report.upgraded).toBe(1);
    expect(sqliteStore(app).getLead(r.leadId!)!.quality).toBe('bueno');
    expect(count("follow_ups where status = 'open'")).toBe(1);
  });
});

describe('review findings', () => {
  it('processing an already processed email again changes nothing and does not throw', async () => {
    const r = await ingest(complete());
    await expect(app.ingestor.processStoredBatch([r.rawEmailId])).resolves.toHaveLength(1);
    expect(count('leads')).toBe(1);
  });

  it('one batch naming a pending email twice (a retry meeting the worker) records one lead', async () => {
    const raw = complete();
    const id = await app.store.unitOfWork((tx) => storeRaw(tx, app.ingestor.describe(raw, { source: 'file' }), Date.now()));
    const item = { rawEmailId: id!, raw, receivedAt: Date.now(), messageId: null };
    const [a, b] = await app.ingestor.processBatch([item, { ...item, raw: Buffer.from(raw) }]);
    expect(count('leads')).toBe(1);
    expect(count('clients')).toBe(1);
    expect(a.leadId).not.toBeNull();
    expect(b.leadId).toBe(a.leadId);
  });

  it('reprocess never reopens a discarded lead', async () => {
    const r = await ingest(complete({ Proyecto: 'Torre Nueva' }));
    sqliteStore(app).sqlite.prepare("update leads set contact_state = 'descartado' where id = ?").run(r.leadId);
    await app.reload({ config: testConfig('  - {name: Torre Nueva, aliases: []}') });
    const report = await reprocess(app, { qualities: ['con_problemas'], since: null });
    expect(report.upgraded).toBe(0);
    expect(sqliteStore(app).getLead(r.leadId!)!.quality).toBe('con_problemas');
  });

  it('an upgrade of an already linked lead keeps its client and contact type; the follow-up counts from the upgrade', async () => {
    const r = await ingest(complete({ Proyecto: 'Torre Nueva' }));
    const before = sqliteStore(app).getLead(r.leadId!)!;
    expect(before.contactType).toBe('nuevo');
    await app.reload({ config: testConfig('  - {name: Torre Nueva, aliases: []}') });
    const now = Date.parse('2027-01-10T12:00:00Z');
    const outcome = { ...r.outcome!, kind: 'lead' } as never as Reclassified;
    const upgraded = { ...outcome, fields: { ...outcome.fields, project: 'Torre Nueva' }, quality: 'bueno' as const, problems: [], createsClient: true, createsFollowUp: true };
    const res = await sqliteStore(app).unitOfWork((tx) => updateLeadOutcome(tx, r.leadId!, upgraded, app.rules(), 'admin', now));
    expect(res.clientId).toBe(before.clientId);
    expect(res.followUpAt).toBe(now + 5 * DAY_MS);
    expect(sqliteStore(app).getLead(r.leadId!)!.contactType).toBe('nuevo');
    expect(count('clients')).toBe(1);
  });
});

describe('CLI', () => {
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(args, { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never });
    return { code, out, err };
  };

  it('replay --json prints one object per email with the contract keys, and is idempotent', async () => {
    const emails = path.join(dir, 'in');
    fs.mkdirSync(emails);
    fs.writeFileSync(path.join(emails, 'a.eml'), complete());
    fs.writeFileSync(path.join(emails, 'b.eml'), complete({ RUT: '' }));
    fs.writeFileSync(path.join(emails, 'b.expected.json'), '{}');
    const db = path.join(dir, 'cli.db');
    const first = await run(['replay', emails, '--json', '--db', db]);
    expect(first.code).toBe(0);
    const lines = first.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const key of ['file', 'messageId', 'parser', 'quality', 'ignored', 'fields', 'problems', 'leadId', 'clientId', 'followUpAt', 'duplicate']) expect(lines[0]).toHaveProperty(key);
    expect(lines.map((l) => l.quality)).toEqual(['bueno', 'con_problemas']);
    const second = await run(['replay', emails, '--json', '--db', db]);
    expect(second.out.trim().split('\n').map((l) => JSON.parse(l).duplicate)).toEqual([true, true]);
  });

  it('a bad config exits non-zero naming the key path and the bad value', async () => {
    const cfg = path.join(dir, 'bad.yaml');
    fs.writeFileSync(cfg, 'country: XX\nfollowUpDays: five\n');
    const r = await run(['replay', dir, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:1:\d+: country: .*"XX"/);
    expect(r.err).toMatch(/followUpDays: .*"five"/);
  });

  it('unknown keys (typos) are refused, naming file, line, key path and the closest known key', async () => {
    const cfg = path.join(dir, 'typo.yaml');
    fs.writeFileSync(cfg, `followupDays: 5\nparsersDir: ${process.cwd()}/parsers\nprojects:\n  - {name: A, alias: [b]}\n`);
    const r = await run(['parsers', 'check', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/typo\.yaml:1:1: followupDays: clave desconocida "followupDays"; ¿quiso decir "followUpDays"\?/);
    expect(r.err).toMatch(/typo\.yaml:4:15: projects\.0\.alias: clave desconocida "alias"; ¿quiso decir "aliases"\?/);
  });

  it('secrets come from the environment', async () => {
    const cfg = parseConfig('mailboxes:\n  - {name: v, host: h, user: u, passwordEnv: IMAP_PW}\nadmin: {token: "${TOKEN}"}\n', 'c', { IMAP_PW: 's3cret', TOKEN: 'x'.repeat(30) });
    expect(cfg.mailboxes[0].password).toBe('s3cret');
    expect(cfg.admin.token).toBe('x'.repeat(30));
    expect(() => parseConfig('admin: {token: "${NOPE}"}\n', 'c', {})).toThrow(/admin\.token: la variable de entorno NOPE no está definida/);
  });
});
