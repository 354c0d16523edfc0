import type { IngestResult, Ingestor } from '../ingest.ts';
import type { Storage } from '../db/port.ts';
import { storeRaws } from '../leads/intake.ts';
import { quickHeaders } from '../pipeline/quick-headers.ts';
import { buildMessage, type IntakeLead } from './message.ts';
import { spoolName, type IntakeSpool } from './spool.ts';

export interface Submitted {
  /** null until the pipeline has run (the answer came once the lead was durable: poll `receipt`). */
  leadId: number | null;
  rawEmailId: number;
  duplicate: boolean;
  status: string;
  /** The lead's receipt: 40 hex characters, `GET /intake/receipts/<receipt>` tells its status and lead. */
  receipt: string;
}

export interface SubmitOptions {
  /**
   * How long to wait for the lead itself (the pipeline) once the request is durable; 0 (the
   * default): answer as soon as it is in the spool and stored raw, with leadId null unless known.
   */
  waitMs?: number;
}

/** What the receipt says about a lead. */
export interface ReceiptStatus {
  status: string;
  leadId: number | null;
}

/** Ad platforms' webhooks answer with the lead id, as before: they send few requests and read the answer. */
export const ADS_WAIT_MS = 30_000;

/** Requests stored together in one transaction and run through the pipeline as one batch. */
const MAX_BATCH = 200;
/** Batches being made durable at once (one syncing while the next is written). */
const MAX_FLUSHES = 2;
/**
 * Bytes of answered leads not yet through the pipeline, at most; past it new requests wait
 * (back-pressure). They are durable already (spool, raw row): the bound is the memory of the queue
 * (a form's lead is about 1 KB: some 30,000 leads).
 */
const MAX_UNPROCESSED_BYTES = 32 * 1024 * 1024;
/** Receipts remembered in memory (later ones are looked up in the spool). */
const MAX_RECENT = 50_000;

interface Accepted {
  now: Submitted;
  /** The same lead once the pipeline has run (or failed: then as accepted, the row stays pending). */
  done: Promise<Submitted>;
}

interface Waiting {
  raw: Buffer;
  messageId: string;
  receivedAt: Date;
  resolve: (a: Accepted) => void;
  reject: (e: unknown) => void;
}

export const receiptFor = (messageId: string) => spoolName(messageId).slice(0, 40);

/**
 * Stores leads raw (source http) and runs them through the pipeline, as the daemon does emails.
 * Requests that arrive together are group-committed: the spool write, then one transaction that
 * stores the batch raw. Each request is answered right then, once durable: a lead that a deleted
 * -wal file or a restore cannot take away (spool.ts), with a receipt to poll; the pipeline runs
 * after the answer, one batch at a time. A caller that wants the lead id waits for it (`waitMs`).
 * Concurrent deliveries of the same lead share one submission.
 *
 * A spool that cannot be written fails the batch (500), so nothing is acknowledged without it.
 * Emails stored and not processed when the daemon stops are processed at its next start.
 */
export class IntakeSubmitter {
  private readonly inflight = new Map<string, Promise<Accepted>>();
  private readonly recent = new Map<string, string>();
  /** Answered leads not yet through the pipeline, by raw email id: what a duplicate's wait ends with. */
  private readonly running = new Map<number, Promise<Submitted>>();
  private queue: Waiting[] = [];
  private flushing = false;
  private readonly flushes = new Set<Promise<void>>();
  private processing: Promise<void> = Promise.resolve();
  private unprocessedBytes = 0;

  /** `spool` null only for an in-memory database (tests): there is no disk to be durable on. */
  constructor(private readonly ingestor: Ingestor, private readonly store: Storage, private readonly spool: IntakeSpool | null) {}

  async submit(lead: IntakeLead, opts: SubmitOptions = {}): Promise<Submitted> {
    const { raw, messageId } = buildMessage(lead);
    this.remember(messageId);
    const item = { raw, messageId, receivedAt: lead.receivedAt };
    let accepted: Accepted;
    let duplicate = false;
    if (!lead.dedupeKey) accepted = await this.enqueue(item);
    else {
      const running = this.inflight.get(messageId);
      duplicate = running !== undefined;
      const p = running ?? this.enqueue(item).finally(() => this.inflight.delete(messageId));
      if (!running) this.inflight.set(messageId, p);
      accepted = await p;
    }
    const answer = await this.waitFor(accepted, opts.waitMs ?? 0);
    return duplicate ? { ...answer, duplicate: true } : answer;
  }

  /** A lead already stored under this Message-ID (skips a Graph fetch on a redelivery). */
  async known(messageId: string): Promise<Submitted | null> {
    const running = this.inflight.get(messageId);
    if (running) return { ...(await running).now, duplicate: true };
    const e = await this.store.findExisting(messageId, '');
    return e ? { leadId: e.leadId, rawEmailId: e.rawEmailId, duplicate: true, status: e.status, receipt: receiptFor(messageId) } : null;
  }

