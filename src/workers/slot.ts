// One worker thread of the pool and what it was sent: the emails it runs in order, and the
// deadline of the one it is on now.
import type { Worker } from 'node:worker_threads';
import type { Limits } from '../config.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import type { LocateJob } from '../parsers/learn-corrections.ts';
import type { LearnRequest } from './protocol.ts';

export interface RunOptions {
  deadlineMs: number;
  /** Multiplies limits.maxExtractMs inside the worker (a retry's larger budget). */
  extractBudget?: number;
  /** The caller gives the buffer away: its memory moves to the worker instead of being copied. */
  transfer?: boolean;
  /** `parsers explain` for a stored email: the explanation instead of the outcome. */
  explain?: boolean;
  /** `parsers learn --from-corrections` on a stored email: where its known values sit, what rules read there. */
  locate?: LocateJob;
  /**
   * Where the bytes can be read again (the raw store). With it the pool keeps no copy of an email
   * queued in a busy worker: if that worker dies before the email starts, the bytes are read
   * again and the email goes to the next worker. Without it, such an email keeps a copy here.
   */
  reload?: () => Promise<Buffer | null>;
}

/** An email (or a render job) waiting for a worker. */
export interface Task {
  raw: Buffer;
  /** null for a render job (no parsers needed). */
  ctx: PipelineContext | null;
  opts: RunOptions;
  /** Set for the page's "Correo" view: parse and render instead of the pipeline (with one attachment's bytes). */
  render?: { limits: Limits; attachment?: number };
  /** Set for the page's teaching view: the samples and what to do with them. */
  learn?: { raws: Buffer[]; request: LearnRequest };
  resolve: (o: never) => void;
  reject: (e: Error) => void;
}

/** A task sent to a worker and not answered yet. */
export interface InFlight extends Task {
  id: number;
  /** The parser the worker said the email's extraction runs with. */
  parser?: string;
  /** The size of the bytes sent (the worker holds them until it answers). */
  size: number;
  /** The bytes are still here (a copy was sent): they can be sent again if the worker dies. */
  kept: boolean;
}

/** A lost in-flight task as a queued one (its id and parser belong to the lost worker). */
export const asTask = ({ raw, ctx, opts, render, learn, resolve, reject }: InFlight): Task => ({ raw, ctx, opts, render, learn, resolve, reject });

export class Slot {
  ready = false;
  /** The pipeline context this worker has (sent before the first batch and after each reload). */
  ctx: PipelineContext | null = null;
  /** Sent and not answered, in order: the worker runs them one at a time; the first is running. */
  tasks: InFlight[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly worker: Worker) {}

  /** Bytes sent to this worker and not answered. */
  get bytes(): number {
    return this.tasks.reduce((n, t) => n + t.size, 0);
  }

  /**
   * The deadline runs for the task the worker is on now (the first one sent and not answered);
   * a busy worker is work the process waits for, an idle one never keeps it alive.
   */
  startClock(onExpire: () => void): void {
    this.stopClock();
    const head = this.tasks[0];
    if (head) this.timer = setTimeout(onExpire, head.opts.deadlineMs);
    if (head) this.worker.ref();
    else this.worker.unref();
  }

  stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
