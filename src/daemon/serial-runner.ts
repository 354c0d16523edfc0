/**
 * Runs one task at a time. A request while a run is in flight sets "again" instead of starting a
 * second run, so the catch-ups of one mailbox never overlap and a burst of triggers (IDLE EXISTS,
 * cron tick, watchdog) costs at most one extra run. Pure apart from one zero-delay timer, so it is
 * tested with fake timers.
 */
export class SerialRunner {
  private loop: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Number of runs started, for tests and health. */
  runs = 0;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** A run is in flight (or about to start). */
  get busy(): boolean {
    return this.loop !== null;
  }

  /** Asks for a run; resolves once a run that started after this call has finished. Never rejects. */
  request(): Promise<void> {
    if (this.stopped) return this.idle();
    this.again = true;
    if (!this.loop) this.loop = this.drain();
    return this.loop;
  }

  /** Resolves when nothing is running. */
  idle(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** No new runs start; the one in flight finishes on its own. */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    try {
      // Never run the task on the caller's stack: callers include IMAP event handlers, and a
      // command issued from inside one of those can deadlock the connection.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      while (this.again && !this.stopped) {
        this.again = false;
        this.runs++;
        try {
          await this.task();
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      // Cleared in the same tick as the last `again` check, so no request can slip between them.
      this.loop = null;
    }
  }
}
