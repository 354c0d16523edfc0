// A small OAuth2 authorization server for tests (node:http on 127.0.0.1): the token endpoint
// (RFC 6749: client credentials, refresh token with rotation, authorization code with PKCE;
// RFC 7523 JWT bearer; RFC 8628 device code) and introspection (RFC 7662) for Dovecot's oauth2
// passdb. Every access token is bound to one mailbox: Dovecot sends only the token.
import { createHash, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Client { id: string; secret?: string; mailbox?: string; revoked: boolean }
interface Issued { username: string; clientId: string; expiresAt: number; revoked: boolean }
interface Refresh { username: string; clientId: string }

export interface OAuthServer {
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  deviceUrl: string;
  /** Lifetime of new access tokens, seconds. */
  ttlSec: number;
  addClient(c: { id: string; secret?: string; mailbox?: string }): void;
  /** A service account (JWT bearer) that may act as the listed users (domain-wide delegation). */
  addServiceAccount(email: string, publicKey: KeyObject, users: string[]): void;
  revokeClient(id: string): void;
  restoreClient(id: string): void;
  /** Every issued access token stops being active (as a provider's revocation would). */
  revokeAccessTokens(): void;
  /** A refresh token as an earlier login would have left it. */
  seedRefreshToken(clientId: string, username: string): string;
  refreshTokenValid(token: string): boolean;
  /** Approves a pending device code for this user (what the person does on their phone). */
  approveDevice(userCode: string, username: string): void;
  /** Token requests by grant_type (`refresh_token`, `client_credentials`, …), and their outcomes. */
  requests: { grant: string; ok: boolean; error?: string; at: number }[];
  count(grant?: string, ok?: boolean): number;
  introspections: number;
  /** When the token of the user's latest login (an active introspection) expires; null before any. */
  loginExpiry(username: string): number | null;
  close(): Promise<void>;
}

const rand = () => randomBytes(18).toString('base64url');

export async function startOAuthServer(opts: { ttlSec?: number } = {}): Promise<OAuthServer> {
  const clients = new Map<string, Client>();
  const accounts = new Map<string, { key: KeyObject; users: Set<string> }>();
  const access = new Map<string, Issued>();
  const refresh = new Map<string, Refresh>();
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; username: string }>();
  const devices = new Map<string, { clientId: string; userCode: string; username: string | null }>();
  const requests: OAuthServer['requests'] = [];
  let introspections = 0;
  const logins = new Map<string, number>();

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
      const u = new URL(req.url ?? '/', self.url);
      const form = new URLSearchParams(body);
      if (req.method === 'POST' && u.pathname === '/token') return token(form, req.headers.authorization, json);
      if (req.method === 'POST' && u.pathname === '/introspect') {
        introspections++;
        const t = access.get(form.get('token') ?? '');
        const live = t && !t.revoked && t.expiresAt > Date.now() && !clients.get(t.clientId)?.revoked;
        if (live) logins.set(t.username, t.expiresAt);
        return json(200, live ? { active: true, username: t.username, client_id: t.clientId, exp: Math.floor(t.expiresAt / 1000), token_type: 'Bearer' } : { active: false });
      }
      if (req.method === 'GET' && u.pathname === '/authorize') {
        // Consent is given at once, as the user named by login_hint: the test plays the browser.
        const q = u.searchParams;
        if (!clients.has(q.get('client_id') ?? '') || q.get('code_challenge_method') !== 'S256') return json(400, { error: 'invalid_request' });
        const code = rand();
        codes.set(code, { clientId: q.get('client_id')!, redirectUri: q.get('redirect_uri')!, challenge: q.get('code_challenge')!, username: q.get('login_hint') ?? '' });
        const back = new URL(q.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        return res.writeHead(302, { location: back.href }).end();
      }
      if (req.method === 'POST' && u.pathname === '/device') {
        if (!clients.has(form.get('client_id') ?? '')) return json(401, { error: 'invalid_client' });
        const device = rand();
        const userCode = randomBytes(4).toString('hex').toUpperCase();
        devices.set(device, { clientId: form.get('client_id')!, userCode, username: null });
        return json(200, { device_code: device, user_code: userCode, verification_uri: `${self.url}/device/verify`, expires_in: 60, interval: 1 });
      }
      json(404, { error: 'not_found' });
    });
  });

  function issue(username: string, clientId: string, withRefresh: boolean) {
    const t = rand();
    access.set(t, { username, clientId, expiresAt: Date.now() + self.ttlSec * 1000, revoked: false });
    const out: Record<string, unknown> = { access_token: t, token_type: 'Bearer', expires_in: self.ttlSec };
    if (withRefresh) {
      const r = rand();
      refresh.set(r, { username, clientId });
      out.refresh_token = r;
    }
    return out;
  }

  function token(form: URLSearchParams, authorization: string | undefined, json: (s: number, v: unknown) => void) {
    const grant = form.get('grant_type') ?? '';
    const fail = (status: number, error: string, description?: string) => {
      requests.push({ grant, ok: false, error, at: Date.now() });
      json(status, { error, ...(description ? { error_description: description } : {}) });
    };
    const ok = (value: Record<string, unknown>) => {
      requests.push({ grant, ok: true, at: Date.now() });
      json(200, value);
    };
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const [h, p, s] = (form.get('assertion') ?? '').split('.');
      const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString() || '{}') as Record<string, unknown>;
      const sa = accounts.get(String(claims.iss));
      if (!sa || !createVerify('RSA-SHA256').update(`${h}.${p}`).verify(sa.key, Buffer.from(s ?? '', 'base64url'))) return fail(400, 'invalid_grant', 'Invalid JWT Signature.');
      if (claims.aud !== self.tokenUrl || Number(claims.exp) * 1000 < Date.now()) return fail(400, 'invalid_grant', 'Invalid JWT: audience or expiry');
      if (claims.scope !== 'https://mail.google.com/' || !sa.users.has(String(claims.sub))) return fail(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method.');
      return ok(issue(String(claims.sub), String(claims.iss), false));
    }
    // Client authentication: HTTP Basic or the body (RFC 6749 2.3.1).
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? undefined;
    if (authorization?.startsWith('Basic ')) {
      const [a, b] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      [id, secret] = [decodeURIComponent(a), decodeURIComponent(b ?? '')];
    }
    const c = clients.get(id);
    if (!c || c.revoked || (c.secret !== undefined && c.secret !== secret)) return fail(401, 'invalid_client', 'Client authentication failed.');
    if (grant === 'client_credentials') {
      if (!c.mailbox) return fail(400, 'unauthorized_client');
      return ok(issue(c.mailbox, c.id, false));
    }
    if (grant === 'refresh_token') {
      const r = refresh.get(form.get('refresh_token') ?? '');
      if (!r || r.clientId !== c.id) return fail(400, 'invalid_grant', 'The refresh token is invalid or was already used.');
      refresh.delete(form.get('refresh_token')!); // rotation: a refresh token is good once
      return ok(issue(r.username, c.id, true));
    }
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!code || code.clientId !== c.id || code.redirectUri !== form.get('redirect_uri')) return fail(400, 'invalid_grant');
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return fail(400, 'invalid_grant', 'PKCE verification failed.');
      return ok(issue(code.username, c.id, true));
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      const d = devices.get(form.get('device_code') ?? '');
      if (!d || d.clientId !== c.id) return fail(400, 'invalid_grant');
      if (!d.username) return fail(400, 'authorization_pending');
      devices.delete(form.get('device_code')!);
      return ok(issue(d.username, c.id, true));
    }
    fail(400, 'unsupported_grant_type');
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const self: OAuthServer = {
    url,
    tokenUrl: `${url}/token`,
    authorizeUrl: `${url}/authorize`,
    deviceUrl: `${url}/device`,
    ttlSec: opts.ttlSec ?? 3600,
    addClient: (c) => void clients.set(c.id, { ...c, revoked: false }),
    addServiceAccount: (email, key, users) => void accounts.set(email, { key, users: new Set(users) }),
    revokeClient: (id) => void (clients.get(id)!.revoked = true),
    restoreClient: (id) => void (clients.get(id)!.revoked = false),
    revokeAccessTokens: () => access.forEach((t) => (t.revoked = true)),
    seedRefreshToken(clientId, username) {
      const r = rand();
      refresh.set(r, { username, clientId });
      return r;
    },
    refreshTokenValid: (t) => refresh.has(t),
    approveDevice(userCode, username) {
      for (const d of devices.values()) if (d.userCode === userCode) d.username = username;
    },
    requests,
    count: (grant, ok) => requests.filter((r) => (grant === undefined || r.grant === grant) && (ok === undefined || r.ok === ok)).length,
    get introspections() {
      return introspections;
    },
    loginExpiry: (u) => logins.get(u) ?? null,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return self;
}
