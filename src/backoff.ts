// Reconnect backoff maths, pure so it can be pinned in tests with an injected random().

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  /** +/- fraction of the delay (0.2 = 80 %..120 %), so many daemons do not reconnect in lockstep. */
  jitter?: number;
}

/** Delay before reconnect attempt `attempt` (0-based): base * factor^attempt, capped, then jittered. */
export function backoffDelayMs(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs = 1000, maxMs = 60_000, factor = 2, jitter = 0.2 } = opts;
  const n = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 0));
  // min() before jitter: a huge attempt gives Infinity, which the cap turns back into maxMs.
  const delay = Math.min(maxMs, baseMs * factor ** n);
  return Math.max(0, Math.round(delay * (1 - jitter + 2 * jitter * random())));
}

const AUTH_MIN_MS = 5 * 60_000;
const AUTH_MAX_MS = 30 * 60_000;

/**
 * Delay after an authentication failure: slow, so a wrong password does not hammer the
 * server (or get the account locked). 5 min doubling to 30 min, jitter never below 5 min.
 */
export function authFailureDelayMs(attempt: number, random: () => number = Math.random, bounds: AuthBackoff = {}): number {
  const { minMs = AUTH_MIN_MS, maxMs = AUTH_MAX_MS } = bounds;
  const d = backoffDelayMs(attempt, { baseMs: minMs, maxMs }, random);
  return Math.min(maxMs, Math.max(minMs, d));
}

/** Bounds of the slow schedule after a refused login (OAuth2 mailboxes start at 1 min; tests shorten both). */
export interface AuthBackoff {
  minMs?: number;
  maxMs?: number;
}
