import type { LeaseFence } from '../db/port.ts';
import { ImapFlow } from 'imapflow';
import cron from 'node-cron';
import type { App } from '../app.ts';
import type { MailboxConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { isMailAuthError } from '../mail-auth/errors.ts';
import { hintFor } from '../mail-auth/providers.ts';
import { encryptedRefreshTokens } from '../mail-auth/refresh-tokens.ts';
import { accessTokenFor, invalidateToken, type TokenContext } from '../mail-auth/token-source.ts';
import { authFailureDelayMs, backoffDelayMs, type AuthBackoff, type BackoffOptions } from '../backoff.ts';
import type { MailboxHealth } from '../health-report.ts';
import { syncMailbox } from './mailbox-sync.ts';
import { SerialRunner } from './serial-runner.ts';

export interface WorkerOptions {
  app: App;
  mailbox: MailboxConfig;
  log: Logger;
  backoff?: BackoffOptions;
  /** The slow schedule after a refused login (default 5-30 min for passwords, 1-30 min for OAuth2). */
  authBackoff?: AuthBackoff;
  /** The mailbox lease every stored batch is fenced by (daemons sharing a database). */
  fence?: () => LeaseFence | null;
}

const OAUTH_AUTH_BACKOFF: AuthBackoff = { minMs: 60_000, maxMs: 30 * 60_000 };

const STOP_WAIT_MS = 3_000;
const LOGOUT_WAIT_MS = 2_000;
const OPEN_DEADLINE_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** An error as one line for health and logs: IMAP's response text when there is one, never credentials. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; responseText?: string; code?: string };
  const text = e?.responseText || e?.message || String(err);
  return e?.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}

/**
 * One mailbox: one IMAP connection (a new ImapFlow per connect: an instance cannot be reused after
 * close), catch-up on connect, then IDLE; a cron tick and a watchdog also ask for a catch-up, and
 * the SerialRunner keeps them from overlapping. Reconnects forever with backoff. Independent of
 * every other mailbox: nothing here waits on another worker.
 */
export class MailboxWorker {
  readonly name: string;
  private readonly log: Logger;
  private readonly runner: SerialRunner;
  private client: ImapFlow | null = null;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private attempt = 0;
  private authAttempt = 0;
  private progressAt = Date.now();
  /** Why the current connection ended, when we know (socket error, watchdog, failed catch-up). */
  private closeReason: string | null = null;
  private readonly startedAt = Date.now();
  private h: Omit<MailboxHealth, 'name' | 'stale'> = { state: 'starting', connected: false, lastSuccessAt: null, lastError: null, messagesBehind: null, nextRetryAt: null };
  /** OAuth2: where tokens come from, the one handed to the last login, and whether a refused one was already replaced. */
  private readonly tokens: TokenContext;
  private lastToken: string | undefined;
  private tokenRetried = false;

  constructor(private readonly opts: WorkerOptions) {
    this.name = opts.mailbox.name;
    this.log = opts.log.child({ mailbox: this.name });
    this.runner = new SerialRunner(() => this.sync(), (err) => this.syncFailed(err));
    const m = opts.mailbox;
    this.tokens = { mailbox: m.name, user: m.user, refreshTokens: m.auth?.grant === 'refresh_token' ? encryptedRefreshTokens(opts.app.store) : undefined };
    Object.assign(this.h, { auth: m.auth ? `oauth2:${m.auth.provider}` : 'password', authError: null });
  }

  start(): void {
    this.loopDone = this.loop();
  }

  /** Asks for a catch-up now; resolves when one that started after this call has finished. */
  catchUp(): Promise<void> {
    return this.runner.request();
  }

  health(now = Date.now()): MailboxHealth {
    const since = this.h.lastSuccessAt ?? this.startedAt;
    const staleMs = this.opts.app.config.daemon.staleAfterSeconds * 1000;
    return { name: this.name, ...this.h, stale: this.h.state !== 'stopped' && now - since > staleMs };
  }

