import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase, backupFileName, pruneBackups } from '../src/db/sqlite/backup.ts';
import { markerPath, openDatabase } from '../src/db/sqlite/open.ts';
import { scheduleBackups } from '../src/daemon/backup-schedule.ts';
import { DaemonLease } from '../src/daemon/lease.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { createLogger } from '../src/logger.ts';
import { main } from '../src/cli/main.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function seed(file: string, rows: number): void {
  const db = openDatabase(file).$client;
  const raw = db.prepare("INSERT INTO raw_emails (source, sha256, size, received_at, stored_at, status, headers) VALUES ('file', ?, 1, 1, 1, 'lead', ?)");
  const lead = db.prepare("INSERT INTO leads (raw_email_id, medium, quality, contact_state, received_at, deadline_at, created_at, updated_at) VALUES (?, 'web', 'bueno', 'por_contactar', 1, 1, 1, 1)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) lead.run(raw.run(`s${i}`, 'y'.repeat(2000)).lastInsertRowid);
  })();
  db.close();
}

/** A terminal where the person types `typed`. */
function terminal(typed: string): NodeJS.ReadableStream {
  const t = Object.assign(new PassThrough(), { isTTY: true });
  t.end(typed);
  return t;
}

const counts = (file: string) => {
  const db = new Database(file, { readonly: true });
  const r = db.prepare('SELECT (SELECT count(*) FROM raw_emails) AS raw, (SELECT count(*) FROM leads) AS leads').get() as { raw: number; leads: number };
  const check = db.pragma('integrity_check', { simple: true });
  db.close();
  return { ...r, check };
};

/** No terminal by default (as in CI): a restore that must ask refuses unless --yes. */
async function cli(args: string[], input: NodeJS.ReadableStream = Readable.from([])) {
  let out = '';
  let err = '';
  const io = { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never };
  const code = await main(args, io, input);
  return { code, out, err };
}

