import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { PipelineContext, PipelineOutcome } from '../pipeline/index.ts';
import type { RenderedMail } from '../pipeline/render-mail.ts';
import type { Explanation } from '../parsers/explain.ts';
import { startWorker } from './entry.ts';
import { errorFromWire, toWire, type FromWorker, type LearnRequest, type ToWorker } from './protocol.ts';

/** The email took longer than its deadline: its worker was terminated and replaced. */
export class PipelineTimeout extends Error {
  readonly code = 'PipelineTimeout';
  constructor(
    readonly deadlineMs: number,
    /** The parser whose extraction was running (null: before or without one). */
    readonly parser: string | null = null,
  ) {
    super(`processing took longer than its ${deadlineMs} ms deadline; the worker was stopped`);
    this.name = 'PipelineTimeout';
  }
}

/** The worker died under the email (out of memory, a crash): it was replaced. */
export class WorkerCrashed extends Error {
  readonly code = 'WorkerCrashed';
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashed';
  }
}

/** The pool was closed (shutdown) with the email in flight: it was not processed and stays pending. */
export class PoolClosed extends Error {
  readonly code = 'PoolClosed';
  constructor() {
    super('pipeline pool is closed');
    this.name = 'PoolClosed';
  }
}

export interface RunOptions {
  deadlineMs: number;
  /** Multiplies limits.maxExtractMs inside the worker (a retry's larger budget). */
  extractBudget?: number;
  /** The caller gives the buffer away: its memory moves to the worker instead of being copied. */
  transfer?: boolean;
  /** `parsers explain` for a stored email: the explanation instead of the outcome. */
  explain?: boolean;
  /**
   * Where the bytes can be read again (the raw store). With it the pool keeps no copy of an email
   * queued in a busy worker: if that worker dies before the email starts, the bytes are read
   * again and the email goes to the next worker. Without it, such an email keeps a copy here.
   */
  reload?: () => Promise<Buffer | null>;
}

export interface PoolOptions {
  size: number;
  /** Heap bound of one worker: a message that needs more kills only its worker. */
  maxHeapMb?: number;
}

interface Task {
  raw: Buffer;
  /** null for a render job (no parsers needed). */
  ctx: PipelineContext | null;
  opts: RunOptions;
  /** Set for the page's "Correo" view: parse and render instead of the pipeline. */
  render?: Limits;
  /** Set for the page's teaching view: the samples and what to do with them. */
  learn?: { raws: Buffer[]; request: LearnRequest };
  resolve: (o: never) => void;
  reject: (e: Error) => void;
}

interface InFlight extends Task {
  id: number;
  /** The parser the worker said the email's extraction runs with. */
  parser?: string;
  /** The size of the bytes sent (the worker holds them until it answers). */
  size: number;
  /** The bytes are still here (a copy was sent): they can be sent again if the worker dies. */
  kept: boolean;
}

/** The parser a failed email's extraction ran with, when the worker said (a timeout, a slow extraction). */
export function failedParser(e: unknown): string | null {
  return (e as { parser?: string | null } | null)?.parser ?? null;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  ctx: PipelineContext | null;
  /** Sent and not answered, in order: the worker runs them one at a time; the first is running. */
  tasks: InFlight[];
  /** The running task's deadline. */
  timer: NodeJS.Timeout | null;
}

/**
 * Emails travel to a worker in batches: one message carries many emails, their bytes moved (not
 * copied) to the worker, which runs them one at a time and answers each as it ends, so each email
 * keeps its own deadline inside the batch. A worker has at most WINDOW emails (and WINDOW_BYTES)
 * sent and not answered; it is sent more only once it is down to LOW_WATER, so a busy worker gets
 * a batch at a time instead of one message per email, and never waits for this thread between two
 * emails. Emails over SMALL_BYTES go only to an idle worker, alone.
 */
