// OAuth2 token sources against a local RFC 6749 server: grants, cache, refresh before expiry,
// refusals with the provider's code and a hint, encrypted refresh tokens with rotation, sign-in flows.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { MailboxTokenStore } from '../src/db/mailbox-tokens.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { MailAuthError } from '../src/mail-auth/errors.ts';
import { loginWithBrowser, loginWithDevice } from '../src/mail-auth/login.ts';
import { encryptedRefreshTokens } from '../src/mail-auth/refresh-tokens.ts';
import { mailAuthSchema, resolveAuthSecrets, type MailAuthConfig } from '../src/mail-auth/schema.ts';
import { open, seal, secretKeyFromEnv } from '../src/mail-auth/secret-box.ts';
import { accessTokenFor, invalidateToken, oauth2ProvisionCallback, requestToken } from '../src/mail-auth/token-source.ts';
import { startOAuthServer, type OAuthServer } from './helpers/oauth-server.ts';

const KEY_ENV = { CENTRALIZER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };
const auth = (v: Record<string, unknown>): MailAuthConfig => {
  const a = mailAuthSchema.parse({ type: 'oauth2', ...v });
  expect(resolveAuthSecrets(a, {})).toEqual([]);
  return a;
};

describe('secret box (AES-256-GCM)', () => {
  it('round-trips, binds the ciphertext to its mailbox and refuses another key', () => {
    const key = secretKeyFromEnv(KEY_ENV);
    const sealed = seal(key, 'refresh-abc', 'box1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('refresh-abc');
    expect(seal(key, 'refresh-abc', 'box1')).not.toBe(sealed); // a fresh IV each time
    expect(open(key, sealed, 'box1')).toBe('refresh-abc');
    expect(() => open(key, sealed, 'box2')).toThrow(/does not decrypt/);
    expect(() => open(secretKeyFromEnv({ CENTRALIZER_SECRET_KEY: 'f'.repeat(64) }), sealed, 'box1')).toThrow(MailAuthError);
  });

  it('takes base64, hex or a long passphrase, and says what to do without one', () => {
    expect(secretKeyFromEnv({ CENTRALIZER_SECRET_KEY: 'ab'.repeat(32) })).toHaveLength(32);
    expect(secretKeyFromEnv({ CENTRALIZER_SECRET_KEY: 'a long passphrase of at least 32 characters' })).toHaveLength(32);
    expect(() => secretKeyFromEnv({})).toThrow(expect.objectContaining({ code: 'secret_key_missing', hint: expect.stringContaining('openssl rand') }));
    expect(() => secretKeyFromEnv({ CENTRALIZER_SECRET_KEY: 'short' })).toThrow(expect.objectContaining({ code: 'secret_key_invalid' }));
  });
});

describe('mailbox auth config', () => {
  const yaml = (auth: string) => `mailboxes:\n  - name: m\n    host: h\n    user: u@x.cl\n${auth}`;

  it('accepts an oauth2 mailbox without a password and resolves the secret from the environment', () => {
    const c = parseConfig(yaml('    auth: {type: oauth2, provider: microsoft, tenantId: t, clientId: c, clientSecretEnv: MS_SECRET}\n'), 'f.yaml', { MS_SECRET: 's3cret' });
    expect(c.mailboxes[0].auth).toMatchObject({ provider: 'microsoft', grant: 'client_credentials', clientSecret: 's3cret' });
    expect(c.mailboxes[0].password).toBeUndefined();
  });

  it('names the missing variable, the missing key file and a mailbox with no way to log in', () => {
    expect(() => parseConfig(yaml('    auth: {type: oauth2, provider: microsoft, tenantId: t, clientId: c, clientSecretEnv: MS_SECRET}\n'), 'f.yaml', {})).toThrow('f.yaml: mailboxes.0.auth.clientSecretEnv: la variable de entorno MS_SECRET no está definida');
    expect(() => parseConfig(yaml('    auth: {type: oauth2, provider: google}\n'), 'f.yaml', {})).toThrow(/mailboxes.0.auth.keyFileEnv: el grant service_account necesita el archivo de clave/);
    expect(() => parseConfig(yaml(''), 'f.yaml', {})).toThrow(/necesita password, passwordEnv o auth/);
    expect(parseConfig(yaml('    passwordEnv: PW\n'), 'f.yaml', { PW: 'pw' }).mailboxes[0].password).toBe('pw'); // password auth unchanged
  });
});

describe('token sources against a local OAuth2 server', () => {
  let srv: OAuthServer;
  let dir: string;
  beforeAll(async () => {
    srv = await startOAuthServer({ ttlSec: 8 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'mail-auth-'));
  });
  afterAll(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ctx = (mailbox: string, user = `${mailbox}@x.cl`) => ({ mailbox, user });

  it('client credentials: cached until a quarter before expiry, one request for concurrent callers', async () => {
    srv.addClient({ id: 'ms-app', secret: 'sec', mailbox: 'cc@x.cl' });
    const a = auth({ provider: 'microsoft', tenantId: 'contoso', clientId: 'ms-app', clientSecret: 'sec', tokenUrl: srv.tokenUrl });
    const before = srv.count('client_credentials');
    const [t1, t2] = await Promise.all([accessTokenFor(a, ctx('cc')), accessTokenFor(a, ctx('cc'))]);
    expect(t1).toBe(t2);
    expect(srv.count('client_credentials')).toBe(before + 1);
    expect(t1.expiresAt - t1.refreshAt).toBe(2000); // 8 s token, refreshed 2 s early
    expect((await accessTokenFor(a, ctx('cc'))).accessToken).toBe(t1.accessToken);
    const later = await accessTokenFor(a, ctx('cc'), { now: () => t1.refreshAt + 1 });
    expect(later.accessToken).not.toBe(t1.accessToken);
    invalidateToken(a, ctx('cc'), later.accessToken);
    expect((await accessTokenFor(a, ctx('cc'))).accessToken).not.toBe(later.accessToken);
    expect(srv.count('client_credentials')).toBe(before + 3);
  });

  it('a refused client is a permanent error with the provider code and a hint; an unreachable server is transient', async () => {
    srv.addClient({ id: 'ms-bad', secret: 'right', mailbox: 'bad@x.cl' });
    const a = auth({ provider: 'microsoft', tenantId: 't', clientId: 'ms-bad', clientSecret: 'wrong', tokenUrl: srv.tokenUrl });
    const err = (await requestToken(a, ctx('bad')).catch((e) => e)) as MailAuthError;
    expect(err).toMatchObject({ code: 'invalid_client', permanent: true });
    expect(err.message).toContain('Client authentication failed');
    expect(err.message).not.toContain('wrong');
    expect(err.hint).toMatch(/Certificates & secrets/);
    const down = auth({ provider: 'generic', tokenUrl: 'http://127.0.0.1:9/token', clientId: 'x', clientSecret: 'y' });
    await expect(requestToken(down, ctx('down'))).rejects.toMatchObject({ code: 'token_endpoint_unreachable', permanent: false });
  });

  it('generic client credentials with HTTP Basic client authentication, and the SMTP provision callback', async () => {
    srv.addClient({ id: 'gen:1', secret: 'p@ss word', mailbox: 'gen@x.cl' });
    const a = auth({ provider: 'generic', tokenUrl: srv.tokenUrl, clientId: 'gen:1', clientSecret: 'p@ss word', clientAuth: 'basic', scope: 'imap' });
    const t = await requestToken(a, ctx('gen'));
    const cb = oauth2ProvisionCallback(a, ctx('gen'));
    const viaSmtp = await new Promise<string>((resolve, reject) => cb('gen@x.cl', true, (e, token) => (e ? reject(e) : resolve(token!))));
    expect(viaSmtp).not.toBe(t.accessToken); // renew = a new token
  });

  it('google: a JWT signed RS256 by the service account, acting as the mailbox; missing delegation is unauthorized_client', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(dir, 'sa.json');
    writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: 'reader@proj.iam.gserviceaccount.com', private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) }));
    srv.addServiceAccount('reader@proj.iam.gserviceaccount.com', publicKey, ['ventas@x.cl']);
    const a = mailAuthSchema.parse({ type: 'oauth2', provider: 'google', keyFileEnv: 'SA_FILE', tokenUrl: srv.tokenUrl });
    expect(resolveAuthSecrets(a, { SA_FILE: keyFile })).toEqual([]);
    expect((await requestToken(a, ctx('g', 'ventas@x.cl'))).accessToken).toBeTruthy();
    const err = (await requestToken(a, ctx('g2', 'otra@x.cl')).catch((e) => e)) as MailAuthError;
    expect(err).toMatchObject({ code: 'unauthorized_client', permanent: true });
    expect(err.hint).toMatch(/domain-wide delegation.*https:\/\/mail.google.com\//);
  });

  it('refresh-token mode: the rotated token is saved encrypted at once; the old one is spent; none stored says log in', async () => {
    const store = new Store(openDatabase(path.join(dir, 'tokens.db')));
    try {
      srv.addClient({ id: 'public-app' });
      const a = auth({ provider: 'generic', grant: 'refresh_token', tokenUrl: srv.tokenUrl, clientId: 'public-app', scope: 'imap offline_access' });
      const tokens = encryptedRefreshTokens(store, KEY_ENV);
      await expect(requestToken(a, { ...ctx('rt'), refreshTokens: tokens })).rejects.toMatchObject({ code: 'login_required', hint: expect.stringContaining('mailboxes login rt') });
      const first = srv.seedRefreshToken('public-app', 'rt@x.cl');
      await tokens.save('rt', 'generic', first);
      await requestToken(a, { ...ctx('rt'), refreshTokens: tokens });
      const second = (await tokens.load('rt'))!;
      expect(second).not.toBe(first);
      expect(srv.refreshTokenValid(first)).toBe(false);
      expect(srv.refreshTokenValid(second)).toBe(true);
      const row = (await new MailboxTokenStore(store).get('rt'))!;
      expect(row.refreshToken).toMatch(/^v1:/);
      expect(row.refreshToken).not.toContain(second);
      // A spent token (another process rotated it, or consent was withdrawn) says how to recover.
      await tokens.save('rt', 'generic', first);
      await expect(requestToken(a, { ...ctx('rt'), refreshTokens: tokens })).rejects.toMatchObject({ code: 'invalid_grant', permanent: true, hint: expect.stringContaining('mailboxes login rt') });
    } finally {
      store.close();
    }
  });

  it('sign-in: authorization code with PKCE over a loopback redirect, and the device flow', async () => {
    srv.addClient({ id: 'desktop' });
    const a = auth({ provider: 'generic', grant: 'refresh_token', tokenUrl: srv.tokenUrl, authorizeUrl: srv.authorizeUrl, deviceAuthorizationUrl: srv.deviceUrl, clientId: 'desktop', scope: 'imap' });
    let said = '';
    const browser = loginWithBrowser(a, { mailbox: 'p', user: 'p@x.cl', say: (l) => (said += l) });
    await expect.poll(() => said).toContain('http');
    const url = said.match(/https?:\/\/\S+/)![0];
    expect(new URL(url).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    const page = await fetch(url); // the "browser": the server redirects to our loopback listener
    expect(await page.text()).toContain('Signed in');
    expect((await browser).refresh_token).toBeTruthy();

    said = '';
    const device = loginWithDevice(a, { mailbox: 'p', user: 'p@x.cl', say: (l) => (said += l) });
    await expect.poll(() => said).toContain('enter the code');
    srv.approveDevice(said.match(/code (\w+)/)![1], 'p@x.cl');
    expect((await device).refresh_token).toBeTruthy();
  });
});
