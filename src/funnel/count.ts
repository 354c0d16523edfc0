// The funnel's numbers from grouped rows: stages with their conversion, each stage's states, and
// the same counts by medio de llegada, portal, project and vendor.
import { conversion, quoteStatus } from './rules.ts';
import { QUOTE_STATUSES, SEPARATION_STATES, STAGES, type QuoteContactState, type Stage } from './vocabulary.ts';

export interface LeadGroupIn { projectId: number | null; parser: string | null; medium: string; owner: string | null; state: string; overdue: number; n: number }
export interface InteractionGroupIn { kind: string; projectId: number | null; parser: string | null; medium: string; owner: string | null; reentry: number; state: string | null; contactState: string | null; overdue: number; n: number }

export { LEAD_STATUSES } from '../vocabulary.ts';
import { LEAD_STATUSES, overdueStatus } from '../vocabulary.ts';
export type StageCounts = Record<Stage, number>;

export interface FunnelOptions {
  /** The list's status / contact-state filters, applied to the lead stage. */
  status?: string[];
  contactState?: string[];
  /** Discarded leads count in the lead stage only when the filter asks for them (they leave the reports). */
  includeDiscarded: boolean;
  /** Key for leads and interactions without a portal parser. */
  noParser: string;
  projectName: (id: number) => string | null;
  vendorName: (id: string) => string | null;
}

const zeroStages = (): StageCounts => Object.fromEntries(STAGES.map((s) => [s, 0])) as StageCounts;
const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

class Breakdown {
  private rows = new Map<string, StageCounts>();
  add(key: string, stage: Stage, n: number) {
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = zeroStages()));
    r[stage] += n;
  }
  list<T>(row: (key: string) => T): (T & StageCounts)[] {
    return [...this.rows.entries()]
      .sort(([ka, a], [kb, b]) => b.desembolso - a.desembolso || b.minuta - a.minuta || b.separacion - a.separacion || b.cotizacion - a.cotizacion || b.lead - a.lead || ka.localeCompare(kb))
      .map(([k, counts]) => ({ ...row(k), ...counts }));
  }
}

/**
 * Lead: the leads of the period (not discarded) plus, by the seed's rule, every quote of a client who
 * already had a separación. Cotización, separación, minuta, desembolso: one per record. The
 * conversion of a stage is the next stage's count over its own.
 */
export function buildFunnel(leads: LeadGroupIn[], items: InteractionGroupIn[], o: FunnelOptions) {
  const totals = zeroStages();
  const statuses = { lead: zeros(LEAD_STATUSES), cotizacion: zeros(QUOTE_STATUSES), separacion: zeros(SEPARATION_STATES) };
  const by = { medium: new Breakdown(), portal: new Breakdown(), project: new Breakdown(), vendor: new Breakdown() };
  const count = (g: { projectId: number | null; parser: string | null; medium: string; owner: string | null }, stage: Stage, n: number) => {
    totals[stage] += n;
    by.medium.add(g.medium, stage, n);
    by.portal.add(g.parser ?? o.noParser, stage, n);
    by.project.add(String(g.projectId ?? ''), stage, n);
    by.vendor.add(g.owner ?? '', stage, n);
  };
  for (const g of leads) {
    const status = overdueStatus(g.state, g.overdue);
    if (o.contactState?.length && !o.contactState.includes(g.state)) continue;
    if (o.status?.length && !o.status.includes(status)) continue;
    statuses.lead[status as (typeof LEAD_STATUSES)[number]] += g.n;
    if (g.state === 'descartado' && !o.includeDiscarded) continue;
    count(g, 'lead', g.n);
  }
  for (const g of items) {
    const stage = g.kind as Stage;
    if (!STAGES.includes(stage) || stage === 'lead') continue;
    count(g, stage, g.n);
    if (stage === 'cotizacion') {
      if (g.reentry) count(g, 'lead', g.n);
      if (g.contactState) statuses.cotizacion[quoteStatus(g.contactState as QuoteContactState, g.overdue ? -1 : 1, 0)] += g.n;
    }
    if (stage === 'separacion' && g.state) statuses.separacion[g.state as (typeof SEPARATION_STATES)[number]] += g.n;
  }
  const stages = STAGES.map((stage, i) => ({ stage, count: totals[stage], conversion: i + 1 < STAGES.length ? conversion(totals[stage], totals[STAGES[i + 1]]) : null }));
  return {
    stages,
    statuses,
    byMedium: by.medium.list((medium) => ({ medium })),
    byPortal: by.portal.list((parser) => ({ parser })),
    byProject: by.project.list((id) => ({ project: id ? o.projectName(Number(id)) : null })),
    byVendor: by.vendor.list((id) => ({ vendorId: id || null, name: id ? o.vendorName(id) : null })),
  };
}
