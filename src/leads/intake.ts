import { io, type LeaseFence, type RawEmailInput, type StoreTx, type Work } from '../db/port.ts';
import { AppError } from '../errors.ts';

/** Stores a message unless it is already stored (same Message-ID, or same content without one). */
export function* storeRaw(tx: StoreTx, m: RawEmailInput, now: number): Work<number | null> {
  if (yield* io(tx.findExisting(m.messageId, m.sha256))) return null;
  return yield* io(tx.insertRaw(m, now));
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
  const ids: (number | null)[] = [];
  for (const m of batch) ids.push(yield* storeRaw(tx, m, now));
  yield* io(tx.setCursor(mailbox, uidValidity, lastUid, now));
  return ids;
}
