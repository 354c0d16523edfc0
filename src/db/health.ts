/** The storage's health as /healthz shows it: SQLite's checks, or PostgreSQL's ping. */
export interface DbHealthStatus {
  ok: boolean;
  quickCheck: 'pending' | 'ok' | 'failed';
  checkedAt: string | null;
  /** The last storage error the app hit (SQLITE_FULL, SQLITE_IOERR…), until a later write succeeds. */
  writeError: { code: string; at: string } | null;
  /** The -wal file vanished while open and a new one could not be made yet. */
  walLost: boolean;
  detail?: string;
}

/** The health monitor of a store (`Storage.health()`), for callers outside src/db (they never see the driver). */
export interface StoreHealth {
  start(): unknown;
  stop(): void;
  status(opts?: { detail?: boolean }): DbHealthStatus;
}
