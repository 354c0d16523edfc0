import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How soon a commit is copied from the WAL into the database file. */
export const WAL_GUARD_INTERVAL_MS = 100;

export interface WalGuardStatus {
  /** The -wal file vanished or was replaced while the database was open. */
  walLostAt: number | null;
  /** The connection has a fresh -wal file again (or was never without one). */
  recovered: boolean;
  lastError: string | null;
}

const guards = new WeakMap<Database.Database, WalGuard>();

/**
 * With journal_mode WAL a commit lives only in the -wal file until a checkpoint copies it into the
 * database file, and SQLite checkpoints only every 1000 pages: a -wal file removed after a crash
 * (or by hand while running) took every acknowledged write since. This guard checkpoints within
 * WAL_GUARD_INTERVAL_MS of any write on this connection, one checkpoint covering many commits. The
 * checkpoint (two fsyncs, 8-50 ms measured) runs on a worker thread's own connection, so the event
 * loop only notices the writes. When the -wal file disappears while open, this thread checkpoints
 * from its still-open handle at once and starts a new -wal file.
 */
class WalGuard {
  private readonly timer: NodeJS.Timeout;
  private readonly changes: Database.Statement;
  private lastChanges = -1;
  private pending = false;
  private inFlight = false;
  private ino: number | null = null;
  private worker: Worker | null = null;
  /** Set (shared memory) when the guard stops: the worker then never opens or checkpoints the file again. */
  private stopFlag: Int32Array | null = null;
  readonly status: WalGuardStatus = { walLostAt: null, recovered: true, lastError: null };

  constructor(
    private readonly sqlite: Database.Database,
    private readonly walFile: string,
    intervalMs: number,
  ) {
    this.changes = sqlite.prepare('SELECT total_changes()').pluck();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    this.worker = this.startWorker(); // started now: the first checkpoint must not wait for its start-up
  }

  /** Every write so far is in the database file (none waiting in the -wal file only). */
  settled(): boolean {
    return this.sqlite.open && !this.inFlight && !this.pending && this.status.recovered && this.changes.get() === this.lastChanges;
  }

  private startWorker(): Worker {
    this.stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const w = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { file: this.sqlite.name, driver: createRequire(import.meta.url).resolve('better-sqlite3'), stop: this.stopFlag } });
    w.unref();
    w.on('message', (r: { log?: number; checkpointed?: number; error?: string }) => {
      this.inFlight = false;
      if (r.error) {
        this.status.lastError = r.error;
        this.pending = true;
      } else if (r.log !== undefined) this.pending = r.log > 0 && (r.checkpointed ?? 0) < r.log;
    });
    w.on('error', (e) => {
      this.status.lastError = e.message;
      this.worker = null;
      this.inFlight = false;
    });
    return w;
  }

  /**
   * Asks the worker to close its connection and end. Never terminate() it: a worker terminated
   * while better-sqlite3 raises an error (the file just went away) aborts the whole process
   * (V8 "Empty MaybeLocal"), seen when a test closes a database and removes its directory.
   */
  private releaseWorker(): void {
    if (this.stopFlag) Atomics.store(this.stopFlag, 0, 1); // seen before any later checkpoint message
    this.worker?.postMessage('stop');
    this.worker = null;
    this.inFlight = false;
  }

  /** One pass of the timer. */
  tick(): void {
    if (!this.sqlite.open) {
      this.stop();
      return;
    }
    if (this.sqlite.inTransaction) return;
    try {
      const st = fs.statSync(this.walFile, { throwIfNoEntry: false });
      if (this.ino !== null && st?.ino !== this.ino) {
        this.walLost();
        return;
      }
      if (st) this.ino = st.ino;
      const n = this.changes.get() as number;
      if ((n !== this.lastChanges || this.pending) && !this.inFlight) {
        this.lastChanges = n;
        this.inFlight = true;
        (this.worker ??= this.startWorker()).postMessage('checkpoint');
      }
      this.status.lastError = null;
    } catch (e) {
      this.status.lastError = `${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim();
    }
  }

  /** On this thread, now: for the lost -wal case, and for callers that want a write on disk before answering. */
  checkpoint(): void {
    // PASSIVE never waits: a reader holding an old snapshot just leaves the rest for the next tick.
    const [r] = this.sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    this.pending = r.log > 0 && r.checkpointed < r.log;
  }

  private walLost(): void {
    if (this.status.walLostAt === null || this.status.recovered) this.status.walLostAt = Date.now();
    this.status.recovered = false;
    this.releaseWorker(); // its connection would keep SQLite from leaving WAL mode
    this.checkpoint(); // reads the frames through this connection's handle on the unlinked file
    // Leaving WAL mode and entering it again makes SQLite create a new -wal file; it needs every
    // other connection gone, so do not wait (busy_timeout 0) and retry on the next tick instead.
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number;
    try {
      this.sqlite.pragma('busy_timeout = 0');
      this.sqlite.pragma('journal_mode = DELETE');
      this.sqlite.pragma('journal_mode = WAL');
      this.sqlite.prepare('SELECT count(*) FROM sqlite_master').get(); // creates the new -wal now
      this.ino = fs.statSync(this.walFile, { throwIfNoEntry: false })?.ino ?? null;
      this.status.recovered = true;
      this.lastChanges = this.changes.get() as number;
    } catch (e) {
      this.status.lastError = `-wal file lost; every write is checkpointed at once until it can be recreated (${(e as Error).message})`;
      this.lastChanges = -1; // keep checkpointing each tick meanwhile
    } finally {
      this.sqlite.pragma(`busy_timeout = ${timeout}`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.releaseWorker();
  }
}

// An eval'd worker, so the esbuild bundle needs no second entry point. busy_timeout 0: a checkpoint
// that cannot proceed now is simply asked for again on the next tick.
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db = null;
parentPort.on('message', (m) => {
  if (m === 'stop' || Atomics.load(workerData.stop, 0) === 1) {
    try { if (db) db.close(); } catch {}
    parentPort.close();
    return;
  }
  try {
    if (!db) {
      db = new Database(workerData.file, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
    }
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(r);
  } catch (e) {
    parentPort.postMessage({ error: ((e.code || '') + ' ' + e.message).trim() });
  }
});
`;

export function guardWal(sqlite: Database.Database, intervalMs = WAL_GUARD_INTERVAL_MS): void {
  if (guards.has(sqlite)) return;
  const guard = new WalGuard(sqlite, `${sqlite.name}-wal`, intervalMs);
  guards.set(sqlite, guard);
  const close = sqlite.close.bind(sqlite);
  sqlite.close = () => {
    guard.stop(); // the checkpoint worker's connection goes with this one
    return close();
  };
}

/** Copies committed writes into the database file now (after a person-made write, before answering). */
export function checkpointNow(sqlite: Database.Database): void {
  guards.get(sqlite)?.checkpoint();
}

export function walGuardSettled(sqlite: Database.Database): boolean {
  return guards.get(sqlite)?.settled() ?? false;
}

export function walGuardStatus(sqlite: Database.Database): WalGuardStatus | null {
  return guards.get(sqlite)?.status ?? null;
}
