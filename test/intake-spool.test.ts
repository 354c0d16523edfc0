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
  sqliteStore(h.app).sqlite.prepare("select r.message_id m, (select group_concat(hex(chunk), '') from (select chunk from raw_bodies b where b.raw_email_id = r.id order by seq)) hex from leads l join raw_emails r on r.id = l.raw_email_id where l.id = ?").get(leadId) as { m: string; hex: string };

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
    const entry = [...spool.entries()].find((e) => e.name === spoolName(row.m))!;
    expect(entry.day).toBe(new Date().toISOString().slice(0, 10));
    expect(entry.raw()).toEqual(Buffer.from(row.hex, 'hex'));
    expect(fs.statSync(entry.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(entry.file)).some((f) => f.endsWith('.tmp'))).toBe(false);
    const size = fs.statSync(entry.file).size;
    expect(((await (await post('same-key')).json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect([...spool.entries()].filter((e) => e.name === spoolName(row.m)).map((e) => e.raw())).toEqual([Buffer.from(row.hex, 'hex')]);
    expect(fs.statSync(entry.file).size).toBe(size); // the repeat was not spooled again
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
    const spooled = [...spool.entries()].length;
    expect(spooled).toBe(await h.count('raw_emails'));
    const fresh = await createApp(testConfig(INTAKE), log, { dbPath: path.join(tmp, 'fresh', 'c.db') });
    try {
      expect(await replaySpool(fresh, spool, log)).toEqual({ entries: spooled, stored: spooled });
      expect(await replaySpool(fresh, spool, log)).toEqual({ entries: spooled, stored: 0 });
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
      // The old day's log is rewritten with the missing one only; the recent day is left alone.
      expect([...s.entries()].map((e) => [e.day, e.name, e.raw().toString()])).toEqual([
        ['2026-01-01', spoolName('<old-missing@intake.centralizer.invalid>'), raw('old-missing').toString()],
        ['2026-03-01', spoolName('<new-in-db@intake.centralizer.invalid>'), raw('new-in-db').toString()],
      ]);
      expect(fs.readdirSync(path.join(dir, '2026-01-01'))).toHaveLength(1); // the crash's temp file went too
    } finally {
      app.close();
    }
  });

  it('a batch is one log append: a frame cut short by a crash is ignored, what was synced before it stays', async () => {
    const dir = path.join(tmp, 'torn');
    const s = new IntakeSpool(dir);
    const at = new Date('2026-02-02T10:00:00Z');
    const item = (id: string) => ({ raw: Buffer.from(`Message-ID: <${id}@x.invalid>\r\n\r\nNombre: ${id}\r\n`), messageId: `<${id}@x.invalid>`, receivedAt: at });
    await s.putMany([item('a'), item('b'), item('c')]);
    const [log] = fs.readdirSync(path.join(dir, '2026-02-02'));
    expect(log).toMatch(/^\d+-\d+\.log$/); // one file for the three
    // A crash in the middle of the next append: its frame is cut short.
    fs.appendFileSync(path.join(dir, '2026-02-02', log), 'SPOOL1 0123456789012345678901234567890123456789.eml 500\nMessage-ID: <d@x');
    await s.close();
    const after = new IntakeSpool(dir); // the next process appends to a new log of its own
    await after.putMany([item('e')]);
    expect([...after.entries()].map((e) => e.raw().toString().match(/Nombre: (\w)/)?.[1])).toEqual(['a', 'b', 'c', 'e']);
    expect(after.find(spoolName('<b@x.invalid>'))?.toString()).toContain('Nombre: b');
    expect(after.find(spoolName('<d@x.invalid>'))).toBeNull();
    await after.close();
  });

  it('batches written while another syncs all land, in one log, each answered only once durable', async () => {
    const dir = path.join(tmp, 'group');
    const s = new IntakeSpool(dir);
    const at = new Date('2026-02-03T10:00:00Z');
    const item = (n: number) => ({ raw: Buffer.from(`Message-ID: <g${n}@x.invalid>\r\n\r\nNombre: g${n}\r\n`), messageId: `<g${n}@x.invalid>`, receivedAt: at });
    await Promise.all(Array.from({ length: 5 }, (_, b) => s.putMany([item(b * 3), item(b * 3 + 1), item(b * 3 + 2)])));
    expect(fs.readdirSync(path.join(dir, '2026-02-03'))).toHaveLength(1);
    expect([...s.entries()].map((e) => e.raw().toString().match(/Nombre: (g\d+)/)?.[1]).sort()).toEqual(Array.from({ length: 15 }, (_, n) => `g${n}`).sort());
    await s.close();
  });

  it('still reads, replays and prunes entries of the first layout (a file per lead)', async () => {
    const dir = path.join(tmp, 'legacy');
    const old = new Date('2026-01-01T12:00:00Z');
    const raw = (id: string) => Buffer.from(`Message-ID: <${id}@intake.centralizer.invalid>\r\nSubject: x\r\n\r\nNombre: A\r\n`);
    fs.mkdirSync(path.join(dir, '2026-01-01'), { recursive: true });
    fs.writeFileSync(path.join(dir, '2026-01-01', spoolName('<legacy-1@intake.centralizer.invalid>')), raw('legacy-1'));
    const s = new IntakeSpool(dir);
    await s.putMany([{ raw: raw('legacy-2'), messageId: '<legacy-2@intake.centralizer.invalid>', receivedAt: old }]);
    const app = await createApp(testConfig(INTAKE), log, { dbPath: path.join(tmp, 'legacy-db', 'c.db') });
    try {
      expect(await replaySpool(app, s, log)).toEqual({ entries: 2, stored: 2 });
      expect(await pruneSpool(sqliteStore(app), s, 30, Date.parse('2026-03-05T00:00:00Z'))).toEqual({ pruned: 2, kept: 0 });
      expect(fs.existsSync(path.join(dir, '2026-01-01'))).toBe(false);
    } finally {
      await s.close();
      app.close();
    }
  });
});
