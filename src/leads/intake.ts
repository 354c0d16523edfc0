import { io, type RawEmailInput, type StoreTx, type Work } from '../db/port.ts';

/** Stores a message unless it is already stored (same Message-ID, or same content without one). */
export function* storeRaw(tx: StoreTx, m: RawEmailInput, now: number): Work<number | null> {
  if (yield* io(tx.findExisting(m.messageId, m.sha256))) return null;
  return yield* io(tx.insertRaw(m, now));
}

/**
 * Stores a fetched batch and advances the mailbox cursor in one unit of work. Messages already
 * stored are skipped, so a rescan after a UIDVALIDITY change creates nothing twice. Returns the
 * ids of the new raw rows.
 */
export function* storeBatch(tx: StoreTx, mailbox: string, uidValidity: number, lastUid: number, batch: RawEmailInput[], now: number): Work<number[]> {
  const ids: number[] = [];
  for (const m of batch) {
    const id = yield* storeRaw(tx, m, now);
    if (id !== null) ids.push(id);
  }
  yield* io(tx.setCursor(mailbox, uidValidity, lastUid, now));
  return ids;
}
