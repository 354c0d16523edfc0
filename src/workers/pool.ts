import os from 'node:os';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { PipelineContext, PipelineOutcome } from '../pipeline/index.ts';
import type { RenderedMail } from '../pipeline/render-mail.ts';
import type { Explanation } from '../parsers/explain.ts';
import type { LocateAnswer, LocateJob } from '../parsers/learn-corrections.ts';
import { startWorker } from './entry.ts';
import { PipelineTimeout, PoolClosed, WorkerCrashed } from './errors.ts';
import { errorFromWire, ownBytes, toWire, type FromWorker, type LearnRequest, type ToWorker } from './protocol.ts';
import { nextBatch, recoverQueued } from './queue.ts';
import { Slot, type RunOptions, type Task } from './slot.ts';

export { PipelineTimeout, PoolClosed, WorkerCrashed, failedParser } from './errors.ts';
export type { RunOptions } from './slot.ts';

// The pool: starts and replaces workers, sends them the queue's batches (queue.ts), and settles
// each email from its worker's answer, its deadline (slot.ts) or its worker's loss.

export interface PoolOptions {
  size: number;
  /** Heap bound of one worker: a message that needs more kills only its worker. */
  maxHeapMb?: number;
}

/** Workers worth starting by default: one core for this thread, and ~60 MB each within a third of the free memory. */
export function defaultPoolSize(cores = os.availableParallelism(), freeBytes = os.freemem()): number {
  const byMemory = Math.floor(freeBytes / 3 / (60 * 1024 * 1024));
  return Math.max(1, Math.min(cores - 1, byMemory));
}

