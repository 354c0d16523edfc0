import fs from 'node:fs';
import os from 'node:os';
import { io, type Storage } from '../db/port.ts';
import { AppError } from '../errors.ts';

export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;

export class LeaseHeldError extends AppError {
  constructor(message: string) {
    super('lease.held', message);
    this.name = 'LeaseHeldError';
  }
}

/** Leases this process holds, so a second daemon in the same process is refused too (same owner string). */
const heldHere = new Set<string>();

/** Is a process with this pid running on this host? A zombie (killed, not yet reaped) is not. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

export interface LeaseOptions {
  name?: string;
  owner?: string;
  ttlMs?: number;
  renewMs?: number;
  now?: () => number;
  /** Called when a renewal finds the lease taken by someone else: this process must stop ingesting. */
  onLost?: (holder: string | null) => void;
}

/**
 * One daemon per database: a row in `leases` with an owner (`host:pid`) and an expiry, renewed
 * while the daemon runs. Taken over when expired, or at once when its owner is a dead process on
 * this host (a daemon killed -9 and restarted must not wait out the expiry).
 */
export class DaemonLease {
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  private constructor(
    private readonly store: Storage,
    private readonly key: string,
    readonly name: string,
    readonly owner: string,
    private readonly opts: Required<Omit<LeaseOptions, 'onLost' | 'name' | 'owner'>> & Pick<LeaseOptions, 'onLost'>,
  ) {}

  /** `database` names the store in messages and keys this process's own leases. */
  static async acquire(store: Storage & { readonly name?: string }, options: LeaseOptions = {}): Promise<DaemonLease> {
    const name = options.name ?? 'daemon';
    const owner = options.owner ?? `${os.hostname()}:${process.pid}`;
    const opts = { ttlMs: options.ttlMs ?? LEASE_TTL_MS, renewMs: options.renewMs ?? LEASE_RENEW_MS, now: options.now ?? Date.now, onLost: options.onLost };
    const database = store.name ?? 'the database';
    const key = `${database}|${name}`;
    // One unit of work: the write lock comes first, so two daemons starting together cannot both win.
    await store.unitOfWork(function* (tx) {
      const now = opts.now();
      const row = yield* io(tx.getLease(name));
      // Our own owner string in the row is either a daemon in this process (heldHere) or a previous
      // process that had this pid (containers reuse pids), which cannot be running any more.
      const held = row && row.expiresAt > now && (row.owner === owner ? heldHere.has(key) : !ownerIsDead(row.owner));
      if (row && held) {
        const left = Math.ceil((row.expiresAt - now) / 1000);
        throw new LeaseHeldError(
          `database ${database} is in use by another daemon (${row.owner}); its lease expires in ${left} s unless renewed. ` +
            'Stop that daemon first, or point this one at another database.',
        );
      }
      yield* io(tx.putLease(name, owner, now + opts.ttlMs));
    });
    heldHere.add(key);
    const lease = new DaemonLease(store, key, name, owner, opts);
    lease.timer = setInterval(() => void lease.renew(), opts.renewMs);
    lease.timer.unref();
    return lease;
  }

  /** Extends the expiry; false (and onLost) when another owner holds the row now. */
  async renew(): Promise<boolean> {
    if (this.released) return false;
    const { name, owner } = this;
    try {
      const expiresAt = this.opts.now() + this.opts.ttlMs;
      if (await this.store.unitOfWork((tx) => io(tx.renewLease(name, owner, expiresAt)))) return true;
    } catch {
      return true; // a busy database is not a lost lease; the next renewal tries again
    }
    const holder = (await this.store.getLease(name))?.owner ?? null;
    this.stopTimer();
    this.opts.onLost?.(holder);
    return false;
  }

  /** Gives the lease up, so the next daemon can start at once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stopTimer();
    heldHere.delete(this.key);
    const { name, owner } = this;
    // A closed store, a busy one: the expiry frees the lease anyway.
    this.store.unitOfWork((tx) => io(tx.dropLease(name, owner))).catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The owner `host:pid` is a process on this host that is no longer running (another host's owner never is). */
export function ownerIsDead(owner: string): boolean {
  const i = owner.lastIndexOf(':');
  if (i < 0 || owner.slice(0, i) !== os.hostname()) return false;
  const pid = Number(owner.slice(i + 1));
  return !pidAlive(pid);
}
