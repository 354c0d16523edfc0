import type { App } from './app.ts';
import { runPipeline } from './pipeline/index.ts';

const RANK = { malo: 0, con_problemas: 1, bueno: 2 } as const;

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
export async function reprocess(app: App, opts: { qualities: string[]; since: number | null; now?: number }): Promise<ReprocessReport> {
  const report: ReprocessReport = { examined: 0, upgraded: 0, changed: 0, unchanged: 0, errors: 0 };
  const { store } = app;
  const rules = app.rules();
  const statuses = ['lead', ...(opts.qualities.includes('error') ? ['error', 'pending'] : [])];
  for (const rawId of store.rawIdsByStatus(statuses, opts.since)) {
    const raw = store.getRaw(rawId);
    if (!raw?.raw) continue;
    const leadId = store.leadIdForRaw(rawId);
    if (!leadId) {
      report.examined++;
      const r = await app.ingestor.process(rawId, raw.raw, raw.receivedAt, raw.messageId);
      if (r.error) report.errors++;
      else report.changed++;
      continue;
    }
    const lead = store.getLead(leadId)!;
    // A discarded or aborted lead was closed by a person: reprocessing never reopens it.
    if (!opts.qualities.includes(lead.quality) || lead.contactState === 'descartado' || lead.contactState === 'abortado') continue;
    report.examined++;
    let outcome;
    try {
      outcome = await runPipeline(raw.raw, app.context());
    } catch {
      report.errors++;
      continue;
    }
    if (outcome.kind !== 'lead') { report.unchanged++; continue; }
    const better = RANK[outcome.quality] > RANK[lead.quality];
    const worse = RANK[outcome.quality] < RANK[lead.quality];
    if (worse && (lead.contactState !== 'por_contactar' || store.leadWasActedOn(leadId))) { report.unchanged++; continue; }
    const before = JSON.stringify([lead.quality, lead.name, lead.nationalId, lead.email, lead.phone, lead.projectId, lead.problems]);
    store.updateLeadOutcome(leadId, outcome, rules, 'centralizador');
    const after = store.getLead(leadId)!;
    const now = JSON.stringify([after.quality, after.name, after.nationalId, after.email, after.phone, after.projectId, after.problems]);
    if (before === now) report.unchanged++;
    else {
      store.recordAction({ leadId, actor: 'centralizador', action: 'reprocess', data: { from: lead.quality, to: after.quality }, at: Date.now() });
      if (better) report.upgraded++;
      else report.changed++;
    }
  }
  return report;
}
