/**
 * Failed sign-ins slow down, per account and per address: each failure past `free` doubles the
 * wait before the next attempt is checked, up to `maxDelayMs`, and failures are forgotten after
 * `windowMs`. It is a delay, never a lock: the right password always gets in, only later.
 * Memory is bounded by design: at most `capacity` keys, the least recently failed dropped first.
 */
export class SignInThrottle {
  private failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly opts = { free: 3, baseDelayMs: 250, maxDelayMs: 8_000, windowMs: 15 * 60_000, capacity: 10_000 },
  ) {}

  /** Milliseconds to wait before checking an attempt for these keys. */
  delay(keys: string[], now: number): number {
    let worst = 0;
    for (const key of keys) {
      const f = this.failures.get(key);
      if (!f || now - f.last > this.opts.windowMs) continue;
      const over = f.count - this.opts.free;
      if (over > 0) worst = Math.max(worst, Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(over - 1, 20)));
    }
    return worst;
  }

  fail(keys: string[], now: number): void {
    for (const key of keys) {
      const f = this.failures.get(key);
      const count = f && now - f.last <= this.opts.windowMs ? f.count + 1 : 1;
      this.failures.delete(key); // re-inserted last: the Map's order is the eviction order
      this.failures.set(key, { count, last: now });
      if (this.failures.size > this.opts.capacity) this.failures.delete(this.failures.keys().next().value!);
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  get size(): number {
    return this.failures.size;
  }
}

/**
 * Bad bearer tokens per address: past `max` within the window the address gets 429 for bad
 * tokens only (a valid credential is checked first and never refused). Bounded like the throttle.
 */
export class BadTokenLimiter {
  private seen = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly max = 20,
    private readonly windowMs = 60_000,
    private readonly capacity = 10_000,
  ) {}

  /** Records a failure; returns the ms to wait when the address is over the limit, else 0. */
  fail(address: string, now: number): number {
    const s = this.seen.get(address);
    const entry = s && now - s.since < this.windowMs ? { count: s.count + 1, since: s.since } : { count: 1, since: now };
    this.seen.delete(address);
    this.seen.set(address, entry);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    return entry.count > this.max ? entry.since + this.windowMs - now : 0;
  }

  get size(): number {
    return this.seen.size;
  }
}
