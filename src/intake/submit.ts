import type { IngestResult, Ingestor } from '../ingest.ts';
import type { Storage } from '../db/port.ts';
import { storeRaw } from '../leads/intake.ts';
import { buildMessage, type IntakeLead } from './message.ts';
import type { IntakeSpool } from './spool.ts';

export interface Submitted {
  leadId: number | null;
  rawEmailId: number;
  duplicate: boolean;
  status: string;
}

/** Requests stored together in one transaction and run through the pipeline as one batch. */
const MAX_BATCH = 200;

interface Waiting {
  raw: Buffer;
  messageId: string;
  receivedAt: Date;
  resolve: (s: Submitted) => void;
  reject: (e: unknown) => void;
}

/**
 * Stores leads raw (source http) and runs them through the pipeline, as the daemon does emails.
 * Requests that arrive together are group-committed: one transaction stores the batch, one runs
 * its outcomes (a commit per request capped throughput at a few dozen per second). Each answer
 * still waits for its own lead. Concurrent deliveries of the same lead share one submission.
 *
 * Before anything is stored, the batch is written to the spool (spool.ts) and synced to disk: an
 * answer is sent only for a lead that a deleted -wal file or a restore cannot take away. A spool
 * that cannot be written fails the batch (500), so nothing is acknowledged without it.
 */
export class IntakeSubmitter {
  private readonly inflight = new Map<string, Promise<Submitted>>();
  private queue: Waiting[] = [];
  private flushing = false;

  /** `spool` null only for an in-memory database (tests): there is no disk to be durable on. */
  constructor(private readonly ingestor: Ingestor, private readonly store: Storage, private readonly spool: IntakeSpool | null) {}

  async submit(lead: IntakeLead): Promise<Submitted> {
    const { raw, messageId } = buildMessage(lead);
    const item = { raw, messageId, receivedAt: lead.receivedAt };
    if (!lead.dedupeKey) return this.enqueue(item);
    const running = this.inflight.get(messageId);
    if (running) return { ...(await running), duplicate: true };
    const p = this.enqueue(item).finally(() => this.inflight.delete(messageId));
    this.inflight.set(messageId, p);
    return p;
  }

  /** A lead already stored under this Message-ID (skips a Graph fetch on a redelivery). */
  async known(messageId: string): Promise<Submitted | null> {
    const running = this.inflight.get(messageId);
    if (running) return { ...(await running), duplicate: true };
    const e = await this.store.findExisting(messageId, '');
    return e ? { leadId: e.leadId, rawEmailId: e.rawEmailId, duplicate: true, status: e.status } : null;
  }

  private enqueue(item: Omit<Waiting, 'resolve' | 'reject'>): Promise<Submitted> {
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
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.spool?.putMany(batch);
        const answers = await this.storeAndProcess(batch.map((b) => b.raw));
        batch.forEach((b, i) => b.resolve(answers[i]));
      } catch (e) {
        // Stored rows stay pending and are processed at the next start, spooled ones are stored
        // then; the caller answers 500.
        for (const b of batch) b.reject(e);
      }
    }
    this.flushing = false;
  }

  private async storeAndProcess(raws: Buffer[]): Promise<Submitted[]> {
    const rows = raws.map((raw) => this.ingestor.describe(raw, { source: 'http' }));
    const ids = await this.store.unitOfWork(function* (tx) {
      const out: (number | null)[] = [];
      for (const row of rows) out.push(yield* storeRaw(tx, row, Date.now()));
      return out;
    });
    const fresh = ids.flatMap((id, i) => (id !== null && rows[i].status === 'pending' ? [{ rawEmailId: id, raw: raws[i], receivedAt: rows[i].receivedAt, messageId: rows[i].messageId }] : []));
    const processed = new Map<number, IngestResult>((await this.ingestor.processBatch(fresh)).map((r) => [r.rawEmailId, r]));
    const answers: Submitted[] = [];
    for (const [i, id] of ids.entries()) {
      if (id === null) {
        // Stored earlier (a retry after a restart): that lead is the answer.
        const e = await this.store.findExisting(rows[i].messageId, rows[i].sha256);
        answers.push({ leadId: e?.leadId ?? null, rawEmailId: e?.rawEmailId ?? 0, duplicate: true, status: e?.status ?? 'duplicate' });
        continue;
      }
      const r = processed.get(id);
      answers.push({ leadId: r?.leadId ?? null, rawEmailId: id, duplicate: false, status: r?.status ?? rows[i].status });
    }
    return answers;
  }
}
