// The funnel's domain rules as plain functions: which lead (portal) an interaction is attributed
// to, the seed's counting rule, and a quote's status by its deadline.
import { overdueStatus, type Medium } from '../vocabulary.ts';
import type { IntakeSource, QuoteContactState, QuoteStatus } from './vocabulary.ts';
import type { ClientEvent, Derived, LeadTouch } from '../db/funnel-reads.ts';


export type { ClientEvent, Derived, LeadTouch };

/** Without any lead, the medium follows the tipo de ingreso: the web quoter is web, the rest "otros". */
export function mediumOfSource(source: IntakeSource): Medium {
  return source === 'cotizador_web' ? 'web' : 'otros';
}

/**
 * The lead an interaction is attributed to: the client's latest lead of the same project that
 * arrived before it (the portal that brought this round of the sale), else their latest lead of any
 * project before it, else their first lead after it (an ERP quote dated before the email), else none.
 */
export function attributedLead(leads: LeadTouch[], e: Pick<ClientEvent, 'at' | 'projectId'>): LeadTouch | null {
  const before = leads.filter((l) => l.at <= e.at).sort((a, b) => b.at - a.at || b.id - a.id);
  const after = leads.filter((l) => l.at > e.at).sort((a, b) => a.at - b.at || a.id - b.id);
  const sameProject = (l: LeadTouch) => l.projectId === e.projectId;
  return before.find(sameProject) ?? before[0] ?? after.find(sameProject) ?? after[0] ?? null;
}

/**
 * The seed's counting rule: "si un cliente ya tiene una separación y vuelve a cotizar, se cuenta
 * como un nuevo lead". A cotización dated after any separación of the same client is a re-entry.
 */
export function isReentry(events: ClientEvent[], e: ClientEvent): boolean {
  return e.kind === 'cotizacion' && events.some((o) => o.kind === 'separacion' && o.at < e.at);
}

/** What each of a client's interactions is attributed to and counts as, from the client's whole history. */
export function deriveClient(leads: LeadTouch[], events: ClientEvent[]): Map<number, Derived> {
  const out = new Map<number, Derived>();
  for (const e of events) {
    const lead = attributedLead(leads, e);
    out.set(e.id, { leadId: lead?.id ?? null, parser: lead ? lead.parser : null, medium: lead ? lead.medium : mediumOfSource(e.source), reentry: isReentry(events, e) });
  }
  return out;
}

/** A quote's status for the managers: still por_contactar past its deadline is no_contactado. */
export function quoteStatus(state: QuoteContactState, deadlineAt: number, now: number): QuoteStatus {
  return overdueStatus(state, deadlineAt < now);
}

/** Conversion from one stage to the next: a ratio with 4 decimals, null when the stage is empty. */
export function conversion(count: number, next: number): number | null {
  return count > 0 ? Math.round((next / count) * 10_000) / 10_000 : null;
}
