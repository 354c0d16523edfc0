import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseUnusableError, markerPath, openDatabase } from '../src/db/sqlite/open.ts';
import { dbHealth } from '../src/db/sqlite/health.ts';
import { main } from '../src/cli/main.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbsafe-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(tmp, `db${++n}`, 'centralizer.db');

/** A database with some rows, closed cleanly (everything checkpointed into the file). */
function populated(rows = 2000): string {
  const file = fresh();
  const db = openDatabase(file).$client;
  const ins = db.prepare("INSERT INTO raw_emails (source, sha256, size, received_at, stored_at, status, headers) VALUES ('file', ?, 1, 1, 1, 'pending', ?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`h${i}`, 'x'.repeat(300));
  })();
  db.close();
  return file;
}

function expectRefused(file: string, problem: RegExp) {
  let err: unknown;
  try {
    openDatabase(file).$client.close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DatabaseUnusableError);
  expect((err as Error).message).toMatch(problem);
  expect((err as Error).message).toContain(file);
  expect((err as Error).message).toContain(`centralizer restore BACKUP_FILE --db ${file}`);
}

describe('opening the database', () => {
  it('creates a new one with its marker on a new install, and opens it again', () => {
    const file = fresh();
    openDatabase(file).$client.close();
    expect(fs.existsSync(markerPath(file))).toBe(true);
    openDatabase(file).$client.close();
  });

  it('refuses a database that is now missing, empty, headerless, truncated or corrupt', () => {
    const missing = populated(10);
    fs.rmSync(missing);
    expectRefused(missing, /is missing/);
    expect(fs.existsSync(missing)).toBe(false); // nothing was created in its place

    const empty = populated(10);
    fs.truncateSync(empty, 0);
    expectRefused(empty, /is empty \(0 bytes\)/);
    expect(fs.statSync(empty).size).toBe(0);

    const headerless = populated(10);
    const fd = fs.openSync(headerless, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0), 0, 100, 0);
    fs.closeSync(fd);
    expectRefused(headerless, /not a SQLite database/);

    const truncated = populated();
    fs.truncateSync(truncated, Math.floor(fs.statSync(truncated).size / 2));
    expectRefused(truncated, /is truncated/);

    const corrupt = populated();
    const size = fs.statSync(corrupt).size;
    const cfd = fs.openSync(corrupt, 'r+');
    for (let at = 8 * 4096; at < size - 4096; at += 4096) fs.writeSync(cfd, Buffer.alloc(64, 0xa5), 0, 64, at);
    fs.closeSync(cfd);
    expectRefused(corrupt, /corrupt \(quick_check|cannot be read/);

    // A valid SQLite file with no tables where our database was.
    const blank = populated(1);
    fs.rmSync(blank);
    const b = new Database(blank);
    b.pragma('user_version = 1');
    b.close();
    expectRefused(blank, /is empty \(it has no tables\)/);
  });

  it('adopts a database from before markers and guards it from then on', () => {
    const file = populated(5);
    fs.rmSync(markerPath(file));
    openDatabase(file).$client.close();
    expect(fs.existsSync(markerPath(file))).toBe(true);
  });

  it('the CLI refuses with the message and exit status 1 instead of a new database', async () => {
    const file = populated(5);
    fs.rmSync(file);
    let err = '';
    const io = { out: { write: () => true } as never, err: { write: (s: string) => ((err += s), true) } as never };
    const code = await main(['reprocess', '--db', file], io).catch(() => -1);
    expect(code).toBe(1);
    expect(err).toMatch(/is missing/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

function runWriter(file: string, mode: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/wal-writer.ts', file, mode], { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        // The child said the guard caught up: now a crash, no close, no clean checkpoint.
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve(out.trim()));
    child.on('error', reject);
  });
}

describe('a removed -wal file loses no acknowledged write', () => {
  it('after a crash: the write is in the database file, not only in the WAL', async () => {
    const file = fresh();
    expect(await runWriter(file, 'plain')).toBe('written');
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0); // the crash left the WAL behind
    fs.rmSync(`${file}-wal`);
    fs.rmSync(`${file}-shm`, { force: true });
    const db = openDatabase(file).$client;
    expect(db.prepare("SELECT count(*) AS n FROM projects WHERE name = 'first'").get()).toEqual({ n: 1 });
    db.close();
  }, 20_000);

  it('removed while open: the guard checkpoints and starts a new -wal file at once', async () => {
    const file = fresh();
    expect(await runWriter(file, 'remove-wal-while-open')).toBe('written true');
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    const db = openDatabase(file).$client;
    expect((db.prepare('SELECT name FROM projects ORDER BY id').all() as { name: string }[]).map((r) => r.name)).toEqual(['first', 'after-removal', 'after-recreate']);
    db.close();
  }, 20_000);
});

describe('database health', () => {
  it('runs quick_check (in a worker) and reports a corrupted file', async () => {
    const file = populated();
    const db = openDatabase(file).$client;
    const h = dbHealth(db);
    await h.runQuickCheck();
    expect(h.status()).toMatchObject({ ok: true, quickCheck: 'ok', writeError: null });
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    for (let at = 8 * 4096; at < size - 4096; at += 4096) fs.writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, at);
    fs.closeSync(fd);
    await h.runQuickCheck();
    expect(h.status()).toMatchObject({ ok: false, quickCheck: 'failed' });
    expect(h.status().detail).toBeUndefined(); // the public view carries no error text
    expect(h.status({ detail: true }).detail).toBeTruthy();
    h.stop();
    db.close();
  });

  it('a storage error met by the app (disk full) turns it red until a write succeeds again', () => {
    const file = fresh();
    const db = openDatabase(file).$client;
    const h = dbHealth(db);
    // A full disk, as SQLite sees one: no page may be added.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const ins = db.prepare("INSERT INTO raw_emails (source, sha256, size, received_at, stored_at, status, headers) VALUES ('file', ?, 1, 1, 1, 'pending', ?)");
    expect(() => db.transaction(() => { for (let i = 0; i < 100; i++) ins.run(`h${i}`, 'x'.repeat(2000)); })()).toThrow(/full/);
    expect(h.status()).toMatchObject({ ok: false, writeError: { code: 'SQLITE_FULL' } });
    db.pragma(`max_page_count = ${pages * 100}`);
    expect(h.probe()).toBe(true);
    expect(h.status()).toMatchObject({ ok: true, writeError: null });
    h.stop();
    db.close();
  });

  it('a constraint error is the caller\'s business, not a storage fault', () => {
    const db = openDatabase(fresh()).$client;
    db.prepare("INSERT INTO projects (name) VALUES ('a')").run();
    expect(() => db.prepare("INSERT INTO projects (name) VALUES ('a')").run()).toThrow(/UNIQUE/);
    expect(dbHealth(db).status().writeError).toBeNull();
    dbHealth(db).stop();
    db.close();
  });
});
