import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { io, type Storage, type StoreTx, type Work } from './db/port.ts';
import { storeRaw } from './leads/intake.ts';
import { recordOutcomes, type LeadRecordResult, type PersistRules } from './leads/record.ts';
import type { PipelineContext, PipelineOutcome } from './pipeline/index.ts';
import { quickHeaders } from './pipeline/quick-headers.ts';
import type { EmailSource } from './vocabulary.ts';
import { PoolClosed, classifyFailure, inlineRunner, mapBounded, type PipelineRunner } from './workers/runner.ts';

export interface SourceMeta {
  source: EmailSource;
  file?: string;
  mailbox?: string;
  uidValidity?: number;
  uid?: number;
  /** IMAP INTERNALDATE; for files the Date header is used (now if absent). */
  internalDate?: Date | null;
}

export interface IngestResult {
  rawEmailId: number;
  messageId: string | null;
  duplicate: boolean;
  outcome: PipelineOutcome | null;
  error: string | null;
  status: string;
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  receivedAt: number;
  /** The post-sale case the email opened or joined (then no lead). */
  caseId?: number | null;
}

export interface StoredEmail {
  rawEmailId: number;
  raw: Buffer;
  receivedAt: number;
  messageId: string | null;
}

export interface ProcessOptions {
  /** The caller gives the raw buffers away (read from the database for this run): moved, not copied, to a worker. */
  transfer?: boolean;
  /** A retry of timed-out emails: deadline and extraction budget multiplied by this. */
  budget?: number;
  /** Checked before each email starts: once true, the rest stay pending (shutdown). */
  stopping?: () => boolean;
  /** A person recording the email (a walk-in): named on its follow-up instead of the centralizador. */
  actor?: string;
  /** More of the unit of work that records the outcomes (a walk-in's interaction and audit row): committed with them or not at all. */
  alsoRecord?: (tx: StoreTx, recorded: RecordedOutcome[]) => Work<void>;
}

/** An outcome as its unit of work recorded it. */
export interface RecordedOutcome {
  rawEmailId: number;
  receivedAt: number;
  outcome: PipelineOutcome;
  result: LeadRecordResult;
}

/** Outcomes persisted per unit of work: the first leads of a long batch commit early, the worker keeps going. */
const COMMIT_EVERY = 25;
/** A commit on the event loop lasts about this long at most (SQLite: requests wait while it runs). */
const COMMIT_SLICE_MS = 6;

/** How many outcomes fit in one commit slice, from the time commits took so far (a moving average). */
class CommitPace {
  private msPerOutcome = 1;
  size(): number {
    return Math.max(1, Math.min(COMMIT_EVERY, Math.floor(COMMIT_SLICE_MS / this.msPerOutcome)));
  }
  observe(count: number, ms: number): void {
    this.msPerOutcome = 0.8 * this.msPerOutcome + 0.2 * (ms / count);
  }
}

/** Bodies loaded and not yet answered by a worker, at most (at least one email is always in flight). */
const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

export interface IngestHooks {
  /** Called for every email once its outcome is committed or its error stored (metrics). */
  onResult?: (result: IngestResult, latencyMs: number) => void;
}

const noop = () => undefined;

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // awaited in order; one rejected before its turn is not unhandled
  return { promise, resolve, reject };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Raw bytes to a stored raw email (the first write), then through the pipeline to a lead. */
export class Ingestor {
  private readonly pace = new CommitPace();
  /**
   * One outcome commit at a time: the next batch's emails are in flight while this one commits,
   * and two commits would lock the same counter rows in opposite orders (PostgreSQL deadlocks).
   */
  private commits: Promise<unknown> = Promise.resolve();
  private serially<T>(commit: () => Promise<T>): Promise<T> {
    const run = this.commits.then(commit, commit);
    this.commits = run.catch(noop);
    return run;
  }

  constructor(
    private readonly store: Storage,
    private readonly context: () => PipelineContext,
    private readonly rules: () => PersistRules,
    private readonly log: Logger,
    private readonly hooks: IngestHooks = {},
    /** Where the pipeline runs: the worker pool (app.ts); inline only in tests of the stages. */
    private readonly runner: PipelineRunner = inlineRunner,
  ) {}

  /** Prepares the raw row for a message: dedupe keys, arrival time, the size bound. */
  describe(raw: Buffer, meta: SourceMeta, now = Date.now()) {
    const { messageId, date, headerText } = quickHeaders(raw);
    const tooLarge = raw.length > this.context().limits.maxMessageBytes;
    return {
      source: meta.source,
      mailbox: meta.mailbox ?? null,
      uidValidity: meta.uidValidity ?? null,
      uid: meta.uid ?? null,
      file: meta.file ?? null,
      messageId,
      sha256: sha256(raw),
      size: raw.length,
      raw: tooLarge ? null : raw,
      headers: headerText,
      receivedAt: (meta.internalDate ?? date)?.getTime() ?? now,
      status: tooLarge ? ('too_large' as const) : ('pending' as const),
      error: tooLarge ? `message is ${raw.length} bytes, over maxMessageBytes` : null,
    };
  }

