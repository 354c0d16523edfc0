import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MailAuthError } from './errors.ts';
import { endpointsOf, hintFor } from './providers.ts';
import type { MailAuthConfig } from './schema.ts';
import { postForm, type TokenResponse } from './token-endpoint.ts';

// `centralizer mailboxes login`: the authorization-code flow with PKCE and a loopback redirect
// (RFC 8252), or the device flow (RFC 8628), ending in a refresh token for the mailbox.

export interface LoginOptions {
  mailbox: string;
  user: string;
  /** Where the instructions go (the URL to open, the device code). */
  say: (line: string) => void;
  /** Loopback port of the redirect; 0 picks a free one. */
  port?: number;
  timeoutMs?: number;
}

const b64url = (b: Buffer) => b.toString('base64url');

function client(a: MailAuthConfig): Record<string, string | undefined> {
  return { client_id: 'clientId' in a ? a.clientId : undefined, client_secret: a.clientSecret };
}

function needRefresh(res: TokenResponse, a: MailAuthConfig): TokenResponse {
  if (!res.refresh_token) {
    const why = a.provider === 'microsoft' ? 'add offline_access to the scope' : a.provider === 'google' ? 'revoke the app at myaccount.google.com/permissions and log in again (Google sends it on first consent only)' : 'the client or scope must allow offline access';
    throw new MailAuthError('no_refresh_token', 'the provider returned no refresh token', why);
  }
  return res;
}

/** Authorization code + PKCE: prints the URL to open, waits for the redirect to 127.0.0.1, exchanges the code. */
export async function loginWithBrowser(a: MailAuthConfig, opts: LoginOptions): Promise<TokenResponse> {
  const e = endpointsOf(a);
  if (!e.authorizeUrl) throw new MailAuthError('no_authorize_url', 'this provider has no authorization URL configured', 'set authorizeUrl in the auth block, or use --device');
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  try {
    const url = new URL(e.authorizeUrl);
    const params: Record<string, string> = {
      response_type: 'code', client_id: client(a).client_id ?? '', redirect_uri: redirectUri, scope: e.scope, state,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256', login_hint: opts.user,
    };
    if (a.provider === 'google') Object.assign(params, { access_type: 'offline', prompt: 'consent' });
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    opts.say(`Open this address in a browser and sign in as ${opts.user}:\n${url.href}`);
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new MailAuthError('login_timeout', 'no answer from the browser in time', 'run the command again and finish the sign-in sooner')), opts.timeoutMs ?? 5 * 60_000);
      server.on('request', (req, res) => {
        const q = new URL(req.url ?? '/', redirectUri).searchParams;
        if (!req.url?.startsWith('/callback') || q.get('state') !== state) {
          res.writeHead(404).end(); // a stray request (favicon, a scanner) neither fails nor completes the login
          return;
        }
        clearTimeout(timer);
        const err = q.get('error');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(err ? `Sign-in failed: ${err}. See the terminal.` : 'Signed in. You can close this tab and go back to the terminal.');
        if (err) reject(new MailAuthError(err, `sign-in refused: ${err} ${(q.get('error_description') ?? '').slice(0, 300)}`.trim(), hintFor(a, err, opts.mailbox)));
        else resolve(q.get('code') ?? '');
      });
    });
    const res = await postForm(e.tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, ...client(a) }, { hint: (c) => hintFor(a, c, opts.mailbox) });
    return needRefresh(res, a);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri?: string;
  /** Google's spelling. */
  verification_url?: string;
  verification_uri_complete?: string;
  expires_in?: number;
  interval?: number;
}

/** Device flow: prints the code to enter elsewhere, polls the token endpoint until it is approved. */
export async function loginWithDevice(a: MailAuthConfig, opts: LoginOptions): Promise<TokenResponse> {
  const e = endpointsOf(a);
  const hint = (c: string) => hintFor(a, c, opts.mailbox);
  if (!e.deviceAuthorizationUrl) throw new MailAuthError('no_device_url', 'this provider has no device authorization URL configured', 'set deviceAuthorizationUrl in the auth block, or log in without --device');
  const d = await postForm<DeviceAuthorization>(e.deviceAuthorizationUrl, { client_id: client(a).client_id, scope: e.scope }, { hint, anyJson: true });
  const where = d.verification_uri_complete ?? d.verification_uri ?? d.verification_url;
  opts.say(`On any device, open ${where} and enter the code ${d.user_code} (sign in as ${opts.user}).`);
  let interval = Math.max(1, d.interval ?? 5) * 1000;
  const deadline = Date.now() + Math.min((d.expires_in ?? 900) * 1000, opts.timeoutMs ?? Infinity);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, interval));
    try {
      const res = await postForm(e.tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: d.device_code, ...client(a) }, { hint });
      return needRefresh(res, a);
    } catch (err) {
      const code = (err as MailAuthError).code;
      if (code === 'authorization_pending') continue;
      if (code === 'slow_down') interval += 5000;
      else throw err;
    }
  }
  throw new MailAuthError('expired_token', 'the device code expired before it was approved', 'run the command again');
}

/** Who signed in, from the id_token's claims when the provider sent one (not verified: display only). */
export function signedInAs(res: TokenResponse): string | null {
  try {
    const claims = JSON.parse(Buffer.from(res.id_token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const v = claims.email ?? claims.preferred_username ?? claims.upn;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
