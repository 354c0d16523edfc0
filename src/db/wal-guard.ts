import fs from 'node:fs';
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
 * WAL_GUARD_INTERVAL_MS of any write on this connection (measured: no throughput cost at ingest rates,
 * since one checkpoint covers many commits), and when the -wal file disappears while open it
 * checkpoints from the still-open handle at once and starts a new -wal file.
 */
class WalGuard {
  private readonly timer: NodeJS.Timeout;
  private readonly changes: Database.Statement;
  private lastChanges = -1;
  private pending = false;
  private ino: number | null = null;
  readonly status: WalGuardStatus = { walLostAt: null, recovered: true, lastError: null };

  constructor(
    private readonly sqlite: Database.Database,
    private readonly walFile: string,
    intervalMs: number,
  ) {
    this.changes = sqlite.prepare('SELECT total_changes()').pluck();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** One pass; also called right after a person-made write when the caller wants it on disk now. */
  tick(): void {
    if (!this.sqlite.open) {
      clearInterval(this.timer);
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
      if (n !== this.lastChanges || this.pending) {
        this.lastChanges = n;
        this.checkpoint();
      }
      this.status.lastError = null;
    } catch (e) {
      this.status.lastError = `${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim();
    }
  }

  private checkpoint(): void {
    // PASSIVE never waits: a reader holding an old snapshot just leaves the rest for the next tick.
    const [r] = this.sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    this.pending = r.log > 0 && r.checkpointed < r.log;
  }

  private walLost(): void {
    if (this.status.walLostAt === null || this.status.recovered) this.status.walLostAt = Date.now();
    this.status.recovered = false;
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
  }
}

export function guardWal(sqlite: Database.Database, intervalMs = WAL_GUARD_INTERVAL_MS): void {
  if (guards.has(sqlite)) return;
  guards.set(sqlite, new WalGuard(sqlite, `${sqlite.name}-wal`, intervalMs));
}

/** Copies committed writes into the database file now (after a person-made write, before answering). */
export function checkpointNow(sqlite: Database.Database): void {
  guards.get(sqlite)?.tick();
}

export function walGuardStatus(sqlite: Database.Database): WalGuardStatus | null {
  return guards.get(sqlite)?.status ?? null;
}
