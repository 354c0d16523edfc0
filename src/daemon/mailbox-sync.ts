import type { ImapFlow } from 'imapflow';
import type { App } from '../app.ts';
import type { MailboxConfig } from '../config.ts';
import type { LeaseFence, RawEmailInput } from '../db/port.ts';
import { storeBatch, storeBatchRows } from '../leads/intake.ts';
import { sha256, type StoredEmail } from '../ingest.ts';
import type { Logger } from '../logger.ts';
import { SizedBuffer } from '../sized-buffer.ts';
import { quickHeaders } from '../pipeline/quick-headers.ts';

/** What one sync found and did, for health and logs. */
export interface SyncResult {
  uidValidity: number;
  fetched: number;
  stored: number;
  behind: number;
}

/** Progress callbacks: the worker's watchdog and health read them. */
export interface SyncProgress {
  touch(): void;
  behind(n: number): void;
  stopping(): boolean;
  /** The mailbox's lease when daemons share the database: every batch's commit is fenced by it. */
  fence?(): LeaseFence | null;
}

/** "1:5,7,9:12" from sorted UIDs. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; i++) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j;
  }
  return parts.join(',');
}

/**
 * Where to resume: the stored last UID, or 0 (rescan) when the folder was reset, i.e. a new
 * UIDVALIDITY, or UIDNEXT at or below the stored last UID (two resets within one second can keep
 * the UIDVALIDITY). Dedupe by Message-ID and content hash keeps a rescan from creating duplicates.
 */
export function resumeFrom(cursor: { uidValidity: number; lastUid: number } | null, uidValidity: number, uidNext: number): { lastUid: number; reset: boolean } {
  if (!cursor) return { lastUid: 0, reset: false };
  if (cursor.uidValidity !== uidValidity || uidNext <= cursor.lastUid) return { lastUid: 0, reset: true };
  return { lastUid: cursor.lastUid, reset: false };
}

const BATCH_BYTES = 32 * 1024 * 1024;

/**
 * One catch-up of the selected folder: STATUS, then every UID above the cursor in bounded batches.
 * Each batch is stored with the cursor in one transaction, then processed, then flagged or moved
 * (only after the commit). A crash at any point loses nothing: before the commit the batch is
 * fetched again; after it, the raw rows are 'pending' and processed at the next start.
 */
