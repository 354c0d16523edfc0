import crypto from 'node:crypto';
import os from 'node:os';
import { io, type LeaseFence, type Storage } from '../db/port.ts';

export const MAILBOX_LEASE_TTL_MS = 20_000;
export const MAILBOX_LEASE_RENEW_MS = 5_000;
const PREFIX = 'mailbox:';

export interface MailboxLeaseOptions {
  owner?: string;
  ttlMs?: number;
  renewMs?: number;
  now?: () => number;
  /** This daemon now holds the mailbox: start its worker. */
  onGained(mailbox: string): void;
  /** Another daemon took the mailbox (or this one could not renew in time): stop its worker. */
  onLost(mailbox: string): void;
}

/**
 * Per-mailbox leases, so several daemons on one database never poll the same mailbox: each tick
 * claims every configured mailbox (a free or expired lease is taken, a held one extended) and
 * reports the ones gained and lost. A daemon killed -9 stops renewing; the others take its
 * mailboxes once the lease expires (ttl + one tick at most). Each batch a worker stores is fenced
 * by the lease's epoch (storeBatch), so a daemon that paused past its lease and wakes up believing
 * it still holds it cannot move the cursor.
 */
export class MailboxLeases {
  readonly owner: string;
  private readonly held = new Map<string, { epoch: number; renewedAt: number }>();
  /** Who held each mailbox at the last tick (health shows the other daemons' mailboxes). */
  private holders = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Storage,
    private readonly mailboxes: string[],
    private readonly opts: MailboxLeaseOptions,
  ) {
    this.owner = opts.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.ttlMs = opts.ttlMs ?? MAILBOX_LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? MAILBOX_LEASE_RENEW_MS;
    this.now = opts.now ?? Date.now;
  }

  /** First claim now, then one every renewMs. */
  async start(): Promise<void> {
    await this.tick();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.renewMs);
    this.timer.unref();
  }

  /** One round of claims (tests call it directly); never two at once. */
  tick(): Promise<void> {
    return (this.ticking ??= this.claimAll().finally(() => (this.ticking = null)));
  }

  private async claimAll(): Promise<void> {
    for (const mailbox of this.mailboxes) {
      if (this.stopped) return;
      const now = this.now();
      let epoch: number | null;
      try {
        epoch = await this.store.unitOfWork((tx) => io(tx.claimLease(PREFIX + mailbox, this.owner, now, this.ttlMs)));
      } catch {
        // The database is unreachable: keep what we hold until our own lease would have expired.
        const mine = this.held.get(mailbox);
        if (mine && this.now() - mine.renewedAt >= this.ttlMs) this.lose(mailbox);
        continue;
      }
      const mine = this.held.get(mailbox);
      if (epoch === null) {
        if (mine) this.lose(mailbox);
      } else if (!mine || mine.epoch !== epoch) {
        if (mine) this.lose(mailbox); // lost and taken back in between: the old worker's batches are fenced out
        this.held.set(mailbox, { epoch, renewedAt: now });
        this.opts.onGained(mailbox);
      } else {
        mine.renewedAt = now;
      }
    }
    try {
      this.holders = new Map((await this.all()).map((l) => [l.mailbox, l.owner]));
    } catch {
      // health only: keep the last known holders
    }
  }

  /** The daemon holding a mailbox at the last tick, or null. */
  holder(mailbox: string): string | null {
    return this.held.has(mailbox) ? this.owner : (this.holders.get(mailbox) ?? null);
  }

  private lose(mailbox: string): void {
    this.held.delete(mailbox);
    this.opts.onLost(mailbox);
  }

  /** The fence a mailbox's batches commit under; null when this daemon does not hold it. */
  fence(mailbox: string): LeaseFence | null {
    const mine = this.held.get(mailbox);
    return mine ? { name: PREFIX + mailbox, owner: this.owner, epoch: mine.epoch } : null;
  }

  holding(): string[] {
    return [...this.held.keys()].sort();
  }

  /** Every mailbox lease in the database, with its holder (health). */
  async all(): Promise<{ mailbox: string; owner: string; expiresAt: number }[]> {
    return (await this.store.leasesLike(PREFIX)).map((l) => ({ mailbox: l.name.slice(PREFIX.length), owner: l.owner, expiresAt: l.expiresAt }));
  }

  /** Stops claiming and gives every held mailbox up, so another daemon takes them at once. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    const names = [...this.held.keys()];
    const owner = this.owner;
    this.held.clear();
    await this.store
      .unitOfWork(function* (tx) {
        for (const name of names) yield* io(tx.dropLease(PREFIX + name, owner));
      })
      .catch(() => undefined); // the expiry frees them anyway
  }
}