  /** Stores then processes one message; a duplicate changes nothing and reports the original. */
  async ingest(raw: Buffer, meta: SourceMeta, opts: ProcessOptions = {}): Promise<IngestResult> {
    const row = this.describe(raw, meta);
    const existing = await this.store.findExisting(row.messageId, row.sha256);
    if (existing) {
      const { rawEmailId, status, leadId, clientId, followUpAt } = existing;
      const result = { rawEmailId, messageId: row.messageId, duplicate: true, outcome: null, error: null, status, leadId, clientId, followUpAt, receivedAt: row.receivedAt };
      this.hooks.onResult?.(result, 0);
      return result;
    }
    const id = await this.store.unitOfWork((tx) => storeRaw(tx, row, Date.now()));
    if (id === null) return this.ingest(raw, meta, opts); // stored meanwhile by another writer: report that one
    if (row.status === 'too_large') {
      return { rawEmailId: id, messageId: row.messageId, duplicate: false, outcome: null, error: row.error, status: 'too_large', leadId: null, clientId: null, followUpAt: null, receivedAt: row.receivedAt };
    }
    try {
      return await this.process(id, raw, row.receivedAt, row.messageId, opts);
    } catch (err) {
      // With more of its unit of work (a walk-in's person), the pending retry would record it without
      // the rest: stored as an error instead, for an admin to see; the caller answers 500.
      if (opts.alsoRecord) await this.store.unitOfWork((tx) => io(tx.setRawFailure(id, 'error', `no se registró: ${(err as Error).message}`.slice(0, 1000), Date.now()))).catch(() => undefined);
      throw err;
    }
  }

  /** The pipeline's outcome for raw bytes (in a worker), storing nothing: reprocess compares it first. */
  outcome(raw: Buffer, opts: ProcessOptions = {}): Promise<PipelineOutcome> {
    return this.runner.run(raw, this.context(), { budget: opts.budget ?? 1, transfer: opts.transfer === true });
  }

  /** Runs a stored raw email through the pipeline and persists the outcome, or stores the error. */
  async process(rawEmailId: number, raw: Buffer, receivedAt: number, messageId: string | null, opts: ProcessOptions = {}): Promise<IngestResult> {
    return (await this.processBatch([{ rawEmailId, raw, receivedAt, messageId }], opts))[0];
  }

  /**
   * Stored raw emails through the pipeline, their outcomes persisted in units of work of
   * COMMIT_EVERY emails as they come (one commit per group, not per email). A message the
   * pipeline rejects is stored with its error; a database error propagates and leaves the emails
   * not yet committed pending, to be processed again.
   */
  async processBatch(items: StoredEmail[], opts: ProcessOptions = {}): Promise<IngestResult[]> {
    return (await this.runAll(items.length, (i) => items[i], opts)) as IngestResult[];
  }

