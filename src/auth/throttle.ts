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

  /** Whether `key` failed within the window (a "suspect" address for the check gate). */
  failedRecently(key: string, now: number): boolean {
    const f = this.failures.get(key);
    return f !== undefined && now - f.last <= this.opts.windowMs;
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

/** Limits on password checks (scrypt: 16 MB and a libuv pool thread each, about 50-100 ms of CPU). */
export interface CheckGateOptions {
  /** Checks running at once; the rest wait their turn. */
  concurrency: number;
  /** Requests admitted and waiting for a turn; past it, 429 at once. */
  maxWaiting: number;
  /** Checks per second for the whole server (a token bucket of `burst`). */
  perSecond: number;
  burst: number;
  /**
   * Global tokens an address with recent failures cannot take (half of them, for a new address):
   * the last ones are kept for addresses a sign-in succeeded from.
   */
  reserve: number;
  /** Checks per minute for one account (a token bucket of `accountBurst`); its last `accountReserve` kept as above. */
  accountPerMinute: number;
  accountBurst: number;
  accountReserve: number;
  /** Accounts and good addresses remembered (least recently used dropped first). */
  capacity: number;
}

export const DEFAULT_CHECK_GATE: CheckGateOptions = { concurrency: 2, maxWaiting: 32, perSecond: 10, burst: 20, reserve: 4, accountPerMinute: 20, accountBurst: 6, accountReserve: 2, capacity: 10_000 };

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly size: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = size;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) this.tokens = Math.min(this.size, this.tokens + (now - this.at) * this.perMs);
    this.at = Math.max(this.at, now);
  }

  /** Ms until a token can be taken leaving `reserve` behind; 0 when it can be taken now. */
  wait(now: number, reserve: number): number {
    this.refill(now);
    const need = 1 + reserve - this.tokens;
    return need <= 0 ? 0 : Math.ceil(need / this.perMs);
  }

  take(): void {
    this.tokens -= 1;
  }

  refund(): void {
    this.tokens = Math.min(this.size, this.tokens + 1);
  }
}

interface QueueEntry {
  granted: boolean;
  cancelled: boolean;
  grant(): void;
}

/** How far an address is trusted: a sign-in succeeded from it, nothing known, or it failed recently. */
export type Standing = 'good' | 'new' | 'suspect';

export type Admission =
  | {
      ok: true;
      /** Resolves when a check may start. */
      turn: Promise<void>;
      /** Always call, once, when done (or given up). */
      release(): void;
      /** The password was right: the account's token is given back (its owner signing in often is no attack). */
      succeeded(): void;
    }
  | { ok: false; reason: 'address' | 'account' | 'global' | 'queue'; retryAfterMs: number };

/**
 * The gate in front of every password check, on top of the sign-in delays: one check at a time per
 * address (a second request from it while the first waits or runs is refused), a cap per account
 * and for the whole server (token buckets), and at most `concurrency` checks running with a bounded
 * queue. Nothing waits without bound: what does not fit is refused at once (429 with Retry-After).
 * Addresses queue by standing (a sign-in succeeded from it, then new ones, then those with recent
 * failures) and only a good address can take the last tokens of the buckets, so a flood, from one
 * address or from many new ones, leaves room for a sign-in from another.
 */
export class PasswordCheckGate {
  private readonly opts: CheckGateOptions;
  private readonly global: TokenBucket;
  private readonly accounts = new Map<string, TokenBucket>();
  private readonly busy = new Set<string>();
  private readonly good = new Set<string>();
  private readonly queue: Record<Standing, QueueEntry[]> = { good: [], new: [], suspect: [] };
  private running = 0;
  /** Checks let through (started), for metrics and tests. */
  started = 0;
  refused = 0;

  constructor(opts: Partial<CheckGateOptions> = {}, now = Date.now()) {
    this.opts = { ...DEFAULT_CHECK_GATE, ...opts };
    this.global = new TokenBucket(this.opts.burst, this.opts.perSecond / 1000, now);
  }

  private account(key: string, now: number): TokenBucket {
    let b = this.accounts.get(key);
    if (b) this.accounts.delete(key); // re-inserted last: the Map's order is the eviction order
    else b = new TokenBucket(this.opts.accountBurst, this.opts.accountPerMinute / 60_000, now);
    this.accounts.set(key, b);
    if (this.accounts.size > this.opts.capacity) this.accounts.delete(this.accounts.keys().next().value!);
    return b;
  }

  /** An address a sign-in succeeded from: its checks go first and may take the last tokens. */
  vouch(address: string): void {
    this.good.delete(address);
    this.good.add(address);
    if (this.good.size > this.opts.capacity) this.good.delete(this.good.values().next().value!);
  }

  standing(address: string, failedRecently: boolean): Standing {
    return failedRecently ? 'suspect' : this.good.has(address) ? 'good' : 'new';
  }

  admit(address: string, account: string, standing: Standing, now: number): Admission {
    const keep = (reserve: number) => (standing === 'suspect' ? reserve : standing === 'new' ? Math.floor(reserve / 2) : 0);
    const refuse = (reason: 'address' | 'account' | 'global' | 'queue', retryAfterMs: number): Admission => {
      this.refused++;
      return { ok: false, reason, retryAfterMs: Math.max(1000, retryAfterMs) };
    };
    if (this.busy.has(address)) return refuse('address', 1000);
    const acc = this.account(account, now);
    const accountWait = acc.wait(now, keep(this.opts.accountReserve));
    if (accountWait > 0) return refuse('account', accountWait);
    const globalWait = this.global.wait(now, keep(this.opts.reserve));
    if (globalWait > 0) return refuse('global', globalWait);
    if (this.running >= this.opts.concurrency && this.waiting >= this.opts.maxWaiting) return refuse('queue', 1000);
    acc.take();
    this.global.take();
    this.busy.add(address);
    const entry = { granted: false, cancelled: false, grant: () => undefined as void };
    const turn = new Promise<void>((resolve) => {
      entry.grant = () => {
        entry.granted = true;
        this.started++;
        resolve();
      };
    });
    if (this.running < this.opts.concurrency) {
      this.running++;
      entry.grant();
    } else this.queue[standing].push(entry);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.busy.delete(address);
      if (!entry.granted) {
        entry.cancelled = true; // gave up before its turn: skipped when the queue reaches it
        return;
      }
      let next: QueueEntry | undefined;
      while ((next = this.queue.good.shift() ?? this.queue.new.shift() ?? this.queue.suspect.shift()) && next.cancelled);
      if (next) next.grant();
      else this.running--;
    };
    return { ok: true, turn, release, succeeded: () => acc.refund() };
  }

  get waiting(): number {
    return [...this.queue.good, ...this.queue.new, ...this.queue.suspect].filter((e) => !e.cancelled).length;
  }

  get inFlight(): number {
    return this.running;
  }
}
