import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { PipelineContext, PipelineOutcome } from '../pipeline/index.ts';
import type { RenderedMail } from '../pipeline/render-mail.ts';
import type { Explanation } from '../parsers/explain.ts';
import { startWorker } from './entry.ts';
import { errorFromWire, toWire, type FromWorker, type ToWorker } from './protocol.ts';

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
  resolve: (o: never) => void;
  reject: (e: Error) => void;
}

interface InFlight extends Task {
  id: number;
  /** The parser the worker said the email's extraction runs with. */
  parser?: string;
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
 * Small emails are queued in a busy worker (as copies, so they can be sent again if it dies) so
 * it never waits for this thread between two emails: on a loaded machine each of those waits
 * cost more than the email. Larger ones wait for a free worker and move to it.
 */
const PIPELINE_DEPTH = 4;
const PIPELINE_MAX_BYTES = 256 * 1024;

/** A pool of pipeline worker threads; each email has a hard deadline, past which its worker is replaced. */
export class PipelinePool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private bootFailures = 0;
  readonly stats = { spawned: 0, completed: 0, timeouts: 0, crashes: 0 };

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
      this.pump();
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
      this.pump();
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

  private pump(): void {
    while (this.queue.length) {
      const next = this.queue[0];
      const ready = this.slots.filter((s) => s.ready);
      const idle = ready.find((s) => s.tasks.length === 0);
      const behind = next.raw.length <= PIPELINE_MAX_BYTES ? ready.filter((s) => s.tasks.length < PIPELINE_DEPTH).sort((x, y) => x.tasks.length - y.tasks.length)[0] : undefined;
      // With a worker still starting, small emails wait for it rather than pile up behind a busy one.
      const starting = this.slots.some((s) => !s.ready);
      const slot = idle ?? (starting ? undefined : behind);
      if (!slot) break;
      this.dispatch(slot, this.queue.shift()!);
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

  private dispatch(slot: Slot, task: Task): void {
    const id = this.nextId++;
    // Only the task that starts at once is given away; one queued behind keeps its bytes here.
    const first = slot.tasks.length === 0;
    const bytes = ownBytes(task.raw, first && task.opts.transfer === true);
    slot.tasks.push({ ...task, raw: first ? Buffer.alloc(0) : task.raw, id });
    if (first) this.startClock(slot);
    if (task.render) {
      slot.worker.postMessage({ type: 'render', id, raw: bytes, limits: task.render } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
      return;
    }
    if (task.ctx && slot.ctx !== task.ctx) {
      // Parsers and projects changed (a reload) or this worker is new: send the context first.
      slot.worker.postMessage({ type: 'context', context: toWire(task.ctx) } satisfies ToWorker);
      slot.ctx = task.ctx;
    }
    slot.worker.postMessage({ type: 'run', id, raw: bytes, extractBudget: task.opts.extractBudget ?? 1, explain: task.opts.explain } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
  }

  /** The tasks queued behind a lost worker never started: back to the front of the queue. */
  private requeue(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    this.queue.unshift(...slot.tasks.splice(1));
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