describe('backup', () => {
  it('is one consistent snapshot while another process keeps writing', async () => {
    const file = path.join(tmp, 'busy', 'centralizer.db');
    seed(file, 4000); // ~10 MB: many backup steps, each a chance for a writer to commit in between
    const writer = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/busy-writer.ts', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => writer.stdout.on('data', (d) => String(d).includes('ready') && resolve()));
      await new Promise((r) => setTimeout(r, 300));
      const dest = path.join(tmp, 'busy-backup.db');
      const steps: number[] = [];
      const r = await backupDatabase(file, dest, (p) => steps.push(p.remainingPages), 64); // small steps: many chances to interleave
      expect(steps.length).toBeGreaterThan(10);
      const c = counts(dest);
      expect(c.check).toBe('ok');
      expect(c.raw).toBeGreaterThanOrEqual(4000);
      expect(c.leads).toBe(c.raw); // every transaction wholly in or wholly out
      expect(r.bytes).toBe(fs.statSync(dest).size);
      expect(fs.existsSync(`${dest}-wal`)).toBe(false); // a single self-contained file
      expect(fs.readdirSync(tmp).some((f) => f.includes('.partial-'))).toBe(false);
    } finally {
      writer.kill('SIGKILL');
    }
    const live = counts(file);
    expect(live.leads).toBe(live.raw);
    expect(live.raw).toBeGreaterThan(4000 + 1000); // the writer really was committing meanwhile
  }, 60_000);

  it('the CLI writes the file, refuses to overwrite one, and restore brings it back', async () => {
    const file = path.join(tmp, 'rt', 'centralizer.db');
    seed(file, 50);
    const dest = path.join(tmp, 'rt-backup.db');
    const b = await cli(['backup', dest, '--db', file]);
    expect(b.code).toBe(0);
    expect(b.out).toContain(dest);
    expect((await cli(['backup', dest, '--db', file])).code).toBe(1);

    // Changes after the backup, then the restore: it says what it would drop and asks first.
    seed(file, 5);
    const refused = await cli(['restore', dest, '--db', file]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('5 correos y solicitudes recibidos');
    expect(refused.err).toContain('5 leads creados');
    expect(refused.err).toMatch(/falta la confirmación y no hay una terminal.*--yes.*No se cambió nada/);
    expect(counts(file)).toMatchObject({ raw: 55, leads: 55 });
    const no = await cli(['restore', dest, '--db', file], terminal('n\n'));
    expect(no.code).toBe(1);
    expect(no.err).toMatch(/\[s\/N\] restore: cancelado/);
    expect(counts(file)).toMatchObject({ raw: 55, leads: 55 });
    // At a terminal, "s" restores: the database is the backup again, the old one kept aside.
    const r = await cli(['restore', dest, '--db', file], terminal('s\n'));
    expect(r.err).toContain('5 leads creados');
    expect(r.code).toBe(0);
    expect(counts(file)).toEqual({ raw: 50, leads: 50, check: 'ok' });
    const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('centralizer.db.before-restore-') && !f.endsWith('-wal'));
    expect(aside).toHaveLength(1);
    expect(counts(path.join(path.dirname(file), aside[0]))).toMatchObject({ raw: 55, leads: 55 });
    expect(fs.existsSync(`${file}-shm`)).toBe(false);
    expect(fs.existsSync(markerPath(file))).toBe(true);
    openDatabase(file).$client.close(); // and the app opens it
  });

  it('restore brings back a database that went missing (the marker refuses a new empty one meanwhile)', async () => {
    const file = path.join(tmp, 'gone', 'centralizer.db');
    seed(file, 20);
    const dest = path.join(tmp, 'gone-backup.db');
    await backupDatabase(file, dest);
    fs.rmSync(file);
    expect(() => openDatabase(file)).toThrow(/is missing/);
    expect((await cli(['restore', dest, '--db', file])).code).toBe(0);
    expect(counts(file)).toEqual({ raw: 20, leads: 20, check: 'ok' });
  });

  it('restore refuses a corrupt backup and changes nothing', async () => {
    const file = path.join(tmp, 'bad', 'centralizer.db');
    seed(file, 10);
    const dest = path.join(tmp, 'bad-backup.db');
    seed(path.join(tmp, 'bad-src', 'c.db'), 3000);
    await backupDatabase(path.join(tmp, 'bad-src', 'c.db'), dest);
    const size = fs.statSync(dest).size;
    const fd = fs.openSync(dest, 'r+');
    for (let at = 6 * 4096; at < size - 4096; at += 3 * 4096) fs.writeSync(fd, Buffer.alloc(200, 0x5a), 0, 200, at + 100);
    fs.closeSync(fd);
    const r = await cli(['restore', dest, '--db', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no es un respaldo utilizable[\s\S]*No se cambió nada/);
    expect(counts(file)).toMatchObject({ raw: 10, leads: 10 });
    expect(fs.readdirSync(path.dirname(file)).some((f) => f.includes('before-restore'))).toBe(false);

    const notDb = path.join(tmp, 'not-a-db.db');
    fs.writeFileSync(notDb, 'hello');
    expect((await cli(['restore', notDb, '--db', file])).code).toBe(1);
  });

  it('restore refuses while a daemon holds the lease', async () => {
    const file = path.join(tmp, 'leased', 'centralizer.db');
    seed(file, 5);
    const dest = path.join(tmp, 'leased-backup.db');
    await backupDatabase(file, dest);
    const store = new Store(openDatabase(file));
    const lease = await DaemonLease.acquire(store, { renewMs: 60_000 });
    try {
      const r = await cli(['restore', dest, '--db', file]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/daemon .* is using .*Stop it first/);
    } finally {
      lease.release();
      store.close();
    }
    expect((await cli(['restore', dest, '--db', file, '--yes'])).code).toBe(0);
  });
});

describe('scheduled backups', () => {
  it('names files by time and keeps the newest `keep`', async () => {
    const file = path.join(tmp, 'sched', 'centralizer.db');
    seed(file, 10);
    const dir = path.join(tmp, 'sched-backups');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup: left alone');
    let t = Date.parse('2026-11-20T03:00:00Z');
    const s = scheduleBackups(file, { cron: '0 3 * * *', dir, keep: 2 }, createLogger('silent'), () => new Date((t += 86_400_000)));
    try {
      for (let i = 0; i < 4; i++) expect(await s.runNow()).toMatch(/centralizer-202611\d\d-030000\.db$/);
    } finally {
      s.stop();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['centralizer-20261123-030000.db', 'centralizer-20261124-030000.db', 'notes.txt']);
    expect(counts(path.join(dir, 'centralizer-20261124-030000.db'))).toEqual({ raw: 10, leads: 10, check: 'ok' });
    expect(backupFileName('/x/leads.sqlite', new Date('2026-01-02T03:04:05.678Z'))).toBe('leads-20260102-030405.db');
    expect(pruneBackups(dir, file, 5)).toEqual([]);
  });

  it('config: off by default, validated when set', async () => {
    const { parseConfig } = await import('../src/config.ts');
    expect(parseConfig('country: CL\n', 'c.yaml').backup).toBeUndefined();
    expect(parseConfig('backup: {cron: "0 3 * * *"}\n', 'c.yaml').backup).toEqual({ cron: '0 3 * * *', dir: 'data/backups', keep: 7 });
    expect(() => parseConfig('backup: {cron: "every night"}\n', 'c.yaml')).toThrow(/backup\.cron/);
  });
});
