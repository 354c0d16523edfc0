import { io, type LeaseFence, type RawEmailInput, type StoreTx, type Work } from '../db/port.ts';
import { AppError } from '../errors.ts';

/** Stores a message unless it is already stored (same Message-ID, or same content without one). */
export function* storeRaw(tx: StoreTx, m: RawEmailInput, now: number): Work<number | null> {
  return (yield* storeRaws(tx, [m], now))[0];
}

/** The key a message is found by: its Message-ID, or its content when it has none (as findExisting). */
const rawKey = (m: RawEmailInput) => (m.messageId !== null ? `m ${m.messageId}` : `s ${m.sha256}`);

/**
 * storeRaw for a batch, in one lookup and one insert: each message's new id in the batch's order,
 * null for one already stored, or stored earlier in the same batch.
 */
export function* storeRaws(tx: StoreTx, batch: readonly RawEmailInput[], now: number): Work<(number | null)[]> {
  if (!batch.length) return [];
  yield* io(tx.lockRawKeys(batch)); // the same email from two mailboxes (or daemons) at once: one row
  const stored = yield* io(tx.storedAlready(batch));
  const seen = new Set<string>();
  const fresh: number[] = [];
  for (const [i, m] of batch.entries()) {
    const key = rawKey(m);
    if (stored[i] || seen.has(key)) continue;
    seen.add(key);
    fresh.push(i);
  }
  const ids = fresh.length ? yield* io(tx.insertRaws(fresh.map((i) => batch[i]), now)) : [];
  const out: (number | null)[] = batch.map(() => null);
  for (const [k, i] of fresh.entries()) out[i] = ids[k];
  return out;
}

/**
 * Stores a fetched batch and advances the mailbox cursor in one unit of work. Messages already
 * stored are skipped, so a rescan after a UIDVALIDITY change creates nothing twice. Returns the
 * ids of the new raw rows. With a `fence` (the mailbox's lease), nothing commits unless the lease is
 * still held at its epoch: a daemon that paused past its lease cannot move a cursor it lost.
 */
export function* storeBatch(tx: StoreTx, mailbox: string, uidValidity: number, lastUid: number, batch: RawEmailInput[], now: number, fence?: LeaseFence | null): Work<number[]> {
  return (yield* storeBatchRows(tx, mailbox, uidValidity, lastUid, batch, now, fence)).filter((id): id is number => id !== null);
}

/** storeBatch, with each message's new id in the batch's order (null: already stored, skipped). */
export function* storeBatchRows(tx: StoreTx, mailbox: string, uidValidity: number, lastUid: number, batch: RawEmailInput[], now: number, fence?: LeaseFence | null): Work<(number | null)[]> {
  if (fence && !(yield* io(tx.fenceLease(fence.name, fence.owner, fence.epoch)))) {
    throw new AppError('lease.lost', `mailbox ${mailbox}: its lease was taken over by another daemon; this batch is left to it`);
  }
  const ids = yield* storeRaws(tx, batch, now);
  yield* io(tx.setCursor(mailbox, uidValidity, lastUid, now));
  return ids;
}
