import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthSource, MailboxHealth } from './health-report.ts';
import type { IngestResult } from './ingest.ts';

const MAILBOX_STATES: MailboxHealth['state'][] = ['starting', 'connecting', 'syncing', 'idle', 'backoff', 'auth_failed', 'stopped'];
/** Label values must stay few: a parser id is config data; anything else collapses to a short code. */
const label = (v: string | null | undefined, fallback: string) => (v ? v.replace(/[^\w.-]/g, '_').slice(0, 40) : fallback);

/**
 * Prometheus metrics on their own Registry (not prom-client's global one, so tests and several
 * apps in one process never collide). Mailbox gauges are read from the HealthSource at scrape time.
 */
export function createMetrics(opts: { health?: HealthSource; processMetrics?: boolean } = {}) {
  const registry = new Registry();
  let health = opts.health ?? null;
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'centralizer_' });

  const ingested = new Counter({
    name: 'centralizer_emails_ingested_total',
    help: 'Emails that became leads, by parser and quality',
    labelNames: ['parser', 'quality'] as const,
    registers: [registry],
  });
  const ignored = new Counter({ name: 'centralizer_emails_ignored_total', help: 'Emails that are not leads, by reason', labelNames: ['reason'] as const, registers: [registry] });
  const errors = new Counter({ name: 'centralizer_ingest_errors_total', help: 'Emails stored with an error, by kind (error, timeout, too_large)', labelNames: ['kind'] as const, registers: [registry] });
  const cases = new Counter({ name: 'centralizer_emails_case_total', help: 'Emails that opened or joined a post-sale case (never also a lead)', registers: [registry] });
  const duplicates = new Counter({ name: 'centralizer_emails_duplicate_total', help: 'Emails already stored (same Message-ID or content)', registers: [registry] });
  const latency = new Histogram({
    name: 'centralizer_ingest_latency_seconds',
    help: 'Time from receiving the bytes to the committed lead',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'centralizer_mailbox_state',
    help: '1 for the state each mailbox worker is in, 0 for the others',
    labelNames: ['mailbox', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of health?.mailboxes() ?? []) for (const s of MAILBOX_STATES) this.set({ mailbox: label(m.name, 'unknown'), state: s }, m.state === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'centralizer_mailbox_stale',
    help: '1 when a mailbox had no successful sync for longer than daemon.staleAfterSeconds',
    labelNames: ['mailbox'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of health?.mailboxes() ?? []) this.set({ mailbox: label(m.name, 'unknown') }, m.stale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'centralizer_mailbox_messages_behind',
    help: 'Messages above the cursor at the last check',
    labelNames: ['mailbox'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of health?.mailboxes() ?? []) if (m.messagesBehind !== null) this.set({ mailbox: label(m.name, 'unknown') }, m.messagesBehind);
    },
  });

  new Gauge({
    name: 'centralizer_notifications',
    help: 'Notification emails in the outbox by status (pending, failed, sent)',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const n = health?.notifications?.();
      if (n) for (const s of ['pending', 'failed', 'sent'] as const) this.set({ status: s }, n[s]);
    },
  });
  const notifyLatency = new Histogram({
    name: 'centralizer_notification_latency_seconds',
    help: 'Time from the committed lead (queued notification) to the SMTP server accepting it, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300, 3600],
    registers: [registry],
  });

  return {
    registry,
    onNotificationSent(kind: string, latencyMs: number): void {
      notifyLatency.observe({ kind: label(kind, 'other') }, Math.max(0, latencyMs) / 1000);
    },
    /** Lets the daemon attach its health source after the metrics were created. */
    useHealth(source: HealthSource): void {
      health = source;
    },
    hasHealth: () => health !== null,
    onIngest(result: IngestResult, latencyMs: number): void {
      if (result.duplicate) {
        duplicates.inc();
        return;
      }
      latency.observe(Math.max(0, latencyMs) / 1000);
      const outcome = result.outcome;
      if (result.caseId) cases.inc();
      else if (outcome?.kind === 'lead') ingested.inc({ parser: label(outcome.parser, 'generic'), quality: outcome.quality });
      else if (outcome?.kind === 'ignored') ignored.inc({ reason: label(outcome.reason.split(':')[0], 'unknown') });
      else errors.inc({ kind: result.status === 'too_large' || result.status === 'timeout' ? result.status : 'error' });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