/** A pool of pipeline worker threads; each email has a hard deadline, past which its worker is replaced. */
export class PipelinePool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private bootFailures = 0;
  private pumpScheduled = false;
  readonly stats = { spawned: 0, completed: 0, timeouts: 0, crashes: 0, batches: 0, reloads: 0, recycled: 0 };

  constructor(
    private readonly opts: PoolOptions,
    private readonly log?: Logger,
  ) {}

  get size(): number {
    return this.opts.size;
  }

  /** Starts a worker ahead of the first email (the daemon), so the first lead does not wait for it. */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn();
  }

  /** Busy workers and emails waiting for one. */
  load(): { busy: number; queued: number; workers: number } {
    return { busy: this.slots.filter((s) => s.tasks.length).length, queued: this.queue.length, workers: this.slots.length };
  }

  run(raw: Buffer, ctx: PipelineContext, opts: RunOptions): Promise<PipelineOutcome> {
    if (this.closed) return Promise.reject(new PoolClosed());
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, ctx, opts, resolve: resolve as (o: never) => void, reject });
      this.soon();
    });
  }

  /** Explains a stored email (the admin page): the same untrusted work, so the same worker and deadline. */
  explain(raw: Buffer, ctx: PipelineContext, deadlineMs: number): Promise<Explanation> {
    return this.run(raw, ctx, { deadlineMs, explain: true }) as unknown as Promise<Explanation>;
  }

  /** The untrusted half of learning from a stored email (parsers/learn-corrections.ts), in a worker under the deadline. */
  locate(raw: Buffer, ctx: PipelineContext, job: LocateJob, deadlineMs: number): Promise<LocateAnswer> {
    return this.run(raw, ctx, { deadlineMs, locate: job }) as unknown as Promise<LocateAnswer>;
  }

  /**
   * Parses an email for a person to read (the page's "Correo"), under the same deadline rules;
   * `attachment`: with that attachment's bytes (a download).
   */
  render(raw: Buffer, limits: Limits, deadlineMs: number, attachment?: number): Promise<RenderedMail> {
    if (this.closed) return Promise.reject(new PoolClosed());
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, ctx: null, render: { limits, attachment }, opts: { deadlineMs }, resolve: resolve as (o: never) => void, reject });
      this.soon();
    });
  }

  /**
   * The teaching view's work on stored samples (read them, explain, propose a parser): MIME and
   * the admin's rules are untrusted, so they run here, alone in an idle worker, under a deadline.
   */
  learn<T>(raws: Buffer[], ctx: PipelineContext, request: LearnRequest, deadlineMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new PoolClosed());
    return new Promise((resolve, reject) => {
      this.queue.push({ raw: EMPTY, ctx, learn: { raws, request }, opts: { deadlineMs }, resolve: resolve as (o: never) => void, reject });
      this.soon();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new PoolClosed());
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.stopClock();
      for (const t of s.tasks.splice(0)) t.reject(new PoolClosed());
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Pumps once the caller's burst of emails is queued, so they leave together as one batch. */
  private soon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (let next = nextBatch(this.queue, this.slots); next; next = nextBatch(this.queue, this.slots)) this.dispatch(next.slot, next.batch);
    const starting = this.slots.filter((s) => !s.ready).length;
    const wanted = Math.min(this.queue.length - starting, this.opts.size - this.slots.length);
    for (let i = 0; i < wanted; i++) this.spawn();
  }

  private spawn(): void {
    if (this.closed) return;
    const worker = startWorker(this.opts.maxHeapMb ?? 512);
    const slot = new Slot(worker);
    this.slots.push(slot);
    this.stats.spawned++;
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.lose(slot, `worker failed: ${err.message}`));
    worker.on('exit', (code) => this.lose(slot, `worker exited with code ${code}`));
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.bootFailures = 0;
      slot.worker.unref(); // an idle worker never keeps the process alive
      this.pump();
      return;
    }
    const task = slot.tasks[0];
    if (!task || task.id !== msg.id) return;
    if (msg.type === 'parser') {
      task.parser = msg.parser;
      return;
    }
    slot.tasks.shift();
    slot.startClock(() => this.expire(slot));
    this.stats.completed++;
    if (task.size > RECYCLE_BYTES && !slot.tasks.length) this.recycle(slot);
    if (msg.type === 'done') task.resolve(msg.outcome as never);
    else if (msg.type === 'rendered') task.resolve(msg.mail as never);
    else task.reject(Object.assign(errorFromWire(msg.error), { parser: task.parser ?? null }));
    this.pump();
  }

  /** Sends tasks to a worker: a render alone, pipeline runs as one batch message. */
  private dispatch(slot: Slot, tasks: Task[]): void {
    const items: { id: number; raw: Uint8Array; extractBudget: number; explain?: boolean; locate?: LocateJob }[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const task of tasks) {
      const id = this.nextId++;
      // The task that starts at once is never sent again (a worker lost under it fails it). One
      // queued behind may be: it keeps its bytes here unless they can be read again (reload).
      const first = slot.tasks.length === 0;
      const kept = !first && !task.opts.reload;
      const bytes = ownBytes(task.raw, task.opts.transfer === true && !kept);
      slot.tasks.push({ ...task, raw: kept ? task.raw : EMPTY, id, size: bytes.byteLength, kept, parser: undefined });
      if (first) slot.startClock(() => this.expire(slot));
      transfer.push(bytes.buffer as ArrayBuffer);
      if (task.learn) {
        if (slot.ctx !== task.ctx) slot.worker.postMessage({ type: 'context', context: toWire(task.ctx!) } satisfies ToWorker);
        slot.ctx = task.ctx;
        const raws = task.learn.raws.map((r) => ownBytes(r, false));
        slot.worker.postMessage({ type: 'learn', id, raws, request: task.learn.request } satisfies ToWorker, raws.map((r) => r.buffer as ArrayBuffer));
        return;
      }
      if (task.render) {
        slot.worker.postMessage({ type: 'render', id, raw: bytes, ...task.render } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
        return;
      }
      items.push({ id, raw: bytes, extractBudget: task.opts.extractBudget ?? 1, explain: task.opts.explain, locate: task.opts.locate });
    }
    const ctx = tasks[0].ctx;
    if (ctx && slot.ctx !== ctx) {
      // Parsers and projects changed (a reload) or this worker is new: send the context first.
      slot.worker.postMessage({ type: 'context', context: toWire(ctx) } satisfies ToWorker);
      slot.ctx = ctx;
    }
    this.stats.batches++;
    slot.worker.postMessage({ type: 'batch', items } satisfies ToWorker, transfer);
  }

  /** The tasks queued behind a lost worker go back to the queue (queue.ts). */
  private requeue(slot: Slot): void {
    slot.stopClock();
    this.stats.reloads += recoverQueued(
      slot,
      (tasks, later) => {
        this.queue.unshift(...tasks);
        if (later) this.pump();
      },
      () => this.closed,
    );
  }

  /**
   * A worker that ran a big email is replaced: its heap would keep the body until its next
   * collection, which may be long after (24 MB held while this thread rewrote the email's row).
   */
  private recycle(slot: Slot): void {
    this.stats.recycled++;
    this.remove(slot);
    void slot.worker.terminate();
    this.replace();
  }

  private expire(slot: Slot): void {
    const task = slot.tasks[0];
    if (!task) return;
    this.stats.timeouts++;
    this.remove(slot);
    void slot.worker.terminate();
    this.requeue(slot);
    this.log?.warn({ deadlineMs: task.opts.deadlineMs, parser: task.parser ?? null }, 'email past its deadline; worker terminated and replaced');
    task.reject(new PipelineTimeout(task.opts.deadlineMs, task.parser ?? null));
    this.replace();
  }

  /** A worker that died on its own (crash, out of memory): its email fails, a new worker takes its place. */
  private lose(slot: Slot, reason: string): void {
    if (!this.remove(slot)) return; // already terminated on purpose
    this.stats.crashes++;
    this.log?.error({ reason }, 'pipeline worker lost; replacing it');
    const task = slot.tasks[0];
    this.requeue(slot);
    task?.reject(new WorkerCrashed(reason));
    // A worker that cannot even start (a broken install) must not be restarted in a loop.
    if (!slot.ready && ++this.bootFailures >= 3) {
      this.bootFailures = 0;
      for (const t of this.queue.splice(0)) t.reject(new WorkerCrashed(`pipeline workers cannot start: ${reason}`));
      return;
    }
    this.replace();
  }

  private remove(slot: Slot): boolean {
    const i = this.slots.indexOf(slot);
    if (i < 0) return false;
    this.slots.splice(i, 1);
    return true;
  }

  private replace(): void {
    if (this.closed) return;
    this.spawn();
    this.pump();
  }
}

const EMPTY = Buffer.alloc(0);
/** Emails over this size leave their worker to be replaced (see recycle). */
const RECYCLE_BYTES = 4 * 1024 * 1024;

const shared = new Map<number, PipelinePool>();

/**
 * One pool per process and size: the daemon has one app, but tests and CLI commands open several,
 * and each would otherwise start its own threads. Idle workers never keep the process alive.
 */
export function sharedPool(size: number, log?: Logger): PipelinePool {
  let pool = shared.get(size);
  if (!pool) {
    pool = new PipelinePool({ size }, log);
    shared.set(size, pool);
  }
  return pool;
}

/** Stops every shared pool's workers (daemon shutdown). */
export async function closeSharedPools(): Promise<void> {
  const pools = [...shared.values()];
  shared.clear();
  await Promise.all(pools.map((p) => p.close()));
}