  /** What a receipt says now: the lead once processed, `accepted` while it waits; null: no such receipt. */
  async receipt(receipt: string): Promise<ReceiptStatus | null> {
    if (!/^[0-9a-f]{40}$/.test(receipt)) return null;
    const messageId = this.recent.get(receipt) ?? this.spooledMessageId(receipt);
    if (!messageId) return null;
    const e = await this.store.findExisting(messageId, '');
    if (!e) return this.spool && !this.spooledMessageId(receipt) ? null : { status: 'accepted', leadId: null };
    return { status: e.status === 'pending' ? 'accepted' : e.status, leadId: e.leadId };
  }

  /** Every request answered, and every answered lead through the pipeline (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length || this.flushes.size) await new Promise((r) => setTimeout(r, 5));
    await this.processing;
  }

  private remember(messageId: string): void {
    const r = receiptFor(messageId);
    this.recent.delete(r);
    this.recent.set(r, messageId);
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value!);
  }

  private spooledMessageId(receipt: string): string | null {
    const raw = this.spool?.find(`${receipt}.eml`);
    return raw ? quickHeaders(raw).messageId : null;
  }

  private async waitFor(a: Accepted, waitMs: number): Promise<Submitted> {
    if (waitMs <= 0 || a.now.leadId !== null || a.now.status !== 'pending') return a.now;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Submitted>((resolve) => (timer = setTimeout(() => resolve(a.now), waitMs)));
    try {
      return await Promise.race([a.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private enqueue(item: Omit<Waiting, 'resolve' | 'reject'>): Promise<Accepted> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      // Back-pressure: the pipeline is far behind, so answers wait for it rather than memory grow.
      if (this.unprocessedBytes > MAX_UNPROCESSED_BYTES) await this.processing;
      // Two batches at once: one is being synced to disk while the next is written (group commit).
      if (this.flushes.size >= MAX_FLUSHES) {
        await Promise.race(this.flushes);
        continue;
      }
      const batch = this.queue.splice(0, MAX_BATCH);
      const run = this.flushBatch(batch).finally(() => this.flushes.delete(run));
      this.flushes.add(run);
    }
    this.flushing = false;
  }

  /** One batch made durable (spool, then raw rows), each request answered; a failure answers 500. */
  private async flushBatch(batch: Waiting[]): Promise<void> {
    try {
      await this.spool?.putMany(batch);
      const answers = await this.storeRaw(batch);
      for (const [i, b] of batch.entries()) b.resolve(answers[i]);
    } catch (e) {
      // Spooled ones are stored at the next start; the caller answers 500.
      for (const b of batch) b.reject(e);
    }
  }

  /** Stores the batch raw in one transaction; the answers now, and the pipeline queued behind. */
  private async storeRaw(batch: Waiting[]): Promise<Accepted[]> {
    const rows = batch.map((b) => this.ingestor.describe(b.raw, { source: 'http' }));
    const ids = await this.store.unitOfWork((tx) => storeRaws(tx, rows, Date.now()));
    const answers: Accepted[] = [];
    const fresh: { rawEmailId: number; raw: Buffer; receivedAt: number; messageId: string | null }[] = [];
    const settle: ((r: IngestResult | undefined) => void)[] = [];
    for (const [i, id] of ids.entries()) {
      const receipt = receiptFor(batch[i].messageId);
      if (id === null) {
        // Stored earlier (a retry after a restart): that lead is the answer.
        const e = await this.store.findExisting(rows[i].messageId, rows[i].sha256);
        const now = { leadId: e?.leadId ?? null, rawEmailId: e?.rawEmailId ?? 0, duplicate: true, status: e?.status ?? 'duplicate', receipt };
        // The first one may still be in the pipeline: a wait ends with its lead.
        const first = e ? this.running.get(e.rawEmailId) : undefined;
        // Not running and still pending as read: it may have ended meanwhile, read it again once.
        const later = !first && e?.status === 'pending' ? Promise.resolve(this.store.findExisting(rows[i].messageId, rows[i].sha256)).then((x) => (x ? { ...now, leadId: x.leadId, status: x.status } : now)) : Promise.resolve(now);
        answers.push({ now, done: first ? first.then((r) => ({ ...r, duplicate: true })) : later });
        continue;
      }
      const now: Submitted = { leadId: null, rawEmailId: id, duplicate: false, status: rows[i].status, receipt };
      if (rows[i].status !== 'pending') {
        answers.push({ now, done: Promise.resolve(now) });
        continue;
      }
      fresh.push({ rawEmailId: id, raw: batch[i].raw, receivedAt: rows[i].receivedAt, messageId: rows[i].messageId });
      const done = new Promise<Submitted>((resolve) => settle.push((r) => resolve(r ? { ...now, leadId: r.leadId, status: r.status } : now)));
      this.running.set(id, done);
      void done.then(() => this.running.delete(id));
      answers.push({ now, done });
    }
    if (fresh.length) {
      const bytes = fresh.reduce((n, f) => n + f.raw.length, 0);
      this.unprocessedBytes += bytes;
      this.processing = this.processing.then(async () => {
        let results: IngestResult[] = [];
        try {
          results = await this.ingestor.processBatch(fresh, { transfer: true });
        } catch {
          // A database error: the rows stay pending and are processed at the next start.
        } finally {
          this.unprocessedBytes -= bytes;
        }
        const byId = new Map(results.filter(Boolean).map((r) => [r.rawEmailId, r]));
        for (const [k, f] of fresh.entries()) settle[k](byId.get(f.rawEmailId));
      });
    }
    return answers;
  }
}
