// The daemon against a real Dovecot on loopback (never a mock): push, backlog with kill -9,
// server restarts, folder resets, a wrong password, several mailboxes, size limits and moves.
import { sqliteStore } from './helpers/sqlite-store.ts';
import { noDovecot } from './helpers/tools.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { DaemonLease, LeaseHeldError } from '../src/daemon/lease.ts';
import { createLogger } from '../src/logger.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { appendAll, counts, REPO, testEnv, waitFor, withImap, type TestMailbox } from './helpers/daemon-env.ts';
import { leadMail, leadMails } from './helpers/lead-mail.ts';
import { startStallProxy } from './helpers/stall-proxy.ts';

const USERS = Array.from({ length: 11 }, (_, i) => ({ user: `box${i + 1}@test.local`, password: 'secret' }));
const FAST_BACKOFF = { baseMs: 200, maxMs: 1_000 };
const NEVER = '0 0 1 1 *'; // cron that does not fire during a test: only IDLE can deliver

describe.skipIf(noDovecot())('daemon against a real Dovecot', () => {
  let dc: Dovecot;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    dc = await startDovecot({ users: USERS });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await dc?.destroy();
  });

  /** The daemon in this process, on a fresh database; stopped and removed after the test. */
  async function inProcess(mailboxes: TestMailbox[], extra: Record<string, unknown> = {}) {
    const env = testEnv(dc, mailboxes, extra);
    const { config } = loadConfig(env.file);
    const app: App = await createApp(config, createLogger(process.env.TEST_LOG ?? 'silent'), { dbPath: env.db });
    const daemon: Daemon = await startDaemon(app, { backoff: FAST_BACKOFF });
    cleanups.push(async () => {
      await daemon.stop();
      app.close();
      env.cleanup();
    });
    const health = (name: string) => daemon.health.mailboxes().find((m) => m.name === name)!;
    return { env, app, daemon, health };
  }

  it('(a) new mail appended while idle becomes a lead without waiting for a poll', async () => {
    const { env, app, health } = await inProcess([{ name: 'a', user: 'box1@test.local' }], { daemon: { pollCron: NEVER, watchdogSeconds: 60 } });
    await waitFor('mailbox idle', () => health('a').state === 'idle');
    for (const n of [1, 2]) {
      const mail = leadMail('push', n);
      await appendAll(dc, 'box1@test.local', [mail.raw]);
      // Cron never fires and the watchdog is 60 s away: only IDLE can bring it in by the deadline.
      await waitFor(`lead ${n} via IDLE`, () => counts(env.db).leads === n);
      const row = sqliteStore(app).sqlite.prepare('SELECT status FROM raw_emails WHERE message_id = ?').get(mail.messageId) as { status: string };
      expect(row.status).toBe('lead');
    }
    await waitFor('idle again', () => health('a').state === 'idle');
    expect(health('a')).toMatchObject({ connected: true, lastError: null, messagesBehind: 0, stale: false });
    expect(health('a').lastSuccessAt).toBeGreaterThan(0);

    // A second daemon on the same database refuses to start: in this process, and from elsewhere.
    const other = await createApp(loadConfig(env.file).config, createLogger('silent'), { dbPath: env.db });
    try {
      await expect(startDaemon(other)).rejects.toThrow(LeaseHeldError);
      await expect(DaemonLease.acquire(other.store, { owner: 'another-host:4242' })).rejects.toThrow(/in use by another daemon \(.*:\d+\)/);
    } finally {
      other.close();
    }
  });

  it('(i) a locked database during ingest leaves the cursor where it was; the mail comes in once it is free', async () => {
    const { env, app, daemon, health } = await inProcess([{ name: 'locked', user: 'box11@test.local' }], { daemon: { pollCron: NEVER, watchdogSeconds: 60 } });
    await waitFor('mailbox idle', () => health('locked').state === 'idle');
    await appendAll(dc, 'box11@test.local', [leadMail('lock', 0).raw]);
    await waitFor('first lead', () => counts(env.db).leads === 1);
    const cursor = () => sqliteStore(app).getCursor('locked')!.lastUid;
    const before = cursor();
    // Another process holds the write lock (as a backup tool or a full disk would stop writes).
    const blocker = new Database(env.db);
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN EXCLUSIVE');
    try {
      await appendAll(dc, 'box11@test.local', [leadMail('lock', 1).raw, leadMail('lock', 2).raw]);
      await daemon.catchUpAll();
      await waitFor('the failure reported', () => health('locked').lastError !== null || health('locked').state === 'backoff', 20_000);
      expect(cursor()).toBe(before);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await daemon.catchUpAll();
    await waitFor('both leads once the lock is gone', () => counts(env.db).leads === 3, 20_000);
    expect(cursor()).toBeGreaterThan(before);
    const distinct = sqliteStore(app).sqlite.prepare('select count(distinct message_id) n from raw_emails').get() as { n: number };
    expect(distinct.n).toBe(3);
  });

  it('(b) a 2,000-message backlog with the daemon killed -9 midway yields exactly 2,000 leads', async () => {
    const mails = leadMails('backlog', 2000);
    dc.seedMaildir('box2@test.local', mails.map((m) => m.raw));
    const env = testEnv(dc, [{ name: 'backlog', user: 'box2@test.local' }]);
    cleanups.push(env.cleanup);
    const children: ChildProcess[] = [];
    cleanups.push(() => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));
    const log = createWriteStream(path.join(env.dir, 'daemon.log'));
    const run = () => {
      const child = spawn(process.execPath, ['bin/centralizer.js', 'run', '--config', env.file, '--db', env.db], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.pipe(log, { end: false });
      child.stderr!.pipe(log, { end: false });
      children.push(child);
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      return { child, exited };
    };

    const first = run();
    const atKill = await waitFor('~500 leads before the kill', () => {
      const c = counts(env.db);
      return c.leads >= 500 ? c : null;
    }, 60_000, 10);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(atKill.leads).toBeLessThan(2000); // really midway

    const second = run(); // at once: the lease of a dead process on this host is taken over
    const done = await waitFor('2,000 leads after the restart', () => {
      const c = counts(env.db);
      return c.leads >= 2000 && c.pending === 0 ? c : null;
    }, 90_000, 100);
    expect(done).toEqual({ raw: 2000, leads: 2000, distinctMessageIds: 2000, distinctLeadRaw: 2000, pending: 0, tooLarge: 0 });

    // SIGTERM: stops fetching, finishes, closes, exits 0 (the process forces exit 1 after 10 s).
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(counts(env.db)).toEqual(done);
  });

  it('(c) Dovecot stopped and restarted mid-run loses nothing', async () => {
    const { env, health } = await inProcess([{ name: 'restart', user: 'box3@test.local' }]);
    await appendAll(dc, 'box3@test.local', leadMails('before-stop', 3).map((m) => m.raw));
    await waitFor('3 leads', () => counts(env.db).leads === 3);

    await dc.stop();
    await waitFor('disconnect noticed', () => !health('restart').connected && health('restart').state !== 'idle');
    dc.seedMaildir('box3@test.local', leadMails('while-down', 2).map((m) => m.raw)); // delivered while IMAP is down
    await dc.start();
    await appendAll(dc, 'box3@test.local', leadMails('after-start', 2).map((m) => m.raw));

    await waitFor('7 leads after the restart', () => counts(env.db).leads === 7, 20_000);
    await waitFor('reconnected and idle', () => health('restart').state === 'idle' && health('restart').connected);
    expect(counts(env.db)).toMatchObject({ raw: 7, leads: 7, distinctMessageIds: 7, pending: 0 });
  });

  it('(d) the folder deleted and recreated with the same messages (new UIDVALIDITY) creates no duplicate', async () => {
    const user = 'box4@test.local';
    const mails = leadMails('reset', 4);
    await withImap(dc, user, (c) => c.mailboxCreate('Leads'));
    await appendAll(dc, user, mails.map((m) => m.raw), 'Leads');
    const { env, app, daemon } = await inProcess([{ name: 'reset', user, folder: 'Leads' }]);
    await waitFor('4 leads', () => counts(env.db).leads === 4);
    const before = sqliteStore(app).getCursor('reset')!;

    await withImap(dc, user, (c) => c.mailboxDelete('Leads'));
    await new Promise((r) => setTimeout(r, 1_100)); // Dovecot's UIDVALIDITY is a timestamp: make it change
    const extra = leadMail('reset', 5);
    const uidValidity = await withImap(dc, user, async (c) => {
      await c.mailboxCreate('Leads');
      for (const m of [...mails, extra]) await c.append('Leads', m.raw);
      const s = await c.status('Leads', { uidValidity: true });
      return Number(s && s.uidValidity);
    });
    expect(uidValidity).not.toBe(before.uidValidity);

    await waitFor('the new message', () => counts(env.db).leads === 5, 20_000);
    await waitFor('cursor on the new UIDVALIDITY', async () => {
      await daemon.catchUpAll();
      const c = sqliteStore(app).getCursor('reset');
      return c?.uidValidity === uidValidity && c.lastUid === 5;
    }, 20_000, 200);
    expect(counts(env.db)).toMatchObject({ raw: 5, leads: 5, distinctMessageIds: 5, pending: 0 });

    // A reset that kept the UIDVALIDITY (two resets within a second): UIDNEXT at or below the
    // stored last UID. Simulated through the cursor, with an old row already holding UID 6.
    sqliteStore(app).transaction(() => sqliteStore(app).setCursor('reset', uidValidity, 1_000, Date.now()));
    sqliteStore(app).transaction(() => sqliteStore(app).insertRaw({ source: 'imap', mailbox: 'reset', uidValidity, uid: 6, messageId: '<old-occupant@x>', sha256: 'old', size: 1, raw: null, receivedAt: Date.now(), status: 'too_large' }));
    const after = leadMail('reset', 6);
    await appendAll(dc, user, [after.raw], 'Leads'); // gets UID 6 in the folder
    await waitFor('the message after the reset', () => counts(env.db).leads === 6, 20_000);
    expect(counts(env.db)).toMatchObject({ raw: 7, leads: 6, pending: 0 });
    expect(sqliteStore(app).getCursor('reset')).toMatchObject({ uidValidity, lastUid: 6 });
    // UID 6 was taken by the old row, so the new message is kept without its UID rather than failing the batch.
    expect(sqliteStore(app).sqlite.prepare('SELECT uid FROM raw_emails WHERE message_id = ?').get(after.messageId)).toEqual({ uid: null });
  });

  it('(e) a wrong password on one mailbox does not stop another', async () => {
    const { env, health } = await inProcess([
      { name: 'locked', user: 'box5@test.local', password: 'wrong-password-123' },
      { name: 'fine', user: 'box6@test.local' },
    ]);
    await appendAll(dc, 'box6@test.local', leadMails('fine', 3).map((m) => m.raw));
    await waitFor('3 leads on the good mailbox', () => counts(env.db, 'fine').leads === 3);
    await waitFor('auth failure reported', () => health('locked').state === 'auth_failed');
    const locked = health('locked');
    expect(locked.lastError).toBe('authentication failed for user box5@test.local');
    expect(JSON.stringify(locked)).not.toContain('wrong-password-123');
    expect(locked.connected).toBe(false);
    expect(locked.nextRetryAt! - Date.now()).toBeGreaterThan(4 * 60_000); // retried slowly
    expect(health('fine')).toMatchObject({ connected: true, lastError: null });
  });

  it('(f) two mailboxes at once', async () => {
    dc.seedMaildir('box7@test.local', leadMails('two-a', 100).map((m) => m.raw));
    dc.seedMaildir('box8@test.local', leadMails('two-b', 100).map((m) => m.raw));
    const { env, app } = await inProcess([
      { name: 'one', user: 'box7@test.local' },
      { name: 'two', user: 'box8@test.local' },
    ], { daemon: { batchSize: 30 } });
    await appendAll(dc, 'box7@test.local', leadMails('two-a-new', 5).map((m) => m.raw));
    await appendAll(dc, 'box8@test.local', leadMails('two-b-new', 5).map((m) => m.raw));
    await waitFor('210 leads', () => counts(env.db).leads === 210, 30_000);
    expect(counts(env.db, 'one')).toMatchObject({ raw: 105, leads: 105, distinctMessageIds: 105 });
    expect(counts(env.db, 'two')).toMatchObject({ raw: 105, leads: 105, distinctMessageIds: 105 });
    expect(sqliteStore(app).getCursor('one')?.lastUid).toBe(105);
    expect(sqliteStore(app).getCursor('two')?.lastUid).toBe(105);
  });

  it('(g) an oversized message is stored by reference; markSeen and moveTo happen after the commit', async () => {
    const user = 'box9@test.local';
    await withImap(dc, user, (c) => c.mailboxCreate('Processed'));
    const small = leadMail('move', 1);
    const big = leadMail('move', 2);
    const bigRaw = Buffer.concat([big.raw, Buffer.from(('y'.repeat(76) + '\r\n').repeat(200))]); // epilogue: ~18 KB
    const { env, app } = await inProcess([{ name: 'mv', user, markSeen: true, moveTo: 'Processed' }], { limits: { maxMessageBytes: 8_192 } });
    await appendAll(dc, user, [small.raw, bigRaw]);
    await waitFor('both stored', () => counts(env.db).raw === 2 && counts(env.db).pending === 0);
    expect(counts(env.db)).toMatchObject({ raw: 2, leads: 1, tooLarge: 1 });
    const row = sqliteStore(app).sqlite.prepare('SELECT (SELECT count(*) FROM raw_bodies b WHERE b.raw_email_id = r.id) AS pieces, size, headers, status FROM raw_emails r WHERE message_id = ?').get(big.messageId) as { pieces: number; size: number; headers: string; status: string };
    expect(row).toMatchObject({ pieces: 0, status: 'too_large' });
    expect(row.size).toBe(bigRaw.length);
    expect(row.headers).toContain('Subject:');
    const moved = await waitFor('both moved', () => withImap(dc, user, async (c) => {
      const inbox = await c.status('INBOX', { messages: true });
      const done = await c.status('Processed', { messages: true, unseen: true });
      return inbox && done && inbox.messages === 0 && done.messages === 2 ? done : null;
    }));
    expect(moved.unseen).toBe(0);
  });

  it('(h) a connection that silently stops answering is replaced by the watchdog', async () => {
    const proxy = await startStallProxy(dc);
    cleanups.push(() => proxy.close());
    const { env, health } = await inProcess([{ name: 'stall', user: 'box10@test.local', port: proxy.port }], { daemon: { pollCron: NEVER, watchdogSeconds: 5 } });
    await waitFor('mailbox idle', () => health('stall').state === 'idle');
    proxy.stallOpen(); // the socket stays open; IDLE pushes and answers no longer arrive
    await appendAll(dc, 'box10@test.local', [leadMail('stall', 1).raw]);
    // No poll and no push: only the watchdog (STATUS with no answer for 2 ticks) can bring it in.
    await waitFor('lead after the watchdog reconnected', () => counts(env.db).leads === 1, 45_000, 200);
    expect(health('stall').lastError).toMatch(/stalled/);
    await waitFor('idle on the new connection', () => health('stall').state === 'idle' && health('stall').connected);
  });
});
