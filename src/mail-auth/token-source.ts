import { MailAuthError } from './errors.ts';
import { readServiceAccountKey, serviceAccountAssertion } from './google-jwt.ts';
import { endpointsOf, hintFor } from './providers.ts';
import type { RefreshTokens } from './refresh-tokens.ts';
import type { MailAuthConfig } from './schema.ts';
import { postForm, type TokenResponse } from './token-endpoint.ts';

// Access tokens for a mailbox's auth block, shared by IMAP and (later) SMTP: one cache per
// process, one request in flight per credential, refreshed before expiry.

export interface TokenContext {
  /** The mailbox name: key of its stored refresh token. */
  mailbox: string;
  /** The mailbox login; Google's default subject. */
  user: string;
  /** Needed by the refresh_token grant. */
  refreshTokens?: RefreshTokens;
}

export interface AccessToken {
  accessToken: string;
  /** Epoch ms when the provider says it expires. */
  expiresAt: number;
  /** Epoch ms after which it is refreshed instead of used. */
  refreshAt: number;
}

const DEFAULT_LIFETIME_S = 3600;
const MAX_MARGIN_MS = 5 * 60_000;
const cache = new Map<string, AccessToken>();
const inflight = new Map<string, Promise<AccessToken>>();

/** Which credential a token belongs to (no secret in it: keys may show up in a debugger). */
function keyOf(a: MailAuthConfig, ctx: TokenContext): string {
  const e = endpointsOf(a);
  const who = a.grant === 'refresh_token' ? ctx.mailbox : a.provider === 'google' ? (a.subject ?? ctx.user) : '';
  return JSON.stringify([a.provider, a.grant, e.tokenUrl, 'clientId' in a ? a.clientId : a.keyFile, e.scope, who]);
}

/**
 * A valid access token for the auth block: the cached one while it is fresh, else a new one.
 * `force` skips the cache (after the server refused the cached token).
 */
export async function accessTokenFor(a: MailAuthConfig, ctx: TokenContext, opts: { force?: boolean; now?: () => number } = {}): Promise<AccessToken> {
  const now = opts.now ?? Date.now;
  const key = keyOf(a, ctx);
  const hit = cache.get(key);
  if (hit && !opts.force && now() < hit.refreshAt) return hit;
  let pending = inflight.get(key);
  if (!pending) {
    pending = requestToken(a, ctx, now).finally(() => inflight.delete(key));
    inflight.set(key, pending);
    pending.then((t) => cache.set(key, t), () => cache.delete(key));
  }
  return pending;
}

/** Drops the cached token (all of them when `token` is not given or matches). */
export function invalidateToken(a: MailAuthConfig, ctx: TokenContext, token?: string): void {
  const key = keyOf(a, ctx);
  if (!token || cache.get(key)?.accessToken === token) cache.delete(key);
}

/** For nodemailer: `transporter.set('oauth2_provision_cb', oauth2ProvisionCallback(auth, ctx))`. */
export function oauth2ProvisionCallback(a: MailAuthConfig, ctx: TokenContext) {
  return (_user: string, renew: boolean, cb: (err: Error | null, accessToken?: string, expires?: number) => void) => {
    accessTokenFor(a, ctx, { force: renew }).then((t) => cb(null, t.accessToken, t.expiresAt), (err: Error) => cb(err));
  };
}

/** One token request, by grant; a rotated refresh token is saved before the access token is used. */
export async function requestToken(a: MailAuthConfig, ctx: TokenContext, now: () => number = Date.now): Promise<AccessToken> {
  const e = endpointsOf(a);
  const hint = (code: string) => hintFor(a, code, ctx.mailbox);
  const started = now();
  let res: TokenResponse;
  if (a.grant === 'refresh_token') {
    const store = ctx.refreshTokens;
    const current = (await store?.load(ctx.mailbox)) ?? null;
    if (!store || !current) throw new MailAuthError('login_required', `no refresh token stored for mailbox ${ctx.mailbox}`, hint('login_required'));
    res = await postForm(e.tokenUrl, {
      grant_type: 'refresh_token', refresh_token: current, ...clientFields(a),
      // Google refuses a scope on refresh; Microsoft and others take it to pick the resource.
      scope: a.provider === 'google' ? undefined : e.scope || undefined,
    }, { hint, basic: basicOf(a) });
    if (res.refresh_token && res.refresh_token !== current) await store.save(ctx.mailbox, a.provider, res.refresh_token);
  } else if (a.provider === 'google') {
    const key = readServiceAccountKey(a.keyFile!);
    const url = a.tokenUrl ?? key.token_uri ?? e.tokenUrl;
    const assertion = serviceAccountAssertion(key, { subject: a.subject ?? ctx.user, scope: e.scope, audience: url, now: started });
    res = await postForm(url, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, { hint });
  } else {
    res = await postForm(e.tokenUrl, { grant_type: 'client_credentials', ...clientFields(a), scope: e.scope || undefined }, { hint, basic: basicOf(a) });
  }
  const lifetimeMs = (Number(res.expires_in) > 0 ? Number(res.expires_in) : DEFAULT_LIFETIME_S) * 1000;
  // Counted from the request's start, and refreshed a quarter early (at most 5 min): a token
  // handed to a login is never seconds from expiry.
  return { accessToken: res.access_token, expiresAt: started + lifetimeMs, refreshAt: started + lifetimeMs - Math.min(MAX_MARGIN_MS, lifetimeMs / 4) };
}

function basicOf(a: MailAuthConfig) {
  return a.provider === 'generic' && a.clientAuth === 'basic' && a.clientSecret ? { clientId: a.clientId, clientSecret: a.clientSecret } : undefined;
}

function clientFields(a: MailAuthConfig): Record<string, string | undefined> {
  if (basicOf(a)) return {};
  return { client_id: a.clientId, client_secret: a.clientSecret };
}
