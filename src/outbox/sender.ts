import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { backoffDelayMs } from '../daemon/backoff.ts';
import type { NotificationRow } from '../db/outbox-schema.ts';
import type { NotificationCounts, NotificationStore } from '../db/outbox-store.ts';
import type { Logger } from '../logger.ts';
import { createTransport, describeSmtpError, isServerError, type SmtpConfig } from './transport.ts';

export interface NotificationHealth extends NotificationCounts {
  /** null: no SMTP configured (notifications stay queued). */
  smtp: { ok: boolean; error: string | null; checkedAt: number | null } | null;
}

export interface SenderSettings {
  smtp: () => SmtpConfig | undefined;
  maxAttempts: () => number;
  /** First retry delay; doubles up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called for each accepted email with the time from queueing to acceptance. */
  onSent?: (row: NotificationRow, latencyMs: number) => void;
  clock?: () => number;
}

/** `<n17.3f9a…@domain>`: fixed by the row, so a resend after a crash repeats the same Message-ID. */
export function messageIdFor(row: Pick<NotificationRow, 'id' | 'key'>, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'centralizer.local';
  return `<n${row.id}.${createHash('sha256').update(row.key).digest('hex').slice(0, 16)}@${domain}>`;
}

/**
 * Sends the notification outbox over SMTP. A message-level refusal counts an attempt against the
 * row (given up after maxAttempts, kept as failed with its error); a server-level failure
 * (unreachable, login refused) pauses the whole queue with backoff and costs the rows nothing, so
 * an SMTP outage of any length loses no notification.
 */
export class NotificationSender {
  private transport: Transporter | null = null;
  private transportFor: SmtpConfig | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private pausedUntil = 0;
  private serverFailures = 0;
  private smtpState: { ok: boolean; error: string | null; checkedAt: number | null } = { ok: false, error: null, checkedAt: null };
  private readonly clock: () => number;

  constructor(
    private readonly store: NotificationStore,
    private readonly settings: SenderSettings,
    private readonly log: Logger,
  ) {
    this.clock = settings.clock ?? Date.now;
  }

  private transportNow(): { t: Transporter; smtp: SmtpConfig } | null {
    const smtp = this.settings.smtp();
    if (!smtp) return null;
    if (this.transportFor !== smtp) {
      this.transport?.close();
      this.transport = createTransport(smtp);
      this.transportFor = smtp;
    }
    return { t: this.transport!, smtp };
  }

  /** The startup check: logs a clear error and answers false; never throws. */
  async verify(): Promise<boolean> {
    const c = this.transportNow();
    if (!c) {
      this.log.warn('no smtp configured: notification emails stay queued in the outbox');
      return false;
    }
    try {
      await c.t.verify();
      this.smtpState = { ok: true, error: null, checkedAt: this.clock() };
      this.log.info({ host: c.smtp.host, port: c.smtp.port }, 'smtp ready');
      return true;
    } catch (e) {
      const error = describeSmtpError(e, c.smtp);
      this.smtpState = { ok: false, error, checkedAt: this.clock() };
      this.log.error({ err: error }, 'smtp check failed; notifications stay queued and are sent once it works');
      return false;
    }
  }

  /** Sends what is due; a call during a run schedules one more run right after. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sendDue()
      .catch((e) => this.log.error({ err: (e as Error).message }, 'notification sender'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.tick();
        }
      });
    return this.running;
  }

  /** Wakes the sender now (a lead was just committed). */
  kick(): void {
    void this.tick();
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const now = this.clock();
      if (now < this.pausedUntil) return;
      const c = this.transportNow();
      if (!c) return;
      const due = this.store.due(now, 20);
      if (!due.length) return;
      const results = await Promise.all(due.map((row) => this.sendOne(c.t, c.smtp, row)));
      if (results.includes('server')) return;
    }
  }

  private async sendOne(t: Transporter, smtp: SmtpConfig, row: NotificationRow): Promise<'sent' | 'message' | 'server'> {
    const from = row.sender ?? smtp.from;
    const attempts = row.attempts + 1;
    try {
      await t.sendMail({
        from, to: row.recipient, subject: row.subject, text: row.text, html: row.html ?? undefined, messageId: messageIdFor(row, smtp.from),
        headers: { ...(row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {}), 'X-Centralizer-Notification': `${row.kind}/${row.id}` },
      });
      const now = this.clock();
      this.store.markSent(row.id, attempts, now);
      this.serverFailures = 0;
      this.smtpState = { ok: true, error: null, checkedAt: now };
      this.settings.onSent?.(row, now - row.createdAt);
      return 'sent';
    } catch (e) {
      const error = describeSmtpError(e, smtp);
      const now = this.clock();
      if (isServerError(e)) {
        const delay = backoffDelayMs(this.serverFailures++, { baseMs: this.settings.retryBaseMs ?? 2000, maxMs: this.settings.retryMaxMs ?? 5 * 60_000 });
        this.pausedUntil = Math.max(this.pausedUntil, now + delay);
        if (this.smtpState.ok || this.smtpState.error !== error) this.log.error({ err: error, retryInMs: delay }, 'smtp unavailable; notifications wait in the outbox');
        this.smtpState = { ok: false, error, checkedAt: now };
        // A fresh pool next time: a pool that saw its connections refused may hold on to them.
        this.transport?.close();
        this.transportFor = null;
        return 'server';
      }
      const giveUp = attempts >= this.settings.maxAttempts();
      const next = now + backoffDelayMs(attempts - 1, { baseMs: this.settings.retryBaseMs ?? 2000, maxMs: this.settings.retryMaxMs ?? 10 * 60_000 });
      this.store.markFailed(row.id, attempts, error, next, giveUp);
      this.log.warn({ notification: row.id, kind: row.kind, attempts, failed: giveUp, err: error }, 'notification refused');
      return 'message';
    }
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.transport?.close();
    this.transport = null;
    this.transportFor = null;
  }

  health(): NotificationHealth {
    return { ...this.store.counts(), smtp: this.settings.smtp() ? this.smtpState : null };
  }
}
