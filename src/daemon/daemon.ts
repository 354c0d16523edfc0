import cron from 'node-cron';
import type { App } from '../app.ts';
import type { AuthBackoff, BackoffOptions } from './backoff.ts';
import type { HealthSource } from './health.ts';
import { DaemonLease, type LeaseOptions } from './lease.ts';
import { MailboxWorker } from './mailbox-worker.ts';

export interface DaemonOptions {
  /** Reconnect backoff (tests shorten it). */
  backoff?: BackoffOptions;
  /** The slow schedule after a refused login (tests shorten it). */
  authBackoff?: AuthBackoff;
  lease?: Omit<LeaseOptions, 'onLost'>;
  /** Called after the daemon stopped itself because another process took its lease. */
  onLeaseLost?: () => void;
}

export interface Daemon {
  health: HealthSource;
  /** Finishes what a crash left pending, then starts the mailboxes (`run` calls it once the admin server listens). */
  start(): Promise<void>;
  /** Asks every mailbox for a catch-up now and waits for all of them. */
  catchUpAll(): Promise<void>;
  stop(): Promise<void>;
}

/** Throws naming the mailbox when a poll schedule is not a valid cron expression. */
function checkSchedules(app: App): void {
  const { daemon, mailboxes } = app.config;
  if (!cron.validate(daemon.pollCron)) throw new Error(`daemon.pollCron: "${daemon.pollCron}" is not a valid cron expression`);
  for (const [i, m] of mailboxes.entries()) {
    if (m.pollCron !== undefined && !cron.validate(m.pollCron)) throw new Error(`mailboxes.${i}.pollCron (${m.name}): "${m.pollCron}" is not a valid cron expression`);
  }
}

/**
 * Emails stored before a crash but not yet processed: raw rows still 'pending'. Processed once at
 * start, before any mailbox connects; a row that fails again stays pending for the next start.
 */
export async function processPending(app: App, storedBefore = Number.MAX_SAFE_INTEGER): Promise<number> {
  let done = 0;
  const ids = await app.store.pendingRawIds(Number.MAX_SAFE_INTEGER, storedBefore);
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = ids.slice(i, i + 50);
    try {
      done += (await app.ingestor.processStoredBatch(chunk)).length;
    } catch (err) {
      app.log.error({ rawEmailIds: chunk, err: (err as Error).message }, 'pending emails could not be processed; they stay pending');
    }
  }
  return done;
}

/** Opens and starts the daemon: the lease, then what a crash left pending, then the mailboxes. */
export async function startDaemon(app: App, opts: DaemonOptions = {}): Promise<Daemon> {
  const daemon = await openDaemon(app, opts);
  try {
    await daemon.start();
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return daemon;
}

/**
 * Takes the database lease (a second daemon refuses to start) and prepares one independent worker
 * per configured mailbox; nothing is processed until `start()`, so the admin server can listen
 * first (a start that is slow on the previous run's pending emails must not hide the daemon).
 */
export async function openDaemon(app: App, opts: DaemonOptions = {}): Promise<Daemon> {
  const log = app.log.child({ component: 'daemon' });
  checkSchedules(app);
  app.workers.warm();
  const workers = app.config.mailboxes.map((mailbox) => new MailboxWorker({ app, mailbox, log: app.log, backoff: opts.backoff, authBackoff: opts.authBackoff }));
  let retry: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(retry);
      await Promise.all(workers.map((w) => w.stop()));
      lease.release();
      log.info('daemon stopped');
    })());
  const lease = await DaemonLease.acquire(app.store, {
    ...opts.lease,
    onLost: (holder) => {
      // Another daemon took the database over (this one stalled past the lease): stop ingesting.
      log.fatal({ holder }, 'daemon lease lost to another process; stopping all mailboxes');
      void stop().then(() => opts.onLeaseLost?.());
    },
  });
  const start = async () => {
    const recovered = await processPending(app);
    if (recovered) log.info({ count: recovered }, 'processed emails left pending by the previous run');
    if (stopping) return;
    for (const w of workers) w.start();
    // Rows a database error left pending (disk full, locked) are retried while running, not only at start.
    let retrying = false;
    // Only rows stored over two minutes ago: younger ones belong to a catch-up still at work.
    retry = setInterval(() => {
      if (retrying || stopping) return;
      retrying = true;
      processPending(app, Date.now() - 120_000)
        .catch((err) => log.error({ err: (err as Error).message }, 'retry of pending emails failed'))
        .finally(() => (retrying = false));
    }, 30_000);
    retry.unref();
    log.info({ mailboxes: workers.map((w) => w.name) }, 'daemon started');
  };
  return {
    health: { mailboxes: () => workers.map((w) => w.health()) },
    start,
    catchUpAll: async () => {
      await Promise.all(workers.map((w) => w.catchUp()));
    },
    stop,
  };
}
