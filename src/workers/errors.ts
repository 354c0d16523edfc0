// How an email can fail in the pool, beside the pipeline's own errors (protocol.ts rebuilds those).

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

/** The parser a failed email's extraction ran with, when the worker said (a timeout, a slow extraction). */
export function failedParser(e: unknown): string | null {
  return (e as { parser?: string | null } | null)?.parser ?? null;
}
