import type { Config } from '../config.ts';
import type { ReadModels } from '../db/read-side.ts';
import { NotificationStore } from './notification-store.ts';
import type { Logger } from '../logger.ts';
import type { Storage } from '../db/port.ts';
import { runDigest, scheduleDigest } from './digest.ts';
import { runEscalation, scheduleEscalation, type EscalationDeps } from '../cases/escalation.ts';
import { NotificationSender, type SenderSettings } from './sender.ts';

/** What the notification side needs of the wired program (src/app.ts gives it). */
export interface NotificationDeps {
  store: Storage;
  reads: Pick<ReadModels, 'notifications' | 'digest' | 'caseDesk'>;
  readonly config: Config;
  context(): { parsers: { config: { id: string; name: string } }[] };
}

/** The notification side of the daemon: the outbox sender and the daily digest, started and stopped together. */
export function startNotifications(app: NotificationDeps, log: Logger, opts: Partial<SenderSettings> & { intervalMs?: number } = {}) {
  const store = new NotificationStore(app.store, app.reads.notifications);
  const storage: Storage = app.store;
  const engine = storage.engine;
  const claimMs = engine === 'postgres' ? 60_000 : 0;
  const sender = new NotificationSender(store, { smtp: () => app.config.smtp, maxAttempts: () => app.config.notifications.maxAttempts, claimMs, ...opts }, log);
  const digest = (now: number) => runDigest(now, app.config, app.reads.digest, store, (name) => app.store.projectId(name),
    (id) => app.context().parsers.find((p) => p.config.id === id)?.config.name);
  // The check runs in the background: a wrong password or a dead server never delays ingestion.
  void sender.verify().then(() => sender.kick());
  sender.start(opts.intervalMs ?? 1000);
  const task = app.config.notifications.enabled ? scheduleDigest(() => app.config, async (now) => {
    const n = await digest(now);
    sender.kick();
    return n;
  }, log) : null;
  // Cases past their due time in business hours: escalated once, the supervisors emailed through the outbox.
  const escalationDeps: EscalationDeps = {
    store: app.store, desk: app.reads.caseDesk, cases: () => app.config.cases, timeZone: () => app.config.timezone, publicUrl: () => app.config.admin.publicUrl, log,
  };
  const escalate = (now: number) => runEscalation(now, escalationDeps);
  const escalation = app.config.notifications.enabled ? scheduleEscalation(escalationDeps, app.config.cases.escalationCron, () => sender.kick()) : null;
  return {
    sender,
    store,
    digest,
    escalate,
    kick: () => sender.kick(),
    health: () => sender.health(),
    async stop() {
      await task?.stop();
      await escalation?.stop();
      await sender.stop();
    },
  };
}

export type Notifications = ReturnType<typeof startNotifications>;