export async function syncMailbox(client: ImapFlow, app: App, mailbox: MailboxConfig, log: Logger, progress: SyncProgress): Promise<SyncResult> {
  const { store, ingestor } = app;
  progress.touch();
  const status = await client.status(mailbox.folder, { uidNext: true, uidValidity: true });
  if (!status || status.uidNext === undefined) throw new Error(`STATUS ${mailbox.folder} failed`);
  progress.touch();
  const uidValidity = Number(status.uidValidity ?? (client.mailbox ? client.mailbox.uidValidity : 0));
  const from = resumeFrom(await store.getCursor(mailbox.name), uidValidity, status.uidNext);
  if (from.reset) {
    log.warn({ uidValidity, uidNext: status.uidNext }, 'folder was reset (UIDVALIDITY changed or UIDs went back): rescanning; already stored messages are skipped');
    await store.unitOfWork((tx) => storeBatch(tx, mailbox.name, uidValidity, 0, [], Date.now(), progress.fence?.())); // remember the reset, so it is detected once
  }
  let last = from.lastUid;
  const result: SyncResult = { uidValidity, fetched: 0, stored: 0, behind: 0 };
  if (status.uidNext - 1 <= last) {
    progress.behind(0);
    return result;
  }

  // 1. Which UIDs are new, and how big: no bodies yet, so a huge message is never downloaded.
  // `n:*` returns the last message even when nothing is newer: filter uid > last ourselves.
  const pending: { uid: number; size: number }[] = [];
  for await (const m of client.fetch(`${last + 1}:*`, { uid: true, size: true }, { uid: true })) {
    if (m.uid > last) pending.push({ uid: m.uid, size: m.size ?? 0 });
  }
  pending.sort((a, b) => a.uid - b.uid);
  progress.touch();
  progress.behind(pending.length);

  // A pipeline: while the workers parse batch N, this thread fetches and stores batch N+1 and
  // queues it behind N (so the workers never wait for a fetch), and commits N's outcomes as they
  // come (ingest.ts). Batch N+2 is fetched only once N is done: at most two batches are in memory.
  // Bodies go to the workers as fetched (moved, not copied, and not read back from the database).
  let previous: Promise<void> = Promise.resolve();
  let processing: Promise<void> = Promise.resolve();
  const process = async (items: StoredEmail[]) => {
    try {
      await ingestor.processBatch(items, { transfer: true, stopping: () => progress.stopping() });
    } catch (err) {
      // A database error (disk full, locked): the rows stay 'pending' and are retried.
      log.error({ rawEmailIds: items.map((i) => i.rawEmailId), err: (err as Error).message }, 'processing failed; the emails stay pending');
    }
    progress.touch();
  };
  while (pending.length > 0 && !progress.stopping()) {
    const { batchSize } = app.config.daemon;
    const batch: typeof pending = [];
    let bytes = 0;
    while (pending.length && batch.length < batchSize && (batch.length === 0 || bytes + pending[0].size <= BATCH_BYTES)) {
      const next = pending.shift()!;
      bytes += next.size;
      batch.push(next);
    }
    await previous; // batch N-1 done: N is being processed, N+1 may be fetched
    const { rows, fetched } = await fetchBatch(client, app, mailbox, uidValidity, batch, progress);
    const batchLast = batch[batch.length - 1].uid;
    const ids = await store.unitOfWork((tx) => storeBatchRows(tx, mailbox.name, uidValidity, batchLast, rows, Date.now(), progress.fence?.())); // rows + cursor: one transaction
    last = batchLast;
    const items: StoredEmail[] = [];
    for (const [i, id] of ids.entries()) {
      const row = rows[i];
      if (id !== null && row.status === 'pending' && row.raw) items.push({ rawEmailId: id, raw: row.raw, receivedAt: row.receivedAt, messageId: row.messageId });
    }
    rows.length = 0;
    result.fetched += ids.length;
    result.stored += ids.filter((id) => id !== null).length;
    progress.behind(pending.length);
    previous = processing;
    processing = process(items);
    // Only what was stored is flagged or moved: a listed message the FETCH did not return (expunged
    // meanwhile, or a server that left it out) is never moved away unread.
    if (fetched.length < batch.length) log.warn({ mailbox: mailbox.name, listed: batch.length, fetched: fetched.length }, 'messages listed but not returned by FETCH');
    await afterCommit(client, mailbox, fetched, log);
  }
  await previous;
  await processing;
  // UIDs below the STATUS UIDNEXT that the listing did not return were expunged, and UIDs are
  // never reused: move the cursor past them so the next sync does not list them again.
  // The cursor only ever moves to UIDs the listing returned: STATUS on the selected mailbox may
  // announce a UIDNEXT before this session sees the message (RFC 3501 6.3.10), and jumping to it
  // would skip that message forever. Expunged trailing UIDs only cost a cheap re-listing.
  result.behind = pending.length;
  return result;
}

