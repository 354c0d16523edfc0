import type { Config } from './config.ts';
import type { Ingestor } from './ingest.ts';
import { io, type LeadRow, type Storage, type StoredRaw } from './db/port.ts';
import { recordPerson, updateLeadOutcome, type PersistRules } from './leads/record.ts';
import type { LeadOutcome } from './pipeline/index.ts';
import { SYSTEM_ACTOR, qualityRank } from './vocabulary.ts';

export interface ReprocessReport {
  examined: number;
  upgraded: number;
  changed: number;
  unchanged: number;
  errors: number;
}

/**
 * Re-runs stored raw emails through today's parsers and projects. Emails that failed are processed
 * again; leads of the given qualities are re-classified. A lead a person already acted on is
 * only ever upgraded, never downgraded.
 */
/** What reprocessing needs of the wired program (src/app.ts gives it). */
export interface ReprocessDeps {
  store: Storage;
  ingestor: Pick<Ingestor, 'process' | 'outcome'>;
  config: Pick<Config, 'workers'>;
  rules(): PersistRules;
  log?: { warn(obj: object, msg: string): void };
}

export async function reprocess(app: ReprocessDeps, opts: { qualities: string[]; since: number | null; now?: number; notify?: boolean }): Promise<ReprocessReport> {
  const report: ReprocessReport = { examined: 0, upgraded: 0, changed: 0, unchanged: 0, errors: 0 };
  const { store } = app;
  // A re-classified lead notifies only when asked (--notify): its vendor may have heard of it already.
  const rules = opts.notify ? app.rules() : { ...app.rules(), onLead: undefined };
  /** A stored email with no lead yet, through the pipeline again as ingest would. */
  const processAgain = async (row: StoredRaw, body: Buffer, budget?: number) => {
    report.examined++;
    try {
      const r = await app.ingestor.process(row.id, body, row.receivedAt, row.messageId, { budget, transfer: true });
      if (r.error) report.errors++;
      else report.changed++;
    } catch (err) {
      // One email whose outcome cannot be recorded (its rows disagree) is counted; the rest go on.
      report.errors++;
      app.log?.warn({ rawEmailId: row.id, err: (err as Error).message }, 'reprocess: this email could not be recorded');
    }
  };
  // Emails that ran past their deadline get one more try with a larger budget; a second timeout
  // stores them as an error, so they are not retried again unless an admin asks (--quality error).
  for (const rawId of await store.rawIdsByStatus(['timeout'], opts.since)) {
    const raw = await store.getRaw(rawId);
    if (raw?.raw) await processAgain(raw, raw.raw, app.config.workers.retryFactor);
  }
  /** One lead re-classified from its person's new outcome; which report line it counts on. */
  const reclassify = async (lead: LeadRow, outcome: LeadOutcome): Promise<'upgraded' | 'changed' | 'unchanged'> => {
    const leadId = lead.id;
    const better = qualityRank(outcome.quality) > qualityRank(lead.quality);
    const worse = qualityRank(outcome.quality) < qualityRank(lead.quality);
    if (worse && (lead.contactState !== 'por_contactar' || (await store.leadWasActedOn(leadId)))) return 'unchanged';
    const before = fingerprint(lead);
    // The new verdict and the action that records it commit together.
    const changed = await store.unitOfWork(function* (tx) {
      yield* updateLeadOutcome(tx, leadId, outcome, rules, SYSTEM_ACTOR, Date.now());
      const after = (yield* io(tx.getLead(leadId)))!;
      if (fingerprint(after) === before) return false;
      yield* io(tx.recordAction({ leadId, actor: SYSTEM_ACTOR, action: 'reprocess', data: { from: lead.quality, to: after.quality }, at: Date.now() }));
      return true;
    });
    return !changed ? 'unchanged' : better ? 'upgraded' : 'changed';
  };
  const statuses = ['lead', ...(opts.qualities.includes('error') ? ['error', 'pending'] : [])];
  for (const rawId of await store.rawIdsByStatus(statuses, opts.since)) {
    const raw = await store.getRaw(rawId);
    if (!raw?.raw) continue;
    const existing = await store.leadsOfRaw(rawId);
    if (!existing.length) {
      await processAgain(raw, raw.raw);
      continue;
    }
    const leads = new Map<number, LeadRow>();
    for (const e of existing) {
      const lead = (await store.getLead(e.id))!;
      // A discarded or aborted lead was closed by a person: reprocessing never reopens it.
      if (opts.qualities.includes(lead.quality) && lead.contactState !== 'descartado' && lead.contactState !== 'abortado') leads.set(e.partIndex, lead);
    }
    if (!leads.size) continue;
    report.examined += leads.size;
    let outcome;
    try {
      outcome = await app.ingestor.outcome(raw.raw, { transfer: true }); // in a worker, like ingest
    } catch {
      report.errors += leads.size;
      continue;
    }
    if (outcome.kind !== 'lead') { report.unchanged += leads.size; continue; }
    // A digest: each lead is re-read at its own position; people today's extraction finds beyond
    // the stored ones (an older version read one person) become leads of their own.
    const parts = [outcome, ...(outcome.others ?? [])];
    for (const [part, lead] of leads) {
      const o = parts[part];
      if (!o) { report.unchanged++; continue; }
      const r = await reclassify(lead, o);
      report[r]++;
    }
    const taken = new Set(existing.map((e) => e.partIndex));
    const added = parts.map((o, k) => ({ o, k })).filter(({ k }) => !taken.has(k));
    if (added.length) {
      await store.unitOfWork(function* (tx) {
        for (const { o, k } of added) {
          const r = yield* recordPerson(tx, rawId, o, k, raw.receivedAt, rules, Date.now());
          if (rules.onLead) yield* rules.onLead(tx, { leadId: r.leadId, rawEmailId: rawId });
          yield* io(tx.recordAction({ leadId: r.leadId, actor: SYSTEM_ACTOR, action: 'reprocess', data: { from: null, to: o.quality }, at: Date.now() }));
        }
      });
      report.examined += added.length;
      report.changed += added.length;
    }
  }
  return report;
}

/** What reprocessing can change on a lead: a difference is recorded as a 'reprocess' action. */
const fingerprint = (l: LeadRow) => JSON.stringify([l.quality, l.name, l.nationalId, l.email, l.phone, l.projectId, l.problems]);