  /**
   * Emails through the pipeline and persisted, as a pipeline: the runner gets many emails at once
   * (the pool sends them to its workers in batches), and each group of COMMIT_EVERY is committed
   * as soon as its last email is back, while the workers go on with the next ones. Each raw body
   * is loaded only when its turn comes (bounded by count and bytes), and handed to the worker
   * without a copy kept here: if a worker dies before an email starts, its bytes are read again
   * from the raw store. Failures (too_large, timeout, error) are stored as they happen.
   */
  private async runAll(count: number, load: (i: number) => StoredEmail | null | Promise<StoredEmail | null>, opts: ProcessOptions): Promise<(IngestResult | null)[]> {
    const started = performance.now();
    const budget = opts.budget ?? 1;
    const results: (IngestResult | null)[] = new Array(count).fill(null);
    const outcomes: ({ item: Omit<StoredEmail, 'raw'>; outcome: PipelineOutcome } | null)[] = new Array(count).fill(null);
    const groups = Math.ceil(count / COMMIT_EVERY);
    const left = Array.from({ length: groups }, (_, g) => Math.min(COMMIT_EVERY, count - g * COMMIT_EVERY));
    const ready = Array.from({ length: groups }, () => deferred());
    let failed = false;
    let bytes = 0;
    let waiting: (() => void)[] = [];
    let loading: Promise<void> = Promise.resolve();
    const lanes = mapBounded(count, this.runner.concurrency, async (index) => {
      const g = Math.floor(index / COMMIT_EVERY);
      try {
        if (failed || opts.stopping?.()) return; // stays pending: processed at the next start
        // Loads one at a time, each counted before the next starts, so the byte bound holds.
        const turn = loading.then(async () => {
          while (bytes > MAX_BYTES_IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
          if (failed || opts.stopping?.()) return null;
          const l = await load(index);
          if (l) bytes += l.raw.length;
          return l;
        });
        loading = turn.then(noop, noop);
        const loaded = await turn;
        if (!loaded) return;
        const { raw, ...item } = loaded;
        const size = raw.length;
        try {
          const reload = () => Promise.resolve(this.store.getRaw(item.rawEmailId)).then((r) => r?.raw ?? null);
          outcomes[index] = { item, outcome: await this.runner.run(raw, this.context(), { budget, transfer: opts.transfer === true, reload }) };
        } catch (e) {
          if (e instanceof PoolClosed) throw e; // shutting down: the email stays pending for the next start
          const { status, message } = classifyFailure(e, budget);
          await this.store.unitOfWork((tx) => io(tx.setRawFailure(item.rawEmailId, status, message, Date.now())));
          this.log.warn({ rawEmailId: item.rawEmailId, status, err: message }, 'email could not be processed; stored with its error');
          const result = { ...item, duplicate: false, outcome: null, error: message, status, leadId: null, clientId: null, followUpAt: null };
          this.hooks.onResult?.(result, performance.now() - started);
          results[index] = result;
        } finally {
          bytes -= size;
          const wake = waiting;
          waiting = [];
          for (const w of wake) w();
        }
      } finally {
        if (--left[g] === 0) ready[g].resolve();
      }
    });
    lanes.catch((e: unknown) => {
      failed = true;
      for (const d of ready) d.reject(e);
    });
    try {
      for (let g = 0; g < groups; g++) {
        await ready[g].promise;
        const done = outcomes.slice(g * COMMIT_EVERY, (g + 1) * COMMIT_EVERY).flatMap((d, k) => (d ? [{ ...d, index: g * COMMIT_EVERY + k }] : []));
        if (!done.length) continue;
        const rules = opts.actor ? { ...this.rules(), actor: opts.actor } : this.rules();
        // On SQLite a commit holds the event loop: slices of a few ms let HTTP answers in between.
        for (let at = 0; at < done.length; ) {
          const slice = done.slice(at, at + (this.store.engine === 'sqlite' ? this.pace.size() : COMMIT_EVERY));
          const saved = await this.serially(async () => {
            const t = performance.now();
            const items = slice.map((d) => ({ rawEmailId: d.item.rawEmailId, outcome: d.outcome, receivedAt: d.item.receivedAt }));
            const { alsoRecord } = opts;
            const out = await this.store.unitOfWork(function* (tx) {
              const recorded = yield* recordOutcomes(tx, items, rules, Date.now);
              if (alsoRecord) yield* alsoRecord(tx, items.map((i, k) => ({ ...i, result: recorded[k] })));
              return recorded;
            });
            this.pace.observe(slice.length, performance.now() - t);
            return out;
          });
          for (const [k, d] of slice.entries()) {
            const { item, outcome } = d;
            const result = { rawEmailId: item.rawEmailId, messageId: item.messageId, duplicate: false, receivedAt: item.receivedAt, outcome, error: null, status: outcome.kind === 'ignored' ? 'ignored' : saved[k].caseId ? 'case' : 'lead', ...saved[k] };
            this.log.debug({ rawEmailId: item.rawEmailId, parser: outcome.parser, kind: outcome.kind }, 'email processed');
            this.hooks.onResult?.(result, performance.now() - started);
            results[d.index] = result;
            outcomes[d.index] = null;
          }
          at += slice.length;
          if (at < done.length) await new Promise((r) => setImmediate(r));
        }
      }
      await lanes;
    } catch (e) {
      failed = true; // the emails not yet started stay pending
      await lanes.catch(() => undefined);
      throw e;
    }
    return results;
  }

  /** Processes stored raw emails by id, persisting the batch in one transaction. */
  async processStoredBatch(ids: number[], opts: Omit<ProcessOptions, 'transfer'> = {}): Promise<IngestResult[]> {
    const load = async (i: number): Promise<StoredEmail | null> => {
      const row = await this.store.getRaw(ids[i]);
      return row?.raw ? { rawEmailId: ids[i], raw: row.raw, receivedAt: row.receivedAt, messageId: row.messageId } : null;
    };
    // Bodies read for this run are nobody else's: they move to the worker instead of being copied.
    const results = await this.runAll(ids.length, load, { ...opts, transfer: true });
    return results.filter((r): r is IngestResult => r !== null);
  }
}