  /** Stops scheduling, lets the catch-up in flight end (a stored batch is one unit of work, never cut), logs out. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.runner.stop();
      this.wake?.();
      await Promise.race([this.runner.idle(), sleep(STOP_WAIT_MS)]);
      const c = this.client;
      if (c && c.usable) await Promise.race([c.logout().catch(() => {}), sleep(LOGOUT_WAIT_MS)]);
      c?.close();
      await Promise.race([this.loopDone, sleep(LOGOUT_WAIT_MS)]);
    }
    Object.assign(this.h, { state: 'stopped', connected: false, nextRetryAt: null });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let delay: number;
      try {
        await this.session();
        if (this.stopped) break;
        delay = backoffDelayMs(this.attempt++, this.opts.backoff);
      } catch (err) {
        if (this.stopped) break;
        const oauth = this.opts.mailbox.auth;
        const refused = (err as { authenticationFailed?: boolean }).authenticationFailed === true;
        if (oauth && refused && !this.tokenRetried) {
          // The server refused the token (revoked, or expired early): one new token, one retry, at once.
          this.tokenRetried = true;
          invalidateToken(oauth, this.tokens, this.lastToken);
          this.log.warn('IMAP server refused the OAuth2 token; fetching a new one and retrying once');
          continue;
        }
        if (refused || (isMailAuthError(err) && err.permanent)) {
          // Slow retries: a wrong password must not hammer the server or get the account locked,
          // nor a refused grant the token endpoint. Other mailboxes are not affected.
          delay = authFailureDelayMs(this.authAttempt++, Math.random, this.opts.authBackoff ?? (oauth ? OAUTH_AUTH_BACKOFF : undefined));
          this.h.state = 'auth_failed';
          if (!oauth) this.h.lastError = `authentication failed for user ${this.opts.mailbox.user}`;
          else if (isMailAuthError(err)) Object.assign(this.h, { lastError: err.message, authError: { code: err.code, hint: err.hint } });
          else {
            invalidateToken(oauth, this.tokens, this.lastToken); // the next slow retry starts from a new token
            Object.assign(this.h, { lastError: `the IMAP server refused a fresh OAuth2 token for user ${this.opts.mailbox.user}`, authError: { code: 'imap_refused', hint: hintFor(oauth, 'imap_refused', this.name) } });
          }
        } else {
          delay = backoffDelayMs(this.attempt++, this.opts.backoff);
          Object.assign(this.h, { lastError: errorText(err), authError: null });
        }
      }
      if (this.h.state !== 'auth_failed') this.h.state = 'backoff';
      Object.assign(this.h, { connected: false, nextRetryAt: Date.now() + delay });
      const level = this.h.state === 'auth_failed' ? 'error' : 'warn';
      this.log[level]({ err: this.h.lastError, retryInMs: delay, state: this.h.state }, 'mailbox disconnected; will reconnect');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One connection, from connect to close. Resolves when the connection closes; throws if it never opens. */
  private async session(): Promise<void> {
    const m = this.opts.mailbox;
    Object.assign(this.h, { state: 'connecting', nextRetryAt: null });
    // XOAUTH2 with a cached (or just refreshed) token; a token-endpoint refusal throws here.
    this.lastToken = m.auth ? (await accessTokenFor(m.auth, this.tokens)).accessToken : undefined;
    if (this.stopped) throw new Error('stopped');
    const client = new ImapFlow({
      host: m.host, port: m.port, secure: m.secure, tls: m.tls,
      auth: this.lastToken !== undefined ? { user: m.user, accessToken: this.lastToken } : { user: m.user, pass: m.password ?? '' },
      logger: false,
      disableAutoIdle: true, // we IDLE ourselves right after each catch-up (auto-IDLE waits 15 s)
      connectionTimeout: 30_000,
    });
    // An 'error' event with no listener would kill the process.
    client.on('error', (err) => {
      this.closeReason = errorText(err);
      this.log.warn({ err: this.closeReason }, 'IMAP connection error');
    });
    // Never a command inside the event handler: the runner starts the catch-up on a later tick.
    client.on('exists', () => void this.runner.request());
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    this.client = client;
    this.closeReason = null;
    Object.assign(this.h, { state: 'connecting', nextRetryAt: null });
    // The watchdog runs only once the folder is open; a server that stops answering before that is cut here.
    const openGuard = setTimeout(() => client.close(), OPEN_DEADLINE_MS);
    try {
      await client.connect();
      if (this.stopped) throw new Error('stopped');
      await client.mailboxOpen(m.folder);
    } catch (err) {
      client.close();
      this.client = null;
      throw err;
    } finally {
      clearTimeout(openGuard);
    }
    this.authAttempt = 0;
    this.tokenRetried = false;
    Object.assign(this.h, { connected: true, state: 'syncing', authError: null });
    this.log.info({ folder: m.folder }, 'connected');
    const daemon = this.opts.app.config.daemon;
    // A missed tick (busy event loop) is harmless: the runner coalesces requests anyway.
    const tick = cron.schedule(m.pollCron ?? daemon.pollCron, () => void this.runner.request(), { name: `poll:${this.name}`, unref: true, suppressMissedWarning: true });
    const watchdog = setInterval(() => this.watchdog(client), daemon.watchdogSeconds * 1000);
    watchdog.unref();
    void this.runner.request(); // always catch up after connecting, before IDLE
    try {
      await closed;
    } finally {
      await tick.destroy();
      clearInterval(watchdog);
      if (this.client === client) this.client = null;
      this.h.connected = false;
    }
    if (!this.stopped) this.h.lastError = this.closeReason ?? 'connection closed by the server';
  }

