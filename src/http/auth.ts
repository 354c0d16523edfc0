import { createHash, timingSafeEqual } from 'node:crypto';

export const EXAMPLE_TOKEN = 'change-me';
export const MIN_TOKEN_LENGTH = 24;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export class UnsafeTokenError extends Error {
  readonly code = 'UnsafeAdminToken';
}

/**
 * The example token or a short one is fine on loopback (a developer's machine) and refused anywhere
 * else. The message says how to fix it and never repeats the token.
 */
export function assertTokenPolicy(token: string, host: string): void {
  const weak = token === EXAMPLE_TOKEN || token.length < MIN_TOKEN_LENGTH;
  if (weak && !LOOPBACK.has(host.trim().toLowerCase())) {
    throw new UnsafeTokenError(
      `admin.token is the example token or shorter than ${MIN_TOKEN_LENGTH} characters, and admin.host is ${host}: ` +
        'set a long random token (for example CENTRALIZER_ADMIN_TOKEN=$(openssl rand -hex 32)) or bind admin.host to 127.0.0.1',
    );
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time check of `Authorization: Bearer <token>`: equal-length digests, whatever was sent. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ ]+(\S{1,512})\s*$/i.exec(header ?? '');
  const given = digest(m ? m[1] : '');
  const ok = timingSafeEqual(given, digest(token));
  return ok && m !== null;
}
