import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Transporter } from 'nodemailer';
import { backoffDelayMs } from '../backoff.ts';
import type { NotificationRow } from '../db/outbox-schema.ts';
import type { NotificationStore } from './notification-store.ts';
import type { Logger } from '../logger.ts';
import { createTransport, describeSmtpError, isServerError, type SmtpConfig } from './transport.ts';
import type { NotificationCounts } from '../db/people-reads.ts';

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
  /**
   * While the queue waits for an unreachable server, how often it is probed (a connect, EHLO and
   * login, no message): the first probe that answers releases the queue at once, whatever the
   * backoff. Default 3 s. A refused login is not probed faster than the backoff (no lockouts).
   */
  probeMs?: number;
  /**
   * How long a taken notification is kept from the other daemons sharing the database (and from
   * this one after a crash). 0 on SQLite, where one daemon holds the database.
   */
  claimMs?: number;
  /** Called for each accepted email with the time from queueing to acceptance. */
  onSent?: (row: NotificationRow, latencyMs: number) => void;
  clock?: () => number;
}

type SmtpState = { ok: boolean; error: string | null; checkedAt: number | null };

/** Events of the sender, for tests and callers that wait on them. */
export interface SenderEvents {
  /** A row the server accepted (recorded as sent). */
  sent: [id: number];
  /** A row the server refused (an attempt counted). */
  refused: [id: number];
  /** The SMTP state changed. */
  smtp: [state: SmtpState];
  /** A probe of a paused queue ended. */
  probe: [ok: boolean];
}

/** `<n17.3f9a…@domain>`: fixed by the row, so a resend after a crash repeats the same Message-ID. */
export function messageIdFor(row: Pick<NotificationRow, 'id' | 'key'>, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'centralizer.local';
  return `<n${row.id}.${createHash('sha256').update(row.key).digest('hex').slice(0, 16)}@${domain}>`;
}

/** An SMTP reply often quotes the recipient (`550 <camila@…> unknown`): the log gets it without addresses (the row keeps it whole). */
const scrub = (s: string) => s.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>');

const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

/**
 * Sends the notification outbox over SMTP. A message-level refusal counts an attempt against the
 * row (given up after maxAttempts, kept as failed with its error); a server-level failure
 * (unreachable, login refused) pauses the whole queue with backoff and costs the rows nothing, so
 * an SMTP outage of any length loses no notification. While paused, the server is probed every
 * `probeMs`; the first probe that answers resumes sending at once.
 *
 * At most one duplicate per crash: one message is in flight at a time, per daemon (and one daemon
 * per database, by the lease). A row becomes `sent` in the database right after the server's 250
 * and before the next row is taken; the transport has one pooled connection and is never handed a
 * second message. So a kill -9 at any moment leaves at most one row whose email the server may have
 * accepted but that is still `pending`: that one email is sent again at the next start, with the
 * same Message-ID. Notification volume is a few emails per lead, far below what one connection
 * carries, so nothing is lost by not sending in parallel.
 */
export class NotificationSender {
  readonly events = new EventEmitter<SenderEvents>();
  private transport: Transporter | null = null;
  private transportFor: SmtpConfig | null = null;
  /** The config the pause applies to: a reload with another smtp block ends the pause. */
  private pausedFor: SmtpConfig | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private pausedUntil = 0;
  private probeAt = 0;
  private serverFailures = 0;
  private inFlight = 0;
  private smtpState: SmtpState = { ok: false, error: null, checkedAt: null };
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

