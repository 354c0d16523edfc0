import { createRequire } from 'node:module';
import type { DbHealthStatus, StoreHealth } from '../health.ts';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { walGuardStatus } from './wal-guard.ts';

/** Errors that mean the storage itself is failing (not a constraint or a busy lock). */
const STORAGE_ERROR = /^SQLITE_(FULL|IOERR|CORRUPT|READONLY|NOTADB|CANTOPEN)/;

export interface DbHealthOptions {
  /** How often `PRAGMA quick_check` runs (in a worker thread: it reads the whole file). */
  quickCheckMs?: number;
  /** How often a one-row write proves the file still takes writes (and clears a past write error). */
  probeMs?: number;
  now?: () => number;
}

/** quick_check's verdict: null when fine, else its first lines. */
export function quickCheck(sqlite: Database.Database, maxErrors = 10): string | null {
  const rows = sqlite.pragma(`quick_check(${maxErrors})`) as { quick_check: string }[];
  const lines = rows.map((r) => r.quick_check);
  return lines.length === 1 && lines[0] === 'ok' ? null : lines.join('; ');
}

// quick_check reads every page (about 1 s per 150 MB): a worker with its own read-only connection
// keeps the event loop free. An eval'd worker, so the esbuild bundle needs no second entry point.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let out;
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const rows = db.pragma('quick_check(10)').map((r) => r.quick_check);
  db.close();
  out = rows.length === 1 && rows[0] === 'ok' ? { ok: true } : { ok: false, detail: rows.join('; ') };
} catch (e) {
  out = { ok: false, busy: e.code === 'SQLITE_BUSY', detail: ((e.code || '') + ' ' + e.message).trim() };
}
parentPort.postMessage(out);
`;

function quickCheckInWorker(file: string): Promise<{ ok: boolean; busy?: boolean; detail?: string }> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    w.once('message', (m) => resolve(m));
    w.once('error', (e) => resolve({ ok: false, detail: e.message }));
    w.once('exit', (code) => resolve({ ok: false, detail: `quick_check worker exited with ${code}` }));
  });
}

/** Database health for /healthz: a periodic quick_check, a write probe and the storage errors seen. */
export class DbHealth implements StoreHealth {
  private check: { state: 'pending' | 'ok' | 'failed'; at: number | null; detail?: string } = { state: 'pending', at: null };
  private writeError: { code: string; at: number; message: string } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly probeStmt: Database.Statement;
  private readonly ping: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly opts: DbHealthOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.ping = sqlite.prepare('SELECT 1');
    this.probeStmt = sqlite.prepare("INSERT INTO counters (name, value) VALUES ('health.probe', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  }

  /** Starts the periodic checks (idempotent); the first quick_check runs at once. */
  start(): this {
    if (this.timers.length) return this;
    const every = (ms: number, f: () => unknown) => {
      const t = setInterval(() => (this.sqlite.open ? f() : this.stop()), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.quickCheckMs ?? 15 * 60_000, () => this.runQuickCheck());
    every(this.opts.probeMs ?? 30_000, () => this.probe());
    void this.runQuickCheck();
    return this;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Feeds an error the app met on this database; storage failures turn health red. */
  recordError(e: unknown): void {
    const code = (e as { code?: unknown })?.code;
    if (typeof code === 'string' && STORAGE_ERROR.test(code)) this.writeError = { code, at: this.now(), message: (e as Error).message };
  }

  /** A one-row write; success clears a storage error recorded before it. */
  probe(): boolean {
    if (!this.sqlite.open || this.sqlite.inTransaction) return true;
    const started = this.now();
    // Never wait for another process's write lock on the event loop: busy means "try next time".
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number;
    try {
      this.sqlite.pragma('busy_timeout = 0');
      this.probeStmt.run(started);
      if (this.writeError && this.writeError.at <= started) this.writeError = null;
      return true;
    } catch (e) {
      this.recordError(e);
      return (e as { code?: string }).code?.startsWith('SQLITE_BUSY') ?? false;
    } finally {
      this.sqlite.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** Runs quick_check now (at most one at a time) and records the verdict. */
  runQuickCheck(): Promise<void> {
    if (this.running) return this.running;
    const file = this.sqlite.name;
    const memory = !file || file === ':memory:';
    this.running = (memory ? Promise.resolve(this.inline()) : quickCheckInWorker(file))
      .then((r) => {
        if (r.busy) return; // a long write held the file: keep the last verdict, try next time
        this.check = r.ok ? { state: 'ok', at: this.now() } : { state: 'failed', at: this.now(), detail: r.detail };
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private inline(): { ok: boolean; busy?: boolean; detail?: string } {
    try {
      const bad = quickCheck(this.sqlite);
      return bad ? { ok: false, detail: bad } : { ok: true };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }

  /** Cheap (a cached verdict and one `SELECT 1`); starts the checks on first use. `detail` adds error texts (not for public views). */
  status(opts: { detail?: boolean } = {}): DbHealthStatus {
    this.start();
    const wal = walGuardStatus(this.sqlite);
    const walLost = wal ? !wal.recovered : false;
    let reachable = this.sqlite.open;
    try {
      if (reachable) this.ping.get();
    } catch (e) {
      this.recordError(e);
      reachable = false;
    }
    const ok = reachable && this.check.state !== 'failed' && !this.writeError && !walLost;
    const out: DbHealthStatus = {
      ok,
      quickCheck: this.check.state,
      checkedAt: this.check.at === null ? null : new Date(this.check.at).toISOString(),
      writeError: this.writeError ? { code: this.writeError.code, at: new Date(this.writeError.at).toISOString() } : null,
      walLost,
    };
    if (opts.detail) out.detail = [this.check.detail, this.writeError?.message, wal?.lastError].filter(Boolean).join('; ') || undefined;
    return out;
  }
}

const healths = new WeakMap<Database.Database, DbHealth>();

/** The health monitor of a connection (one per connection, made on first use). */
export function dbHealth(sqlite: Database.Database, opts?: DbHealthOptions): DbHealth {
  let h = healths.get(sqlite);
  if (!h) healths.set(sqlite, (h = new DbHealth(sqlite, opts)));
  return h;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Every statement, exec, pragma and transaction on this connection reports storage errors to its
 * health monitor, so a disk-full or I/O error met anywhere in the app turns /healthz red without
 * each caller having to remember it.
 */
export function observeErrors(sqlite: Database.Database): void {
  const seen = (e: unknown) => {
    dbHealth(sqlite).recordError(e);
    return e;
  };
  const guard = <F extends Fn>(f: F, self: unknown): F =>
    function (this: unknown, ...args: unknown[]) {
      try {
        return f.apply(self ?? this, args);
      } catch (e) {
        throw seen(e);
      }
    } as F;
  const db = sqlite as unknown as Record<string, Fn>;
  const prepare = guard(db.prepare, sqlite);
  db.prepare = (...args: unknown[]) => {
    const stmt = prepare(...args) as Record<string, Fn>;
    for (const m of ['run', 'get', 'all']) stmt[m] = guard(stmt[m], stmt);
    return stmt;
  };
  db.exec = guard(db.exec, sqlite);
  db.pragma = guard(db.pragma, sqlite);
  const transaction = db.transaction.bind(sqlite);
  db.transaction = (fn: unknown) => {
    const tx = transaction(fn) as Fn & Record<string, Fn>;
    const wrapped = guard(tx, null) as Fn & Record<string, Fn>;
    for (const v of ['deferred', 'immediate', 'exclusive']) wrapped[v] = guard(tx[v], null);
    wrapped.default = wrapped;
    return wrapped;
  };
}