/** Bodies of the small messages, headers and size only of the ones over maxMessageBytes. */
async function fetchBatch(client: ImapFlow, app: App, mailbox: MailboxConfig, uidValidity: number, batch: { uid: number; size: number }[], progress: SyncProgress): Promise<{ rows: RawEmailInput[]; fetched: number[] }> {
  const max = app.config.limits.maxMessageBytes;
  const small = batch.filter((m) => m.size <= STREAM_OVER).map((m) => m.uid);
  const big = batch.filter((m) => m.size > STREAM_OVER && m.size <= max);
  const large = batch.filter((m) => m.size > max).map((m) => m.uid);
  const rows = new Map<number, RawEmailInput>();
  const meta = (uid: number, internalDate: Date | string | undefined) => ({
    source: 'imap' as const, mailbox: mailbox.name, uidValidity, uid, internalDate: internalDate ? new Date(internalDate) : null,
  });
  // Only collect inside fetch(): another IMAP command issued in this loop would deadlock.
  if (small.length) {
    for await (const m of client.fetch(uidSet(small), { uid: true, source: true, internalDate: true }, { uid: true })) {
      if (m.source) rows.set(m.uid, app.ingestor.describe(m.source, meta(m.uid, m.internalDate)));
      progress.touch();
    }
  }
  if (big.length) {
    // Big ones (a lead with a PDF) are read in 1 MB pieces into one buffer of their size: FETCH of
    // the whole literal held it two or three times over (chunks, their concatenation, the copy).
    const dates = new Map<number, Date | string | undefined>();
    for await (const m of client.fetch(uidSet(big.map((b) => b.uid)), { uid: true, internalDate: true }, { uid: true })) dates.set(m.uid, m.internalDate);
    for (const { uid, size } of big) {
      if (!dates.has(uid)) continue; // expunged meanwhile
      const raw = await download(client, uid, size, max);
      if (raw) rows.set(uid, app.ingestor.describe(raw, meta(uid, dates.get(uid))));
      progress.touch();
    }
  }
  if (large.length) {
    const sizes = new Map(batch.map((m) => [m.uid, m.size]));
    for await (const m of client.fetch(uidSet(large), { uid: true, headers: true, internalDate: true, size: true }, { uid: true })) {
      const head = m.headers ?? Buffer.alloc(0);
      const { messageId, date, headerText } = quickHeaders(head);
      const size = m.size ?? sizes.get(m.uid) ?? 0;
      const d = meta(m.uid, m.internalDate);
      rows.set(m.uid, {
        ...d, messageId, sha256: sha256(head), size, raw: null, headers: headerText,
        receivedAt: (d.internalDate ?? date)?.getTime() ?? Date.now(),
        status: 'too_large', error: `message is ${size} bytes, over maxMessageBytes (${max}); stored by reference`,
      });
      progress.touch();
    }
  }
  // A message expunged since the size listing is simply absent; the cursor moves past it.
  const out: RawEmailInput[] = [];
  const uids = [...rows.keys()].sort((a, b) => a - b);
  // After a reset that kept the UIDVALIDITY, an old row can hold this (mailbox, uidvalidity, uid)
  // for another message, and the unique index would fail the whole batch forever. Such a message
  // is kept without its UID instead (a true duplicate is skipped by storeBatch anyway).
  const taken = await app.store.imapUidsTaken(mailbox.name, uidValidity, uids);
  for (const uid of uids) {
    const row = rows.get(uid)!;
    out.push(taken.has(uid) ? { ...row, uid: null } : row);
  }
  return { rows: out, fetched: uids };
}

/** Messages over this are downloaded in pieces into one buffer (see fetchBatch). */
const STREAM_OVER = 2 * 1024 * 1024;
const PIECE = 1024 * 1024;

/** One message's bytes, read in pieces into a buffer of its announced size (grown if it was wrong). */
async function download(client: ImapFlow, uid: number, size: number, max: number): Promise<Buffer | null> {
  const dl = await client.download(String(uid), undefined, { uid: true, chunkSize: PIECE, maxBytes: max + 1 });
  if (!dl.content) return null;
  const out = new SizedBuffer(size);
  for await (const chunk of dl.content as AsyncIterable<Buffer>) out.push(chunk);
  // Null only for an empty literal: the message's bytes, in a buffer of their own (it moves to a worker whole).
  return out.done() ?? Buffer.alloc(0);
}

/** \Seen and the move happen only after the batch is committed; a failure here loses nothing. */
async function afterCommit(client: ImapFlow, mailbox: MailboxConfig, uids: number[], log: Logger): Promise<void> {
  if (!uids.length || (!mailbox.markSeen && !mailbox.moveTo)) return;
  const range = uidSet(uids);
  try {
    if (mailbox.markSeen) await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    if (mailbox.moveTo) await client.messageMove(range, mailbox.moveTo, { uid: true });
  } catch (err) {
    log.warn({ err: (err as Error).message, count: uids.length }, 'could not mark or move stored messages; they are stored and will not be fetched again');
  }
}
