import { createHmac } from 'node:crypto';
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { webhookDeliveries } from '../db/schema.ts';
import { backoffDelayMs } from '../daemon/backoff.ts';
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

  constructor(
    private readonly db: Db,
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
    const due = this.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(50)
      .all();
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
        this.db.update(webhookDeliveries).set({ status: 'sent', attempts, lastError: null }).where(eq(webhookDeliveries.id, d.id)).run();
        continue;
      }
      const failed = attempts >= maxAttempts;
      this.db
        .update(webhookDeliveries)
        .set({ status: failed ? 'failed' : 'pending', attempts, lastError: error, nextAttemptAt: now + backoffDelayMs(attempts - 1, { baseMs: 2000, maxMs: 10 * 60_000 }) })
        .where(eq(webhookDeliveries.id, d.id))
        .run();
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

  health(): WebhookHealth {
    const rows = this.db
      .select({ status: webhookDeliveries.status, n: sql<number>`count(*)`, lastError: sql<string | null>`max(${webhookDeliveries.lastError})` })
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.status} <> 'sent'`)
      .groupBy(webhookDeliveries.status)
      .all();
    const get = (s: string) => rows.find((r) => r.status === s);
    return { pending: get('pending')?.n ?? 0, failed: get('failed')?.n ?? 0, lastError: get('failed')?.lastError ?? get('pending')?.lastError ?? null };
  }
}