  /**
   * A stalled connection is otherwise noticed only after about 2x socketTimeout. Every tick asks
   * for a catch-up (a STATUS UIDNEXT at least); a catch-up that made no progress for two ticks
   * means a dead connection: close it and reconnect. Progress is counted per message, so
   * watchdogSeconds must exceed half the time the largest message takes to download.
   */
  private watchdog(client: ImapFlow): void {
    const stallMs = 2 * this.opts.app.config.daemon.watchdogSeconds * 1000;
    if (this.runner.busy && Date.now() - this.progressAt > stallMs) {
      this.log.warn({ stalledMs: Date.now() - this.progressAt }, 'connection stalled; reconnecting');
      this.closeReason = 'connection stalled: no answer from the server (watchdog)';
      client.close();
      return;
    }
    void this.runner.request();
  }

  /** The runner's task: one catch-up on the current connection, then IDLE. */
  private async sync(): Promise<void> {
    const client = this.client;
    if (!client || !client.usable || this.stopped) return;
    this.h.state = 'syncing';
    const started = Date.now();
    let result: Awaited<ReturnType<typeof syncMailbox>>;
    try {
      result = await syncMailbox(client, this.opts.app, this.opts.mailbox, this.log, {
        touch: () => (this.progressAt = Date.now()),
        behind: (n) => (this.h.messagesBehind = n),
        stopping: () => this.stopped,
        fence: this.opts.fence,
      });
    } catch (err) {
      // A catch-up that outlived its connection must not close the one that replaced it.
      if (this.client !== client) return;
      throw err;
    }
    this.attempt = 0;
    this.h.lastSuccessAt = Date.now();
    if (result.fetched) this.log.info({ fetched: result.fetched, stored: result.stored, ms: Date.now() - started }, 'caught up');
    if (this.stopped || !client.usable || this.client !== client) return;
    this.h.state = 'idle';
    // Not awaited: idle() resolves only when the next command breaks it.
    client.idle().catch((err) => this.log.debug({ err: errorText(err) }, 'IDLE ended with an error'));
  }

  /** A failed catch-up: record it and drop the connection, so the reconnect (with backoff) retries. */
  private syncFailed(err: unknown): void {
    const client = this.client;
    // A catch-up cut by a closed connection only echoes "NoConnection": keep the real cause
    // (the socket error, the watchdog) that the close already recorded.
    if (this.stopped || !client || !client.usable) return;
    this.closeReason = errorText(err);
    this.log.warn({ err: this.closeReason }, 'catch-up failed; reconnecting');
    client.close();
  }
}
