import cron from 'node-cron';
import type { App } from '../app.ts';
import type { AuthBackoff, BackoffOptions } from '../backoff.ts';
import type { HealthSource } from '../health-report.ts';
import { DaemonLease, type LeaseOptions } from './lease.ts';
import { MailboxLeases, type MailboxLeaseOptions } from './mailbox-leases.ts';
import type { MailboxHealth } from '../health-report.ts';
import { io, type Storage } from '../db/port.ts';
import { PoolClosed } from '../workers/errors.ts';
import { MailboxWorker } from './mailbox-worker.ts';

export interface DaemonOptions {
  /** Reconnect backoff (tests shorten it). */
  backoff?: BackoffOptions;
  /** The slow schedule after a refused login (tests shorten it). */
  authBackoff?: AuthBackoff;
  lease?: Omit<LeaseOptions, 'onLost'>;
  /** Per-mailbox lease timing (tests shorten it). */
  mailboxLeases?: Pick<MailboxLeaseOptions, 'ttlMs' | 'renewMs' | 'owner'>;
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
      if (err instanceof PoolClosed) break; // shutting down: what is left stays pending for the next start
      done += await pendingOneByOne(app, chunk, err as Error);
    }
  }
  return done;
}

/**
 * The database refused the email's own rows (a constraint, a value it cannot hold): the same on
 * every retry. Anything else (a closed pool at shutdown, a full disk, a lock) may pass.
 */
const isDataError = (err: unknown) => /^(SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)|2[23][0-9A-Z]{3}$)/.test(String((err as { code?: unknown })?.code ?? ''));

/**
 * A chunk whose outcomes could not be recorded, one email at a time: one email whose rows the
 * database refuses must not hold the others back, nor stay pending unseen forever: it is stored as
 * an error (listed by /api/emails, `reprocess` takes it up). Any other failure leaves it pending.
 */
async function pendingOneByOne(app: App, chunk: number[], chunkError: Error): Promise<number> {
  let done = 0;
  const refused: { id: number; err: Error }[] = [];
  for (const id of chunk) {
    try {
      done += (await app.ingestor.processStoredBatch([id])).length;
    } catch (err) {
      if (err instanceof PoolClosed) return done; // shutting down: the rest stay pending for the next start
      if (isDataError(err)) refused.push({ id, err: err as Error });
      else app.log.error({ rawEmailId: id, err: (err as Error).message }, 'a pending email could not be processed; it stays pending');
    }
  }
  for (const { id, err } of refused) {
    await app.store.unitOfWork((tx) => io(tx.setRawFailure(id, 'error', `su resultado no se pudo guardar: ${err.message}`.slice(0, 1000), Date.now())));
  }
  if (refused.length) app.log.error({ rawEmailIds: refused.map((f) => f.id), err: chunkError.message }, 'emails whose rows the database refuses are stored as errors');
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
 * Prepares the daemon; nothing is processed until `start()`, so the admin server can listen first
 * (a start that is slow on the previous run's pending emails must not hide the daemon). On SQLite
 * it takes the database lease (a second daemon refuses to start); on PostgreSQL several daemons
 * share the database. Either way each mailbox runs only in the daemon holding its lease (a worker
 * is made when the lease is gained and stopped when it is lost), and every batch it stores is
 * fenced by that lease.
 */
export async function openDaemon(app: App, opts: DaemonOptions = {}): Promise<Daemon> {
  const log = app.log.child({ component: 'daemon' });
  checkSchedules(app);
  app.workers.warm();
  const configs = new Map(app.config.mailboxes.map((m) => [m.name, m]));
  const workers = new Map<string, MailboxWorker>();
  let running = false;
  let retry: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(retry);
      await leases.release();
      await Promise.all([...workers.values()].map((w) => w.stop()));
      workers.clear();
      lease?.release();
      log.info('daemon stopped');
    })());
  const storage: Storage = app.store;
  const lease = storage.engine === 'postgres'
    ? null
    : await DaemonLease.acquire(app.store, {
        ...opts.lease,
        onLost: (holder) => {
          // Another daemon took the database over (this one stalled past the lease): stop ingesting.
          log.fatal({ holder }, 'daemon lease lost to another process; stopping all mailboxes');
          void stop().then(() => opts.onLeaseLost?.());
        },
      });
  const leases: MailboxLeases = new MailboxLeases(app.store, [...configs.keys()], {
    ...opts.mailboxLeases,
    onGained: (name) => {
      const mailbox = configs.get(name)!;
      const worker = new MailboxWorker({ app, mailbox, log: app.log, backoff: opts.backoff, authBackoff: opts.authBackoff, fence: () => leases.fence(name) });
      workers.set(name, worker);
      if (running && !stopping) worker.start();
      log.info({ mailbox: name }, 'mailbox lease taken: polling it here');
    },
    onLost: (name) => {
      const worker = workers.get(name);
      workers.delete(name);
      log.warn({ mailbox: name }, 'mailbox lease lost to another daemon: stopped polling it here');
      void worker?.stop();
    },
  });
  const mailboxHealth = (): MailboxHealth[] =>
    [...configs.keys()].map((name) => {
      const worker = workers.get(name);
      if (worker) return { ...worker.health(), heldBy: leases.owner };
      const heldBy = leases.holder(name);
      return { name, state: heldBy ? 'elsewhere' : 'starting', heldBy, connected: false, lastSuccessAt: null, lastError: null, messagesBehind: null, nextRetryAt: null, stale: false };
    });
  const start = async () => {
    const recovered = await processPending(app);
    if (recovered) log.info({ count: recovered }, 'processed emails left pending by the previous run');
    if (stopping) return;
    running = true;
    await leases.start(); // each mailbox gained starts its worker at once (onGained)
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
    log.info({ mailboxes: leases.holding() }, 'daemon started');
  };
  return {
    health: { mailboxes: mailboxHealth },
    start,
    catchUpAll: async () => {
      await Promise.all([...workers.values()].map((w) => w.catchUp()));
    },
    stop,
  };
}
