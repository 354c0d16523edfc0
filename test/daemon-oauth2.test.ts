// OAuth2 mailboxes against a real Dovecot whose oauth2 passdb introspects tokens at our own
// local token server: client credentials beside a password mailbox, short-lived tokens across
// IDLE and a backlog (sessions ended at token expiry, as Exchange does), a revoked client going to
// auth_failed and back, and the refresh-token mode with rotation after `mailboxes login`.
import { sqliteStore } from './helpers/sqlite-store.ts';
import { noDovecot } from './helpers/tools.ts';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/config.ts';
import { startDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { MailboxTokenStore } from '../src/db/mailbox-tokens.ts';
import { createLogger } from '../src/logger.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { appendAll, counts, testEnv, waitFor, type TestMailbox } from './helpers/daemon-env.ts';
import { leadMail, leadMails } from './helpers/lead-mail.ts';
import { startOAuthServer, type OAuthServer } from './helpers/oauth-server.ts';

const USERS = ['pw1', 'pw2', 'oa1', 'oa2', 'oa3', 'oa4', 'oa5'].map((u) => ({ user: `${u}@test.local`, password: 'secret' }));
const FAST = { baseMs: 200, maxMs: 1_000 };
const NEVER = '0 0 1 1 *'; // no cron poll: IDLE (or a reconnect's catch-up) must bring the mail
const SECRET = 'client-secret-never-logged-0123';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream collecting log lines, to prove no token or secret is ever written. */
function sink() {
  const lines: string[] = [];
  const stream = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
  return { lines, stream };
}

describe.skipIf(noDovecot())('OAuth2 mailboxes against Dovecot with an oauth2 passdb', () => {
  let dc: Dovecot;
  let oauth: OAuthServer;
  const cleanups: (() => Promise<void> | void)[] = [];
  const logs = sink();

  beforeAll(async () => {
    oauth = await startOAuthServer({ ttlSec: 3600 });
    dc = await startDovecot({ users: USERS, oauth2: { introspectionUrl: `${oauth.url}/introspect` } });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    oauth.ttlSec = 3600;
  });
  afterAll(async () => {
    await dc?.destroy();
    await oauth?.close();
    // Nothing secret in any log line of the whole file.
    const all = logs.lines.join('');
    expect(all).not.toContain(SECRET);
    for (const r of oauth.requests) expect(r.error ?? '').not.toContain(SECRET);
  });

  async function inProcess(mailboxes: TestMailbox[], extra: Record<string, unknown> = {}) {
    const env = testEnv(dc, mailboxes, { daemon: { pollCron: NEVER, watchdogSeconds: 60 }, ...extra });
    const { config } = loadConfig(env.file);
    const app: App = await createApp(config, createLogger('debug', logs.stream), { dbPath: env.db });
    const daemon: Daemon = await startDaemon(app, { backoff: FAST, authBackoff: { minMs: 1_000, maxMs: 1_500 } });
    cleanups.push(async () => {
      await daemon.stop();
      app.close();
      env.cleanup();
    });
    const health = (name: string) => daemon.health.mailboxes().find((m) => m.name === name)!;
    return { env, app, daemon, health };
  }

  const microsoft = (clientId: string) => ({ type: 'oauth2', provider: 'microsoft', tenantId: 'contoso.onmicrosoft.com', clientId, clientSecret: SECRET, tokenUrl: oauth.tokenUrl });

  it('client credentials beside a password mailbox; a refused token is replaced once without auth_failed', async () => {
    oauth.addClient({ id: 'app-1', secret: SECRET, mailbox: 'oa1@test.local' });
    const { env, health } = await inProcess([
      { name: 'pw', user: 'pw1@test.local' },
      { name: 'ms', user: 'oa1@test.local', auth: microsoft('app-1') },
    ]);
    await waitFor('both idle', () => health('pw').state === 'idle' && health('ms').state === 'idle');
    await appendAll(dc, 'pw1@test.local', leadMails('side-pw', 2).map((m) => m.raw));
    await appendAll(dc, 'oa1@test.local', leadMails('side-oa', 2).map((m) => m.raw));
    await waitFor('2 leads each', () => counts(env.db, 'pw').leads === 2 && counts(env.db, 'ms').leads === 2);
    expect(health('ms')).toMatchObject({ auth: 'oauth2:microsoft', authError: null, connected: true, lastError: null });
    expect(health('pw')).toMatchObject({ auth: 'password', connected: true });
    // The setup check of the README: one token, one login, in words.
    const out = sink();
    expect(await main(['mailboxes', 'test', 'ms', '--config', env.file, '--db', env.db], { out: out.stream, err: out.stream })).toBe(0);
    expect(out.lines.join('')).toMatch(/token: obtenido[\s\S]*imap: sesión iniciada como oa1@test.local; INBOX tiene 2 mensajes/);

    // The provider revokes the issued tokens (not the client) and the session ends: the cached token
    // is refused, a new one is fetched at once and the mailbox never shows auth_failed.
    const before = oauth.count('client_credentials');
    oauth.revokeAccessTokens();
    dc.kick('oa1@test.local');
    const states = new Set<string>();
    const watch = setInterval(() => states.add(health('ms').state), 5);
    await waitFor('reconnected', () => health('ms').state === 'idle' && health('ms').connected && oauth.count('client_credentials') > before);
    await appendAll(dc, 'oa1@test.local', [leadMail('side-oa', 3).raw]);
    await waitFor('3rd lead', () => counts(env.db, 'ms').leads === 3);
    clearInterval(watch);
    expect(states.has('auth_failed')).toBe(false);
    expect(oauth.count('client_credentials')).toBe(before + 1);
  });

  it('short-lived tokens: mail across several lifetimes in IDLE, each new session with a fresh token', async () => {
    oauth.ttlSec = 2;
    oauth.addClient({ id: 'app-2', secret: SECRET, mailbox: 'oa2@test.local' });
    const { env, health } = await inProcess([{ name: 'short', user: 'oa2@test.local', auth: { type: 'oauth2', provider: 'generic', tokenUrl: oauth.tokenUrl, clientId: 'app-2', clientSecret: SECRET, scope: 'imap' } }]);
    await waitFor('idle', () => health('short').state === 'idle');
    const start = oauth.count('client_credentials');
    // An authenticated session outlives its token: a 4.5 s IDLE (2 lifetimes) still delivers.
    await sleep(4_500);
    await appendAll(dc, 'oa2@test.local', [leadMail('short', 0).raw]);
    await waitFor('lead via the long IDLE', () => counts(env.db).leads === 1);
    // Then, as Exchange does, the session ends when its token expires: every reconnect needs a new token.
    for (let i = 1; i <= 2; i++) {
      await sleep(2_100);
      dc.kick('oa2@test.local');
      await appendAll(dc, 'oa2@test.local', [leadMail('short', i).raw]);
      await waitFor(`lead ${i + 1}`, () => counts(env.db).leads === i + 1, 10_000);
    }
    expect(oauth.count('client_credentials') - start).toBeGreaterThanOrEqual(2);
    expect(oauth.count('client_credentials', false)).toBe(0);
    await waitFor('idle again', () => health('short').state === 'idle');
  });

  it('a 200-email backlog with 10 s tokens, sessions ended at token expiry and tokens revoked twice midway: exactly one lead per email', async () => {
    oauth.ttlSec = 10;
    oauth.addClient({ id: 'app-3', secret: SECRET, mailbox: 'oa3@test.local' });
    dc.seedMaildir('oa3@test.local', leadMails('oauth-backlog', 200).map((m) => m.raw));
    const before = oauth.count('client_credentials');
    const started = Date.now();
    const { app, health } = await inProcess([{ name: 'backlog', user: 'oa3@test.local', auth: microsoft('app-3') }], { daemon: { pollCron: NEVER, watchdogSeconds: 60, batchSize: 50 } });
    // Counted on the daemon's own connection: the watcher runs every 50 ms on the daemon's thread,
    // and opening a connection each time would cost that thread more than the count does.
    const live = () => sqliteStore(app).sqlite.prepare(`SELECT COUNT(*) AS raw, COUNT(DISTINCT r.message_id) AS distinctMessageIds, COALESCE(SUM(r.status = 'pending'), 0) AS pending,
      COUNT(l.id) AS leads, COUNT(DISTINCT l.raw_email_id) AS distinctLeadRaw FROM raw_emails r LEFT JOIN leads l ON l.raw_email_id = r.id`).get() as { raw: number; leads: number; pending: number };
    // As Exchange does, a session ends when the token it logged in with expires. And, whatever the
    // machine's speed, the issued tokens are revoked twice midway (as a provider may do before
    // expires_in): the cached token is refused and replaced.
    let kicks = 0;
    const revokeAt = [70, 140];
    let tokensAtRevoke = -1;
    const watcher = setInterval(() => {
      const at = oauth.loginExpiry('oa3@test.local');
      if (at !== null && Date.now() > at && dc.kick('oa3@test.local')) kicks++;
      // The second revocation waits for the session the first one forced to log in again.
      const relogged = oauth.count('client_credentials') > tokensAtRevoke && health('backlog').connected;
      if (revokeAt.length && live().raw >= revokeAt[0] && relogged) {
        revokeAt.shift();
        tokensAtRevoke = oauth.count('client_credentials');
        oauth.revokeAccessTokens();
        dc.kick('oa3@test.local');
      }
    }, 50);
    cleanups.push(() => clearInterval(watcher));
    const done = await waitFor('200 leads', () => {
      const c = live();
      return c.leads >= 200 && c.pending === 0 && !revokeAt.length && health('backlog').state === 'idle' ? c : null;
    }, 50_000, 100);
    clearInterval(watcher);
    expect(done).toEqual({ raw: 200, leads: 200, distinctMessageIds: 200, distinctLeadRaw: 200, pending: 0 });
    // The first token, one after each revocation, and one after every session its token's expiry ended.
    const tokens = oauth.count('client_credentials') - before;
    expect(tokens).toBeGreaterThanOrEqual(3 + kicks);
    expect(oauth.count('client_credentials', false)).toBe(0);
    console.log(`oauth backlog: 200 emails in ${Date.now() - started} ms, ${kicks} sessions ended at token expiry, ${tokens} tokens`);
  });

  it('a revoked client goes to auth_failed with the provider code and a hint, other mailboxes go on, and it recovers when restored', async () => {
    oauth.addClient({ id: 'app-4', secret: SECRET, mailbox: 'oa4@test.local' });
    const { env, health } = await inProcess([
      { name: 'rev', user: 'oa4@test.local', auth: microsoft('app-4') },
      { name: 'other', user: 'pw2@test.local' },
    ]);
    await waitFor('idle', () => health('rev').state === 'idle' && health('other').state === 'idle');
    oauth.revokeClient('app-4'); // secret expired / consent withdrawn: its tokens stop working too
    dc.kick('oa4@test.local');
    await waitFor('auth_failed', () => health('rev').state === 'auth_failed');
    const failed = health('rev');
    expect(failed.authError).toMatchObject({ code: 'invalid_client', hint: expect.stringContaining('Certificates & secrets') });
    expect(failed.lastError).toContain('invalid_client');
    expect(failed.nextRetryAt).toBeGreaterThan(Date.now());
    expect(JSON.stringify(failed)).not.toContain(SECRET);
    const report = sink();
    expect(await main(['mailboxes', 'test', 'rev', '--config', env.file, '--db', env.db], { out: report.stream, err: report.stream })).toBe(1);
    expect(report.lines.join('')).toMatch(/error: token endpoint .* refused: invalid_client[\s\S]*hint: the client secret is wrong or expired/);
    await appendAll(dc, 'pw2@test.local', leadMails('other', 2).map((m) => m.raw));
    await appendAll(dc, 'oa4@test.local', [leadMail('rev', 1).raw]);
    await waitFor('the other mailbox goes on', () => counts(env.db, 'other').leads === 2);
    expect(counts(env.db, 'rev').leads).toBe(0);

    oauth.restoreClient('app-4');
    await waitFor('recovered', () => health('rev').state === 'idle' && health('rev').connected, 15_000);
    await waitFor('the mail that waited', () => counts(env.db, 'rev').leads === 1);
    expect(health('rev')).toMatchObject({ authError: null, state: 'idle' });
  });

  it('refresh-token mode: `mailboxes login` stores the token encrypted; each refresh rotates it and the new one is saved', async () => {
    oauth.addClient({ id: 'desktop-5' });
    const key = process.env.CENTRALIZER_SECRET_KEY;
    process.env.CENTRALIZER_SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
    cleanups.push(() => void (key === undefined ? delete process.env.CENTRALIZER_SECRET_KEY : (process.env.CENTRALIZER_SECRET_KEY = key)));
    const mailbox = { name: 'person', user: 'oa5@test.local', auth: { type: 'oauth2', provider: 'generic', grant: 'refresh_token', tokenUrl: oauth.tokenUrl, authorizeUrl: oauth.authorizeUrl, clientId: 'desktop-5', scope: 'imap offline_access' } };
    const env = testEnv(dc, [mailbox], { daemon: { pollCron: NEVER, watchdogSeconds: 60 } });
    cleanups.push(env.cleanup);

    // The sign-in, as a person runs it: the command prints the address, the browser comes back to 127.0.0.1.
    const out = sink();
    const err = sink();
    const login = main(['mailboxes', 'login', 'person', '--config', env.file, '--db', env.db], { out: out.stream, err: err.stream });
    const url = await waitFor('the sign-in address', () => err.lines.join('').match(/http:\/\/127\.0\.0\.1:\d+\/authorize\S+/)?.[0]);
    expect(await (await fetch(url)).text()).toContain('Signed in');
    expect(await login).toBe(0);
    expect(out.lines.join('')).toContain('refresh token guardado cifrado');

    oauth.ttlSec = 2;
    const { config } = loadConfig(env.file);
    const app = await createApp(config, createLogger('debug', logs.stream), { dbPath: env.db });
    const daemon = await startDaemon(app, { backoff: FAST, authBackoff: { minMs: 1_000, maxMs: 1_500 } });
    cleanups.push(async () => {
      await daemon.stop();
      app.close();
    });
    const health = () => daemon.health.mailboxes()[0];
    const stored = async () => (await new MailboxTokenStore(sqliteStore(app)).get('person'))!.refreshToken;
    await waitFor('idle', () => health().state === 'idle');
    const seen = new Set([await stored()]);
    for (let i = 0; i < 2; i++) {
      await sleep(2_100); // the access token expired: the reconnect refreshes, the provider rotates
      dc.kick('oa5@test.local');
      await appendAll(dc, 'oa5@test.local', [leadMail('person', i).raw]);
      await waitFor(`lead ${i + 1}`, () => counts(env.db).leads === i + 1, 10_000);
      seen.add(await stored());
    }
    expect(seen.size).toBeGreaterThanOrEqual(3); // the login's token and at least two rotations, each saved
    expect(oauth.count('refresh_token', true)).toBeGreaterThanOrEqual(3);
    expect(oauth.count('refresh_token', false)).toBe(0); // never a spent token sent again
    expect([...seen].every((t) => t.startsWith('v1:'))).toBe(true);
    expect(health()).toMatchObject({ state: 'idle', auth: 'oauth2:generic', authError: null });

    // `mailboxes list` shows the sign-in; the database never holds the token in clear.
    const listed = sink();
    expect(await main(['mailboxes', 'list', '--config', env.file, '--db', env.db], { out: listed.stream, err: err.stream })).toBe(0);
    expect(listed.lines.join('')).toMatch(/person\toa5@test.local\toauth2 generic refresh_token\tsesión iniciada /);
  });
});