const WINDOW = 32;
const LOW_WATER = 12;
const WINDOW_BYTES = 4 * 1024 * 1024;
const SMALL_BYTES = 256 * 1024;

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

  /** Parses an email for a person to read (the page's "Correo"), under the same deadline rules. */
  render(raw: Buffer, limits: Limits, deadlineMs: number): Promise<RenderedMail> {
    if (this.closed) return Promise.reject(new PoolClosed());
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, ctx: null, render: limits, opts: { deadlineMs }, resolve: resolve as (o: never) => void, reject });
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
      if (s.timer) clearTimeout(s.timer);
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
    while (this.queue.length) {
      const next = this.queue[0];
      const ready = this.slots.filter((s) => s.ready);
      const idle = ready.find((s) => s.tasks.length === 0);
      // A busy worker takes more small emails once it is down to its low water mark; with a worker
      // still starting, they wait for it rather than pile up behind a busy one.
      const starting = this.slots.some((s) => !s.ready);
      const roomy = batchable(next) && next.raw.length <= SMALL_BYTES && !starting ? ready.filter((s) => s.tasks.length <= LOW_WATER && inFlightBytes(s) + next.raw.length <= WINDOW_BYTES).sort((x, y) => x.tasks.length - y.tasks.length)[0] : undefined;
      const slot = idle ?? roomy;
      if (!slot) break;
      // Shared fairly with the other workers that have room, so a short queue is not all on one.
      const takers = Math.max(1, ready.filter((s) => s.tasks.length <= LOW_WATER).length + this.slots.filter((s) => !s.ready).length);
      const limit = Math.max(1, Math.min(WINDOW - slot.tasks.length, Math.ceil(this.queue.length / takers)));
      const batch = [this.queue.shift()!];
      let bytes = inFlightBytes(slot) + batch[0].raw.length;
      if (batchable(batch[0]) && batch[0].raw.length <= SMALL_BYTES) {
        while (batch.length < limit && this.queue.length) {
          const t = this.queue[0];
          if (!batchable(t) || t.ctx !== batch[0].ctx || t.raw.length > SMALL_BYTES || bytes + t.raw.length > WINDOW_BYTES) break;
          bytes += t.raw.length;
          batch.push(this.queue.shift()!);
        }
      }
      this.dispatch(slot, batch);
    }
    const starting = this.slots.filter((s) => !s.ready).length;
    const wanted = Math.min(this.queue.length - starting, this.opts.size - this.slots.length);
    for (let i = 0; i < wanted; i++) this.spawn();
  }

  private spawn(): void {
    if (this.closed) return;
    const worker = startWorker(this.opts.maxHeapMb ?? 512);
    const slot: Slot = { worker, ready: false, ctx: null, tasks: [], timer: null };
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
    this.startClock(slot);
    this.stats.completed++;
    if (task.size > RECYCLE_BYTES && !slot.tasks.length) this.recycle(slot);
    if (msg.type === 'done') task.resolve(msg.outcome as never);
    else if (msg.type === 'rendered') task.resolve(msg.mail as never);
    else task.reject(Object.assign(errorFromWire(msg.error), { parser: task.parser ?? null }));
    this.pump();
  }

  /** The deadline runs for the task the worker is on now (the first one sent and not answered). */
  private startClock(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const head = slot.tasks[0];
    if (head) slot.timer = setTimeout(() => this.expire(slot), head.opts.deadlineMs);
    if (head) slot.worker.ref(); // a busy worker is work the process waits for
    else slot.worker.unref();
  }

  /** Sends tasks to a worker: a render alone, pipeline runs as one batch message. */
  private dispatch(slot: Slot, tasks: Task[]): void {
    const items: { id: number; raw: Uint8Array; extractBudget: number; explain?: boolean }[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const task of tasks) {
      const id = this.nextId++;
      // The task that starts at once is never sent again (a worker lost under it fails it). One
      // queued behind may be: it keeps its bytes here unless they can be read again (reload).
      const first = slot.tasks.length === 0;
      const kept = !first && !task.opts.reload;
      const bytes = ownBytes(task.raw, task.opts.transfer === true && !kept);
      slot.tasks.push({ ...task, raw: kept ? task.raw : EMPTY, id, size: bytes.byteLength, kept, parser: undefined });
      if (first) this.startClock(slot);
      transfer.push(bytes.buffer as ArrayBuffer);
      if (task.learn) {
        if (slot.ctx !== task.ctx) slot.worker.postMessage({ type: 'context', context: toWire(task.ctx!) } satisfies ToWorker);
        slot.ctx = task.ctx;
        const raws = task.learn.raws.map((r) => ownBytes(r, false));
        slot.worker.postMessage({ type: 'learn', id, raws, request: task.learn.request } satisfies ToWorker, raws.map((r) => r.buffer as ArrayBuffer));
        return;
      }
      if (task.render) {
        slot.worker.postMessage({ type: 'render', id, raw: bytes, limits: task.render } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
        return;
      }
      items.push({ id, raw: bytes, extractBudget: task.opts.extractBudget ?? 1, explain: task.opts.explain });
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

  /**
   * The tasks queued behind a lost worker never started: back to the front of the queue, with
   * their bytes kept here or read again from where they are stored.
   */
  private requeue(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    const lost = slot.tasks.splice(1);
    this.queue.unshift(...lost.filter((t) => t.kept).map(asTask));
    const gone = lost.filter((x) => !x.kept);
    for (const t of gone.filter((x) => !x.opts.reload)) t.reject(new WorkerCrashed('the worker was lost before the email started and its bytes are not kept'));
    const again = gone.filter((x) => x.opts.reload);
    if (!again.length) return;
    this.stats.reloads += again.length;
    // Read again, then back to the front of the queue in their order.
    void Promise.all(again.map((t) => t.opts.reload!().then((raw) => ({ raw }), (e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) })))).then((read) => {
      const back: Task[] = [];
      for (const [i, r] of read.entries()) {
        const t = again[i];
        if (this.closed) t.reject(new PoolClosed());
        else if ('error' in r) t.reject(r.error);
        else if (!r.raw) t.reject(new Error('the raw email is no longer stored'));
        else back.push({ ...asTask(t), raw: r.raw });
      }
      this.queue.unshift(...back);
      this.pump();
    });
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
const batchable = (t: Task) => !t.render && !t.learn && !t.opts.explain;
const inFlightBytes = (s: Slot) => s.tasks.reduce((n, t) => n + t.size, 0);
/** A lost in-flight task as a queued one (its id and parser belong to the lost worker). */
const asTask = ({ raw, ctx, opts, render, learn, resolve, reject }: InFlight): Task => ({ raw, ctx, opts, render, learn, resolve, reject });

/**
 * The bytes as a Uint8Array whose whole ArrayBuffer can be transferred. A buffer given away moves
 * as it is when it owns its memory; otherwise (a caller's buffer, a slice of a pool) one exact copy.
 */
function ownBytes(raw: Buffer, give: boolean): Uint8Array {
  const whole = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer;
  if (give && whole) return new Uint8Array(raw.buffer, 0, raw.byteLength);
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy;
}

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
