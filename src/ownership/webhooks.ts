import { createHmac } from 'node:crypto';
import { io, type Storage } from '../db/port.ts';
import { backoffDelayMs } from '../backoff.ts';
import type { Logger } from '../logger.ts';

export const SIGNATURE_HEADER = 'x-centralizer-signature';

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookHealth {
  pending: number;
  failed: number;
  lastError: string | null;
}

/**
 * Delivers the webhook outbox: POST JSON signed with an HMAC of the body, retried with backoff,
 * given up after maxAttempts (kept as `failed`, visible in /healthz).
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastHealth: WebhookHealth = { pending: 0, failed: 0, lastError: null };

  constructor(
    private readonly store: Storage,
    private readonly settings: () => { secret?: string; timeoutMs: number; maxAttempts: number },
    private readonly log: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends every delivery due at `now`; one tick at a time. */
  tick(now = Date.now()): Promise<void> {
    this.running ??= this.sendDue(now).finally(() => (this.running = null));
    return this.running;
  }

  private async sendDue(now: number): Promise<void> {
    // Claimed for a minute: another daemon sharing the database skips them (a crash: they are due again after it).
    const due = await this.store.unitOfWork((tx) => io(tx.claimWebhooks(now, 50, this.store.engine === 'postgres' ? 60_000 : 0)));
    const { secret, timeoutMs, maxAttempts } = this.settings();
    for (const d of due) {
      let error: string | null = null;
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-centralizer-delivery': String(d.id) };
        if (secret) headers[SIGNATURE_HEADER] = sign(d.body, secret);
        const res = await this.fetchImpl(d.url, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      const attempts = d.attempts + 1;
      if (!error) {
        await this.store.unitOfWork((tx) => io(tx.updateWebhook(d.id, { status: 'sent', attempts, lastError: null })));
        continue;
      }
      const failed = attempts >= maxAttempts;
      const patch = { status: failed ? ('failed' as const) : ('pending' as const), attempts, lastError: error, nextAttemptAt: now + backoffDelayMs(attempts - 1, { baseMs: 2000, maxMs: 10 * 60_000 }) };
      await this.store.unitOfWork((tx) => io(tx.updateWebhook(d.id, patch)));
      this.log.warn({ delivery: d.id, attempts, failed, err: error }, 'webhook delivery failed');
    }
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.tick().catch((e) => this.log.error({ err: (e as Error).message }, 'webhook sender')), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Synchronous for /healthz; over an asynchronous store it answers with the counts last read. */
  health(): WebhookHealth {
    const rows = this.store.webhookCounts();
    if (rows instanceof Promise) {
      void rows.then((r) => (this.lastHealth = summarize(r)), () => undefined);
      return this.lastHealth;
    }
    return (this.lastHealth = summarize(rows));
  }
}

function summarize(rows: { status: string; n: number; lastError: string | null }[]): WebhookHealth {
  const get = (s: string) => rows.find((r) => r.status === s);
  return { pending: get('pending')?.n ?? 0, failed: get('failed')?.n ?? 0, lastError: get('failed')?.lastError ?? get('pending')?.lastError ?? null };
}
