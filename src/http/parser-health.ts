import type { Logger } from '../logger.ts';
import { NO_PARSER } from '../db/lead-filter.ts';
import type { ReadModels } from '../db/read-side.ts';
import type { QuarantineState } from '../workers/quarantine.ts';

export interface ParserHealth {
  parser: string;
  emails24h: number;
  emails7d: number;
  leads24h: number;
  leads7d: number;
  /** Shares over the last 7 days, 0..1. */
  conProblemasShare: number;
  maloShare: number;
  /** Share of leads with a missing field: last 24 h, and the 6 days before it (the baseline). */
  missingShare24h: number | null;
  missingShareBaseline: number | null;
  lastSuccessAt: string | null;
  /** The last day's missing-field share jumped well above the parser's own baseline. */
  templateChanged: boolean;
  /** Its emails timed out twice: its mail takes the generic extraction until its file changes (src/workers/quarantine.ts). */
  quarantined: boolean;
  quarantinedSince: string | null;
  /** Timeouts of its emails since its config last changed (this process). */
  timeouts: number;
}

/**
 * The quarantine is live state of the running process, so it is laid over the (cached) numbers at
 * every answer: a parser quarantined a second ago shows at once.
 */
export function withQuarantine(health: ParserHealth[], states: QuarantineState[]): ParserHealth[] {
  if (!states.length) return health;
  return health.map((h) => {
    const q = states.find((s) => s.parser === h.parser);
    return q ? { ...h, quarantined: q.since !== null, quarantinedSince: q.since, timeouts: q.timeouts } : h;
  });
}

/** A jump of more than 30 points over the baseline, with at least 10 leads on each side, flags a template change. */
export const TEMPLATE_JUMP = 0.3;
export const TEMPLATE_MIN_LEADS = 10;

const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : 0);

/** Computes per-parser health and logs once when a parser's flag turns on (and when it clears). */
export class ParserHealthMonitor {
  private flagged = new Set<string>();

  constructor(private readonly log: Logger) {}

  async compute(queries: ReadModels['queries'], configured: string[], now: number): Promise<ParserHealth[]> {
    const { leads, emails } = await queries.parserActivity(now);
    const ids = new Set<string>(configured);
    for (const l of leads) ids.add(l.parser ?? NO_PARSER);
    for (const e of emails) ids.add(e.parser);
    const out: ParserHealth[] = [];
    for (const id of [...ids].sort()) {
      const l = leads.find((r) => (r.parser ?? NO_PARSER) === id);
      const e = emails.find((r) => r.parser === id);
      const n24 = l?.n24 ?? 0;
      const nBefore = l?.nBefore ?? 0;
      const recent = n24 > 0 ? share(l!.missing24, n24) : null;
      const baseline = nBefore > 0 ? share(l!.missingBefore, nBefore) : null;
      // Generic extraction sees every kind of form; only a portal's own template can "change".
      const changed = id !== NO_PARSER && recent !== null && baseline !== null && n24 >= TEMPLATE_MIN_LEADS && nBefore >= TEMPLATE_MIN_LEADS && recent > baseline + TEMPLATE_JUMP;
      const last = await queries.lastSuccess(id === NO_PARSER ? null : id);
      out.push({
        parser: id,
        emails24h: e?.n24 ?? n24,
        emails7d: e?.n7 ?? l?.n7 ?? 0,
        leads24h: n24,
        leads7d: l?.n7 ?? 0,
        conProblemasShare: share(l?.conProblemas7 ?? 0, l?.n7 ?? 0),
        maloShare: share(l?.malo7 ?? 0, l?.n7 ?? 0),
        missingShare24h: recent,
        missingShareBaseline: baseline,
        lastSuccessAt: last === null ? null : new Date(last).toISOString(),
        templateChanged: changed,
        quarantined: false,
        quarantinedSince: null,
        timeouts: 0,
      });
      this.note(id, changed, recent, baseline);
    }
    return out;
  }

  private note(parser: string, changed: boolean, recent: number | null, baseline: number | null): void {
    if (changed && !this.flagged.has(parser)) {
      this.flagged.add(parser);
      this.log.warn({ parser, missingShare24h: recent, missingShareBaseline: baseline }, 'parser may no longer match its portal template: far more leads miss a field than usual');
    } else if (!changed && this.flagged.delete(parser)) {
      this.log.info({ parser }, 'parser missing-field share is back near its baseline');
    }
  }
}
