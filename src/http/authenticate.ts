import type { IncomingMessage } from 'node:http';
import type { App } from '../app.ts';
import { FULL_SCOPE, type Caller } from '../auth/scope.ts';
import { BadTokenLimiter, PasswordCheckGate, SignInThrottle } from '../auth/throttle.ts';
import { bearerMatches } from './auth.ts';
import { HttpError } from './errors.ts';
import { clientAddress, fromTrustedProxy } from '../client-address.ts';
import type { ServerDeps } from './types.ts';
import type { Accounts } from '../auth/accounts.ts';

export const SESSION_COOKIE = 'centralizer_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The config's token: the bootstrap and automation credential, admin role, recorded as `token:admin`. */
const ADMIN_TOKEN_CALLER: Caller = { userId: null, email: null, name: 'token:admin', role: 'admin', vendorId: null, actor: 'token:admin', scope: FULL_SCOPE, caseScope: FULL_SCOPE, via: 'admin-token' };

export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

/** Who is calling: the admin token, a personal token, or a session cookie; and the checks around it. */
export function createAuthenticator(app: App, accounts: Accounts, deps: ServerDeps, now: () => number) {
  const badTokens = new BadTokenLimiter(deps.authLimit?.maxFailures ?? 20, deps.authLimit?.windowMs ?? 60_000);
  const signIns = new SignInThrottle(deps.signInDelay);
  const passwordChecks = new PasswordCheckGate(deps.passwordChecks, now());

  /** Served over TLS here, or by a proxy the config trusts. */
  const secure = (req: IncomingMessage) =>
    Boolean((req.socket as { encrypted?: boolean }).encrypted) || (fromTrustedProxy(req, app.config.admin.trustProxy) && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https');

  const address = (req: IncomingMessage) => clientAddress(req, app.config.admin.trustProxy);

  async function identify(req: IncomingMessage, addr: string, pathname: string): Promise<Caller | null> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      // A valid credential is checked first and never refused by the limiter.
      if (bearerMatches(header, app.config.admin.token)) return ADMIN_TOKEN_CALLER;
      const m = /^Bearer[ ]+(\S{1,512})\s*$/i.exec(header);
      const caller = m ? await accounts.fromToken(m[1], now()) : null;
      if (caller) return caller;
      const wait = badTokens.fail(addr, now());
      deps.log.warn({ address: addr, path: pathname.slice(0, 100) }, 'API request with an invalid token');
      if (wait > 0) throw new HttpError(429, 'demasiados intentos con un token inválido: espera un momento', { 'Retry-After': String(Math.ceil(wait / 1000)) });
      throw new HttpError(401, 'token inválido o revocado', { 'WWW-Authenticate': 'Bearer realm="centralizer"' });
    }
    const secret = readCookie(req, SESSION_COOKIE);
    return secret ? accounts.fromSession(secret, now()) : null;
  }

  /** Origin (when sent) must be this server's own. */
  function sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return req.headers['sec-fetch-site'] === undefined || req.headers['sec-fetch-site'] === 'same-origin';
    const host = req.headers.host;
    return Boolean(host) && (origin === `http://${host}` || origin === `https://${host}`);
  }

  /** Writes made with a cookie need the same origin and the session's CSRF token in a header. */
  function checkCsrf(req: IncomingMessage, caller: Caller): void {
    if (caller.via !== 'session') return;
    if (!sameOrigin(req) || req.headers[CSRF_HEADER] !== caller.csrf) throw new HttpError(403, 'solicitud rechazada: origen o token CSRF no válido (recarga la página)');
  }

  function sessionCookie(token: string, maxAgeSeconds: number, req: IncomingMessage): string {
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure(req) ? '; Secure' : ''}`;
  }

  return { address, identify, checkCsrf, sameOrigin, sessionCookie, signIns, passwordChecks, badTokens, clearCookie: (req: IncomingMessage) => sessionCookie('', 0, req) };
}
