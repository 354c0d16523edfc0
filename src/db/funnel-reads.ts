import type { IntakeSource, InteractionKind, SeparationState } from '../funnel-vocabulary.ts';
import type { Medium } from '../vocabulary.ts';
import type { LeadFilter } from './lead-filter.ts';
import type { Scope } from './scope.ts';

// The read port of the sales funnel and the client's record (ficha): groups counted by the
// funnel's dimensions, interactions, timelines. Both adapters answer every one.

export interface NewInteraction {
  key: string;
  externalId: string | null;
  kind: InteractionKind;
  clientId: number;
  projectId: number | null;
  at: number;
  product: string | null;
  model: string | null;
  amount: number | null;
  source: IntakeSource;
  state: SeparationState | null;
  deadlineAt: number | null;
  leadId: number | null;
  ownerVendorId: string | null;
  actor: string;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** A client's lead and interaction as the funnel rules read them, and what they derive (src/funnel/rules.ts). */
export interface LeadTouch { id: number; at: number; projectId: number | null; parser: string | null; medium: Medium }

export interface ClientEvent { id: number; kind: InteractionKind; at: number; projectId: number | null; source: IntakeSource }

export interface Derived { leadId: number | null; parser: string | null; medium: Medium; reentry: boolean }

/** The fields a re-import may change; the rest (contact state, attribution) are the product's. */
export const CONTENT = ['client_id', 'project_id', 'at', 'product', 'model', 'amount', 'source', 'state'] as const;

/** Leads of one combination of the funnel's dimensions; overdue: por_contactar past its deadline. */
export interface LeadGroup { projectId: number | null; parser: string | null; medium: string; owner: string | null; quality: string; state: string; overdue: number; n: number }

export interface InteractionGroup { kind: InteractionKind; projectId: number | null; parser: string | null; medium: string; owner: string | null; reentry: number; state: string | null; contactState: string | null; overdue: number; n: number }

/** An interaction group's key without its follow-up state: the daily rows meet the quotes still in time on it. */
export function interactionKey(g: Pick<InteractionGroup, 'kind' | 'projectId' | 'parser' | 'medium' | 'owner' | 'reentry' | 'state'>): string {
  return `${g.kind}|${g.projectId}|${g.parser}|${g.medium}|${g.owner}|${Number(g.reentry)}|${g.state}`;
}

/** One page of a kind of interaction, newest first, with the keyset of the next page. */
export interface InteractionPage {
  rows: ({ id: number; at: number } & Record<string, unknown>)[];
  next: { at: number; id: number } | null;
}

/** The funnel page: leads and interactions grouped by its dimensions, lists and a client's timeline. */
export interface FunnelReads {
  /** Lead groups for the filter (status and contact-state filters are the caller's, on the groups). */
  leadGroups(filter: LeadFilter, now: number): Promise<LeadGroup[]>;
  /**
   * Interaction groups: whole UTC days from interaction_funnel_daily (kept by triggers), the
   * partial days at each end scanned, and the few quotes still inside their deadline found through
   * interactions_state_deadline; a free-text search scans.
   */
  interactionGroups(f: LeadFilter, now: number): Promise<InteractionGroup[]>;
  /** One stage's table, newest first, keyset on (at, id); `states` narrows by a separación state or a quote status. */
  interactionList(kind: InteractionKind, f: LeadFilter, states: string[] | null, now: number, limit: number, before: { at: number; id: number } | null): Promise<InteractionPage>;
  /** "Última interacción" of clients: their latest stage and its date. */
  lastInteractions(clientIds: number[]): Promise<Map<number, { kind: string; at: number }>>;
  /**
   * What the caller sees of a client's doings, for the ficha's timeline: the client's leads in
   * `scope`, the interactions of its projects and owners, the follow-ups of those leads (the
   * caller checked the client is visible).
   */
  timeline(clientId: number, scope: Scope): Promise<{
      client: Record<string, unknown> | null;
      leads: Record<string, unknown>[];
      items: Record<string, unknown>[];
      followUps: Record<string, unknown>[];
  }>;
}

/** The ficha's client columns. */
export interface ClientRecordClient {
  id: number;
  name: string | null;
  nationalId: string | null;
  nationalIdType: string | null;
  email: string | null;
  phone: string | null;
  ownerVendorId: string | null;
  ownerSince: number | null;
  createdAt: number;
  lastActivityAt: number | null;
}

export interface ClientRecordLead {
  id: number;
  receivedAt: number;
  projectId: number | null;
  project: string | null;
  projectText: string | null;
  parser: string | null;
  medium: string;
  quality: string;
  problems: string;
  contactState: string;
  deadlineAt: number;
  followUpAt: number | null;
  lastContactAt: number | null;
  ownerVendorId: string | null;
  contactType: string | null;
  name: string | null;
  nationalId: string | null;
  email: string | null;
  phone: string | null;
}

export interface ClientRecordMark {
  id: number;
  clientId: number;
  otherClientId: number;
  reason: string;
  status: string;
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
}

export interface ClientRecordRows {
  client: ClientRecordClient | null;
  leads: ClientRecordLead[];
  interactions: Record<string, unknown>[];
  followUps: Record<string, unknown>[];
  actions: { id: number; leadId: number | null; actor: string; action: string; data: string; at: number }[];
  /** Marks naming this client on either side (the caller checks the other side's visibility). */
  duplicates: ClientRecordMark[];
}

/** A client as another record names it (a 409's description, a duplicate's other side). */
export interface ClientSummary { id: number; name: string | null; nationalId: string | null; email: string | null; phone: string | null; leads: number }

/** The client's record (ficha): its data, leads, interactions, follow-ups and marks. */
export interface ClientRecordReads {
  record(clientId: number, scope: Scope): Promise<ClientRecordRows>;
  /** Another client as a conflict or a duplicate names it: its data and how many leads it has. */
  summary(clientId: number): Promise<ClientSummary | null>;
}
