import { createApp } from '../app.ts';
import type { CommandContext } from '../cli/context.ts';
import { createLogger, type Logger } from '../logger.ts';
import { reprocess } from '../reprocess.ts';
import { openDaemon, type Daemon } from './daemon.ts';
import { closeSharedPools } from '../workers/pool.ts';
import { createMetrics } from '../metrics.ts';
import { createAdminServer, type AdminServer } from '../http/server.ts';
import { WebhookSender } from '../ownership/webhooks.ts';
import { startNotifications, type Notifications } from '../outbox/service.ts';
import type { IngestResult } from '../ingest.ts';
import { scheduleBackups } from './backup-schedule.ts';
import { readConfigForReload, watchConfig } from './watch.ts';
import { DAY_MS } from '../vocabulary.ts';
import { createIntakeServer, type IntakeServer } from '../intake/server.ts';
import { startSpool } from '../intake/spool.ts';

/**
 * One info line per email processed: ids, parser, quality and time, never a field value (names,
 * addresses, phones and IDs stay in the database). A re-fetched duplicate is a debug line.
 */
export function logProcessed(log: Logger, r: IngestResult, ms: number): void {
  const o = r.outcome;
  const line = {
    rawEmailId: r.rawEmailId,
    status: r.status,
    leadId: r.leadId,
    clientId: r.clientId,
    parser: o?.parser ?? null,
    quality: o?.kind === 'lead' ? o.quality : null,
    problems: o?.kind === 'lead' && o.problems.length ? o.problems : undefined,
    ignored: o?.kind === 'ignored' ? o.reason : undefined,
    followUp: r.followUpAt !== null,
    ms: Math.round(ms),
  };
  if (r.duplicate) log.debug(line, 'email already stored');
  else log.info(line, 'email processed');
}

/** SIGTERM / SIGINT must end the process within this bound, whatever is stuck. */
const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * `centralizer run`: the app, the daemon (lease, pending emails, one worker per mailbox) and the
 * admin server, in one process, until SIGTERM or SIGINT. SIGHUP reloads parsers and projects.
 */
export async function runDaemon(ctx: CommandContext): Promise<number> {
  const log = createLogger(ctx.config.log.level);
  const metrics = createMetrics({ processMetrics: true });
  let notifications: Notifications | null = null;
  const onResult = (r: IngestResult, ms: number) => {
    metrics.onIngest(r, ms);
    logProcessed(log, r, ms);
    if (r.leadId !== null && !r.duplicate) notifications?.kick(); // its emails were committed with it
  };
  const app = await createApp(ctx.config, log, { dbPath: ctx.db, syncConfig: true, notify: true, hooks: { onResult } });
  notifications = startNotifications(app, log.child({ component: 'notifications' }), { onSent: (row, ms) => metrics.onNotificationSent(row.kind, ms) });
  const webhooks = new WebhookSender(app.store, () => app.config.webhooks, log.child({ component: 'webhooks' }));
  let shutdown: (reason: string, code: number) => void = () => {};
  let stopWatching = () => {};
  let stopBackups = () => {};
  let stopSpool = () => {};
  let daemon: Daemon;
  let admin: AdminServer;
  let intake: IntakeServer | null = null;
  try {
    daemon = await openDaemon(app, { onLeaseLost: () => shutdown('lease lost', 1) });
    // Intake leads the database lost (a deleted -wal, a restore) are stored again from the spool,
    // with the lease held and before the intake listener opens; daemon.start() processes them.
    stopSpool = await startSpool(app, log.child({ component: 'intake-spool' }));
    const health = { mailboxes: () => daemon.health.mailboxes(), webhooks: () => webhooks.health(), notifications: () => notifications!.health() };
    metrics.useHealth(health);
    admin = createAdminServer(app, { health, metrics, log: log.child({ component: 'http' }) });
    const { port } = await admin.listen(app.config.admin.port, app.config.admin.host);
    log.info({ url: `http://${app.config.admin.host}:${port}` }, 'admin server listening');
    if (app.config.intake) {
      // Its own listener, so forms and ad platforms reach it while the admin API stays on loopback.
      intake = createIntakeServer(app, { log: log.child({ component: 'intake' }) });
      const { port: intakePort } = await intake.listen(app.config.intake.port, app.config.intake.host);
      log.info({ url: `http://${app.config.intake.host}:${intakePort}`, publicUrl: app.config.intake.publicUrl }, 'intake listener listening');
    }
    webhooks.start();
    app.store.health().start(); // periodic quick_check and write probe for /healthz
    if (app.config.backup && app.store.engine === 'sqlite') stopBackups = scheduleBackups(app.store.name, app.config.backup, log.child({ component: 'backup' })).stop;
    else if (app.config.backup) log.warn('backup: scheduled backups copy a SQLite file; on PostgreSQL use the server\'s own (pg_dump, base backups)');
  } catch (err) {
    log.error({ err: (err as Error).message }, 'daemon could not start');
    ctx.err.write(`centralizer run: ${(err as Error).message}\n`);
    await intake?.close();
    await daemon!?.stop().catch(() => undefined);
    await notifications.stop().catch(() => undefined);
    app.close();
    return 1;
  }

  return await new Promise<number>((resolve) => {
    let shuttingDown = false;
    // The daemon runs until a signal, even with no mailbox configured (nothing else holds the loop open).
    const keepAlive = setInterval(() => {}, 1 << 30);
    shutdown = (reason, code) => {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(keepAlive);
      stopWatching();
      stopBackups();
      stopSpool();
      process.off('SIGHUP', onHangUp);
      log.info({ reason }, 'shutting down');
      setTimeout(() => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
      // Stops fetching; a stored batch is one unit of work, so it is never cut in half.
      Promise.all([admin.close(), webhooks.stop(), intake?.close()])
        .then(() => daemon.stop())
        .catch((err) => {
          log.error({ err: (err as Error).message }, 'error while stopping');
          code = code || 1;
        })
        .then(() => closeSharedPools())
        .then(() => {
          app.close();
          // A stray handle (a socket closing slowly) must not keep the process past the bound.
          setTimeout(() => process.exit(code), 1_000).unref();
          resolve(code);
        });
    };
    const onHangUp = () => void reload();
    const reload = async () => {
      try {
        const config = readConfigForReload(ctx.configFile);
        await app.reload({ config }); // validates the new parsers first; throws before swapping anything
        log.info('configuration reloaded (parsers and projects; mailbox changes need a restart)');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'reload failed; the previous parsers and projects stay in use');
        return;
      }
      const days = app.config.daemon.reprocessDaysAfterReload;
      if (days > 0) {
        reprocess(app, { qualities: ['con_problemas'], since: Date.now() - days * DAY_MS })
          .then((report) => log.info({ ...report, days }, 'reprocessed recent con_problemas leads after the reload'))
          .catch((err) => log.error({ err: (err as Error).message }, 'reprocess after reload failed'));
      }
    };
    process.on('SIGTERM', () => shutdown('SIGTERM', 0));
    process.on('SIGINT', () => shutdown('SIGINT', 0));
    process.on('SIGHUP', onHangUp);
    // Only now, with the admin port open and signals handled, are the previous run's pending emails
    // taken up and the mailboxes started.
    daemon.start().catch((err) => {
      log.error({ err: (err as Error).message }, 'daemon could not start its mailboxes');
      shutdown('start failed', 1);
    });
    // Admins edit parsers/ and the projects while the daemon runs: a change reloads like SIGHUP.
    stopWatching = watchConfig(app.config.parsersDir, ctx.configFile, () => {
      log.info('parser or config file changed; reloading');
      void reload();
    });
  });
}
