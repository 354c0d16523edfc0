import type pg from 'pg';
import type { DbHealthStatus, StoreHealth } from '../health.ts';

/**
 * PostgreSQL health for /healthz: a `select 1` every few seconds (the server's own checks cover
 * corruption, so there is no quick_check here); the last verdict is answered without waiting.
 */
export class PgHealth implements StoreHealth {
  private last: { ok: boolean; at: number | null; error: string | null } = { ok: true, at: null, error: null };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly everyMs = 10_000,
  ) {}

  start(): this {
    if (this.timer) return this;
    void this.ping();
    this.timer = setInterval(() => void this.ping(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('select 1');
      this.last = { ok: true, at: Date.now(), error: null };
    } catch (e) {
      this.last = { ok: false, at: Date.now(), error: (e as Error).message };
    }
    return this.last.ok;
  }

  status(opts: { detail?: boolean } = {}): DbHealthStatus {
    this.start();
    const out: DbHealthStatus = {
      ok: this.last.ok,
      quickCheck: this.last.at === null ? 'pending' : this.last.ok ? 'ok' : 'failed',
      checkedAt: this.last.at === null ? null : new Date(this.last.at).toISOString(),
      writeError: null,
      walLost: false,
    };
    if (opts.detail && this.last.error) out.detail = this.last.error;
    return out;
  }
}
