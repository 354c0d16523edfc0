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

/**
 * Repeated failures from one address are slowed down: after `maxFailures` within `windowMs` the
 * address gets 429 until the oldest failure leaves the window. Bounded memory: old entries go.
 */
export class FailureLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** Milliseconds the address must wait, 0 when it may try. */
  retryAfter(address: string, now: number): number {
    const times = this.recent(address, now);
    if (times.length < this.maxFailures) return 0;
    return Math.max(1, times[times.length - this.maxFailures] + this.windowMs - now);
  }

  fail(address: string, now: number): void {
    if (this.failures.size > 10_000) this.prune(now);
    const times = this.recent(address, now);
    times.push(now);
    this.failures.set(address, times.slice(-this.maxFailures));
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((t) => t > now - this.windowMs);
  }

  private prune(now: number): void {
    for (const [address, times] of this.failures) if (!times.some((t) => t > now - this.windowMs)) this.failures.delete(address);
  }
}
