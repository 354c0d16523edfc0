import { runPipeline, type PipelineContext, type PipelineOutcome } from '../pipeline/index.ts';
import { LimitExceeded } from '../pipeline/mime.ts';
import { PipelineTimeout, failedParser } from './errors.ts';
import type { PipelinePool } from './pool.ts';
import type { ParserQuarantine } from './quarantine.ts';

export { PoolClosed } from './errors.ts';

export interface RunRequest {
  /** 1 for a first run; a retry of a timed-out email runs with a larger budget (deadline × budget). */
  budget: number;
  /** The caller will not read the buffer again: it moves to the worker instead of being copied. */
  transfer: boolean;
  /** The bytes again from the raw store: no copy is kept while the email waits in a busy worker. */
  reload?: () => Promise<Buffer | null>;
}

/** How ingest runs the pipeline: in the worker pool (the daemon, every command) or inline (unit tests). */
export interface PipelineRunner {
  run(raw: Buffer, ctx: PipelineContext, req: RunRequest): Promise<PipelineOutcome>;
  /** How many emails are worth having in flight at once. */
  readonly concurrency: number;
}

/**
 * The pool, with the deadline read from the current config on every email (reloads apply). With a
 * quarantine, an email that times out counts against the parser its extraction ran with, and
 * quarantined parsers' mail takes the generic extraction.
 */
export function poolRunner(pool: PipelinePool, deadlineMs: () => number, quarantine?: ParserQuarantine): PipelineRunner {
  return {
    run: async (raw, base, req) => {
      const ctx = quarantine ? quarantine.apply(base) : base;
      try {
        return await pool.run(raw, ctx, { deadlineMs: deadlineMs() * req.budget, extractBudget: req.budget, transfer: req.transfer, reload: req.reload });
      } catch (e) {
        const parser = failedParser(e);
        if (quarantine && parser && isSlow(e)) quarantine.noteTimeout(parser, ctx.parsers);
        throw e;
      }
    },
    // Enough in flight that each worker has a batch queued behind the one it runs (pool.ts: WINDOW).
    concurrency: pool.size * 40,
  };
}

/** On the calling thread, no deadline: only for tests of the stages and one-shot tools. */
export const inlineRunner: PipelineRunner = {
  run: (raw, ctx) => runPipeline(raw, ctx),
  concurrency: 1,
};

/** Over a time bound: the worker's deadline, or the extraction budget inside the worker. */
const isSlow = (e: unknown) => e instanceof PipelineTimeout || (e instanceof LimitExceeded && e.limit === 'maxExtractMs');

export type FailureStatus = 'error' | 'too_large' | 'timeout';

/**
 * What a failed email is stored as. Over a size bound: too_large. Over a time bound (the worker's
 * deadline or maxExtractMs): timeout, retried once with a larger budget; a retry that times out
 * again is an error (a slow moment of the machine is not a property of the email, a second one is).
 */
export function classifyFailure(e: unknown, budget: number): { status: FailureStatus; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  if (isSlow(err)) return budget > 1 ? { status: 'error', message: `timeout after a retry with ${budget}x the budget: ${err.message}` } : { status: 'timeout', message: `timeout: ${err.message}` };
  if (err instanceof LimitExceeded) return { status: 'too_large', message: `limit ${err.limit}: ${err.message}` };
  return { status: 'error', message: `${err.name ?? 'Error'}: ${err.message}` };
}

/** `fn` over 0..n-1 with at most `limit` calls in flight; results in index order. */
export async function mapBounded<R>(n: number, limit: number, fn: (i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, n)) }, lane));
  return out;
}