  private setSmtp(state: SmtpState): void {
    const changed = state.ok !== this.smtpState.ok || state.error !== this.smtpState.error;
    this.smtpState = state;
    if (changed) this.events.emit('smtp', state);
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
      this.setSmtp({ ok: true, error: null, checkedAt: this.clock() });
      this.log.info({ host: c.smtp.host, port: c.smtp.port }, 'smtp ready');
      return true;
    } catch (e) {
      const error = describeSmtpError(e, c.smtp);
      this.setSmtp({ ok: false, error, checkedAt: this.clock() });
      this.log.error({ err: scrub(error) }, 'smtp check failed; notifications stay queued and are sent once it works');
      return false;
    }
  }

  /** Sends what is due; a call during a run schedules one more run right after. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // Counts read before and after each round: health answers from them without a query.
    this.running = this.store.refresh()
      .then(() => this.sendDue())
      .then(() => this.store.refresh())
      .then(() => undefined)
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

  /** Messages handed to the transport and not yet answered: 0 or 1, never more. */
  get sending(): number {
    return this.inFlight;
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const c = this.transportNow();
      if (!c) return;
      if (this.pausedFor !== null && this.pausedFor !== c.smtp) this.resume(); // a reload changed the smtp block
      if (this.clock() < this.pausedUntil && !(await this.probe(c.t, c.smtp))) return;
      // One row at a time (see the class comment): taken, sent, recorded, then the next.
      const row = await this.store.claim(this.clock(), this.settings.claimMs ?? 0);
      if (!row) return;
      if ((await this.sendOne(c.t, c.smtp, row)) === 'server') return;
    }
  }

  /** While paused: true when a due probe found the server answering (the pause is then over). */
  private async probe(t: Transporter, smtp: SmtpConfig): Promise<boolean> {
    if (this.clock() < this.probeAt) return false;
    try {
      await t.verify();
    } catch (e) {
      const error = describeSmtpError(e, smtp);
      this.probeAt = this.nextProbe(e);
      if (error !== this.smtpState.error) this.log.error({ err: scrub(error) }, 'smtp still unavailable; notifications wait in the outbox');
      this.setSmtp({ ok: false, error, checkedAt: this.clock() });
      this.events.emit('probe', false);
      return false;
    }
    this.log.info({ host: smtp.host, port: smtp.port }, 'smtp answers again; sending the queued notifications');
    this.resume();
    this.events.emit('probe', true);
    return true;
  }

  private resume(): void {
    this.pausedUntil = 0;
    this.probeAt = 0;
    this.serverFailures = 0;
    this.pausedFor = null;
  }

  /** A refused login waits for the backoff (probing it every few seconds could lock the account); anything else is probed soon. */
  private nextProbe(e: unknown): number {
    const code = (e as { code?: string }).code ?? '';
    return AUTH_CODES.has(code) ? this.pausedUntil : this.clock() + (this.settings.probeMs ?? 3000);
  }

  private async sendOne(t: Transporter, smtp: SmtpConfig, row: NotificationRow): Promise<'sent' | 'message' | 'server'> {
    const from = row.sender ?? smtp.from;
    const attempts = row.attempts + 1;
    if (this.inFlight > 0) throw new Error('a second notification in flight'); // the guarantee above, enforced
    this.inFlight++;
    let failure: unknown = null;
    // A row may carry its own Message-ID (a case's reply, stored in the thread before it is sent).
    const { 'Message-ID': ownId, ...headers } = row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {};
    try {
      await t.sendMail({
        from, to: row.recipient, subject: row.subject, text: row.text, html: row.html ?? undefined, messageId: ownId ?? messageIdFor(row, smtp.from),
        headers: { ...headers, 'X-Centralizer-Notification': `${row.kind}/${row.id}` },
      });
    } catch (e) {
      failure = e ?? new Error('send failed');
    } finally {
      this.inFlight--;
    }
    const now = this.clock();
    if (failure === null) {
      await this.store.markSent(row.id, attempts, now); // before the next row is taken
      this.serverFailures = 0;
      this.setSmtp({ ok: true, error: null, checkedAt: now });
      this.log.info({ notification: row.id, kind: row.kind, attempts, ms: now - row.createdAt }, 'notification sent');
      this.settings.onSent?.(row, now - row.createdAt);
      this.events.emit('sent', row.id);
      return 'sent';
    }
    const error = describeSmtpError(failure, smtp);
    if (isServerError(failure)) {
      const delay = backoffDelayMs(this.serverFailures++, { baseMs: this.settings.retryBaseMs ?? 2000, maxMs: this.settings.retryMaxMs ?? 5 * 60_000 });
      this.pausedUntil = Math.max(this.pausedUntil, now + delay);
      this.pausedFor = smtp;
      this.probeAt = this.nextProbe(failure);
      if (this.smtpState.ok || this.smtpState.error !== error) this.log.error({ err: scrub(error), retryInMs: delay }, 'smtp unavailable; notifications wait in the outbox');
      // A fresh pool next time: a pool that saw its connections refused may hold on to them.
      // Nothing else is queued in it (one message at a time), so closing it fails no other send.
      this.transport?.close();
      this.transportFor = null;
      this.setSmtp({ ok: false, error, checkedAt: now });
      // The server's fault, not the message's: no attempt counted, and a claim (PostgreSQL's lease
      // on the row) is handed back, so the row goes first once the server answers, not a minute later.
      if ((this.settings.claimMs ?? 0) > 0) await this.store.markFailed(row.id, row.attempts, error, row.nextAttemptAt, false);
      return 'server';
    }
    const giveUp = attempts >= this.settings.maxAttempts();
    const next = now + backoffDelayMs(attempts - 1, { baseMs: this.settings.retryBaseMs ?? 2000, maxMs: this.settings.retryMaxMs ?? 10 * 60_000 });
    await this.store.markFailed(row.id, attempts, error, next, giveUp);
    this.log.warn({ notification: row.id, kind: row.kind, attempts, failed: giveUp, err: scrub(error) }, 'notification refused');
    this.events.emit('refused', row.id);
    return 'message';
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
