import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { IntakeSpool, intakeSpool, pruneSpool, replaySpool, spoolDirFor, spoolName } from '../src/intake/spool.ts';
import { startIntake, type IntakeHarness } from './helpers/intake-app.ts';
import { rut, testConfig } from './helpers/mail.ts';

const INTAKE = `intake:
  ratePerMinute: 1000
  forms:
    - id: contacto
      key: key-contacto-1234
      project: Parque Los Robles
`;
const log = createLogger('silent');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-spool-'));
let h: IntakeHarness;
let spool: IntakeSpool;
beforeAll(async () => {
  h = await startIntake(INTAKE);
  spool = intakeSpool(h.app.config, sqliteStore(h.app).name)!;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
const post = (key = `k-${++n}`) =>
  fetch(`${h.url}/intake/forms/contacto`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234', 'idempotency-key': key, prefer: 'wait=20' },
    body: JSON.stringify({ nombre: `Ana ${n} Soto`, rut: rut(12_000_000 + n), email: `ana${n}@correo.cl` }),
  });
const stored = (leadId: number) =>
  sqliteStore(h.app).sqlite.prepare('select r.message_id m, r.raw from leads l join raw_emails r on r.id = l.raw_email_id where l.id = ?').get(leadId) as { m: string; raw: Buffer };

describe('the intake spool', () => {
  it('lives beside the database unless spool.dir says otherwise; none for an in-memory database', () => {
    expect(spoolDirFor(testConfig(), '/srv/data/centralizer.db')).toBe('/srv/data/spool/intake');
    expect(spoolDirFor(testConfig('spool: {dir: /var/spool/leads}\n'), '/srv/data/centralizer.db')).toBe('/var/spool/leads');
    expect(spoolDirFor(testConfig(), ':memory:')).toBeNull();
    // PostgreSQL: one spool per database, so a spool never replays one database's leads into another.
    const pg = (url: string) => spoolDirFor(testConfig(), url);
    expect(pg('postgres://db.internal:5433/centralizer')).toBe(path.resolve('data/spool/intake-db.internal-5433-centralizer'));
    expect(pg('postgres://db.internal:5433/other')).not.toBe(pg('postgres://db.internal:5433/centralizer'));
    expect(pg('postgresql://127.0.0.1/leads')).toBe(path.resolve('data/spool/intake-127.0.0.1-5432-leads'));
    expect(testConfig().spool).toEqual({ retentionDays: 30 });
  });

  it('every answered lead is in the spool (0600, the stored raw message); a repeated key keeps the first copy', async () => {
    const res = await post('same-key');
    expect(res.status).toBe(202);
    const { leadId } = (await res.json()) as { leadId: number };
    const row = stored(leadId);
    const entry = spool.files().find((f) => path.basename(f.file) === spoolName(row.m))!;
    expect(entry.day).toBe(new Date().toISOString().slice(0, 10));
    expect(fs.readFileSync(entry.file)).toEqual(row.raw);
    expect(fs.statSync(entry.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(entry.file)).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(((await (await post('same-key')).json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect(fs.readFileSync(entry.file)).toEqual(row.raw);
  });

  it('a spool that cannot be written: 500, nothing acknowledged and nothing stored', async () => {
    const other = await startIntake(INTAKE);
    try {
      fs.writeFileSync(path.join(path.dirname(sqliteStore(other.app).name), 'spool'), 'not a directory');
      const res = await fetch(`${other.url}/intake/forms/contacto`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234' },
        body: JSON.stringify({ nombre: 'Ana Soto', email: 'ana@correo.cl' }),
      });
      expect(res.status).toBe(500);
      expect(await other.count('raw_emails')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('replay into a database that lacks the leads stores each once (idempotent), then the pipeline makes them leads', async () => {
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(202);
    const spooled = spool.files().length;
    expect(spooled).toBe(await h.count('raw_emails'));
    const fresh = await createApp(testConfig(INTAKE), log, { dbPath: path.join(tmp, 'fresh', 'c.db') });
    try {
      expect(await replaySpool(fresh, spool, log)).toEqual({ files: spooled, stored: spooled });
      expect(await replaySpool(fresh, spool, log)).toEqual({ files: spooled, stored: 0 });
      const ids = await fresh.store.pendingRawIds(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      expect(ids).toHaveLength(spooled);
      await fresh.ingestor.processStoredBatch(ids);
      expect((sqliteStore(fresh).sqlite.prepare('select count(*) n from leads').get() as { n: number }).n).toBe(spooled);
      // Replaying into the original database (which has them all) stores nothing.
      expect((await replaySpool(h.app, spool, log)).stored).toBe(0);
    } finally {
      fresh.close();
    }
  });

  it('prunes only entries past the retention AND in the database', async () => {
    const dir = path.join(tmp, 'prune');
    const s = new IntakeSpool(dir);
    const old = new Date('2026-01-01T12:00:00Z');
    const app = await createApp(testConfig(INTAKE), log, { dbPath: path.join(tmp, 'prune-db', 'c.db') });
    try {
      const raw = (id: string) => Buffer.from(`Message-ID: <${id}@intake.centralizer.invalid>\r\nSubject: x\r\n\r\nNombre: A\r\n`);
      await s.putMany([
        { raw: raw('old-in-db'), messageId: '<old-in-db@intake.centralizer.invalid>', receivedAt: old },
        { raw: raw('old-missing'), messageId: '<old-missing@intake.centralizer.invalid>', receivedAt: old },
        { raw: raw('new-in-db'), messageId: '<new-in-db@intake.centralizer.invalid>', receivedAt: new Date('2026-03-01T12:00:00Z') },
      ]);
      fs.writeFileSync(path.join(dir, '2026-01-01', '.123-abc.tmp'), 'half');
      fs.utimesSync(path.join(dir, '2026-01-01', '.123-abc.tmp'), old, old);
      // Only two of the three are in the database.
      for (const id of ['old-in-db', 'new-in-db']) await app.ingestor.ingest(raw(id), { source: 'http' });
      const now = Date.parse('2026-03-05T00:00:00Z');
      expect(await pruneSpool(sqliteStore(app), s, 30, now)).toEqual({ pruned: 1, kept: 1 });
      expect(s.files().map((f) => f.file)).toEqual([
        path.join(dir, '2026-01-01', spoolName('<old-missing@intake.centralizer.invalid>')),
        path.join(dir, '2026-03-01', spoolName('<new-in-db@intake.centralizer.invalid>')),
      ]);
      expect(fs.readdirSync(path.join(dir, '2026-01-01'))).toHaveLength(1); // the crash's temp file went too
    } finally {
      app.close();
    }
  });
});
