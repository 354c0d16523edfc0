import type { Scope } from './scope.ts';
import type { ContactState, Cursor, LeadFilter, LeadRow, Medium, Quality } from './lead-filter.ts';

// The read port of leads, the vendor's day and the digests: what both adapters answer (SQLite in
// src/db/sqlite/, PostgreSQL in src/db/postgres/), awaited by every caller.

/** The key a stats group is counted under. */
export const statsKey = (g: StatsGroup) => `${g.quality}|${g.state}|${g.medium}|${g.parser ?? ''}|${g.overdue}`;

export interface StatsGroup { quality: Quality; state: ContactState; medium: Medium; parser: string | null; overdue: number; n: number }

export interface ParserLeadActivity {
  parser: string | null; n7: number; n24: number; conProblemas7: number; malo7: number;
  missing24: number; missingBefore: number; nBefore: number;
}

/** A lead as the lead page shows it: its row (snake_case columns), client, follow-ups, actions and raw email. */
export interface LeadDetail {
  lead: Record<string, unknown> & { client_id: number | null; raw_email_id: number };
  client: {} | null;
  followUps: unknown[];
  actions: unknown[];
  raw: {} | null;
}

/** The admin API's lead list, stats, lead page and parser health. */
export interface LeadReads {
  /** One page, newest first, keyset on (received_at, id) so deep pages cost the same as the first. */
  list(f: LeadFilter, limit: number, cursor: Cursor | null, now: number): Promise<{ rows: LeadRow[]; next: Cursor | null }>;
  /**
   * Funnel counts, discarded leads included (the caller sorts them out). Without a date range,
   * search or owner they come from the lead_counts aggregate (kept by triggers, no owner column);
   * otherwise from one grouped pass over leads (covering indexes leads_stats_received /
   * leads_stats_project, or leads_owner for one vendor's leads).
   */
  statsGroups(f: LeadFilter, now: number): Promise<StatsGroup[]>;
  statsScan(f: LeadFilter, now: number): Promise<StatsGroup[]>;
  projectIds(names: string[]): Promise<Map<string, number>>;
  projectNamesByIds(ids: number[]): Promise<string[]>;
  /** Every project's id and name (active or not): names for counts keyed by project id. */
  projectNamesById(): Promise<{ id: number; name: string }[]>;
  projectNames(): Promise<string[]>;
  /** Everything the lead page shows; null when there is no such lead. */
  detail(leadId: number, scope?: Scope): Promise<LeadDetail | null>;
  rawBody(leadId: number, scope?: Scope): Promise<{ raw: Buffer | null; purgedAt: number | null; status: string } | null>;
  /** Is the lead within the caller's scope? (Actions answer 404 otherwise.) */
  leadVisible(leadId: number, scope: Scope): Promise<boolean>;
  /** A client is visible when one of its leads is, or (vendor scopes) when one of the caller's vendors owns it. */
  clientVisible(clientId: number, scope: Scope): Promise<boolean>;
  /** Emails that did not become leads, newest first (raw_emails_status index: status, then rowid). */
  emails(statuses: string[], limit: number, beforeId: number | null): Promise<{ rows: { id: number }[]; nextBeforeId: number | null }>;
  /** Per-parser activity over the last 7 days (a range on leads_received), split at 24 h. */
  parserActivity(now: number): Promise<{ leads: ParserLeadActivity[]; emails: { parser: string; n7: number; n24: number }[] }>;
  /** Latest bueno lead of a parser: walks leads_parser_received backwards and stops at the first. */
  lastSuccess(parser: string | null): Promise<number | null>;
}

export interface CardRow {
  id: number;
  clientId: number | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  project: string | null;
  projectText: string | null;
  parser: string | null;
  owner: string | null;
  contactType: string | null;
  receivedAt: number;
  deadlineAt: number;
}

export interface DueRow extends CardRow {
  followUpId: number;
  dueAt: number;
  expectation: string | null;
}

/** The vendor's day: leads waiting for a first contact, follow-ups due, new arrivals. */
export interface DayReads {
  /** Leads waiting for a first contact, earliest deadline first (overdue ones lead). */
  pending(scope: Scope, limit: number): Promise<CardRow[]>;
  /** Open follow-ups due before `until` (the end of today), with their lead. */
  due(scope: Scope, until: number, limit: number): Promise<DueRow[]>;
  /** How many leads in scope arrived since `since` (ms), and after lead `afterId`; the newest id (the page polls it). */
  arrivals(scope: Scope, since: number, afterId: number): Promise<{ since: number; after: number; latestId: number | null }>;
}

export interface DigestLead {
  id: number;
  name: string | null;
  project: string | null;
  at: number;
}

/** The daily digests' reads. */
export interface DigestReads {
  vendorsWithEmail(): Promise<{ id: string; name: string; email: string }[]>;
  /** Open follow-ups of the vendor's clients due in [from, to). */
  followUpsDue(vendorId: string, from: number, to: number): Promise<DigestLead[]>;
  /** The vendor's leads still waiting for contact whose deadline falls in [from, to). */
  waitingByDeadline(vendorId: string, from: number, to: number): Promise<DigestLead[]>;
  /** Leads received in [from, to) in these projects (all when null), counted by a column. */
  countsBy(column: 'quality' | 'parser' | 'owner_vendor_id', projects: number[] | null, from: number, to: number): Promise<{ key: string | null; n: number }[]>;
  /** Leads past their deadline with no contact (no_contactado), in these projects (all when null). */
  notContacted(projects: number[] | null, now: number, limit?: number): Promise<(DigestLead & { vendor: string | null })[]>;
}

/**
 * The corrections people made to a parser's leads, with the email each lead came from: every
 * `edit` action that carries `data.corrections` ({field: {from, to}}, leads/actions.ts), oldest
 * first, so a later correction of a field overrides an earlier one. `parsers learn
 * --from-corrections` reads them; the CLI is its only caller (an operator's command, no scope).
 */
export interface CorrectionRow {
  leadId: number;
  rawEmailId: number;
  /** The person's position in its email (0, or 1, 2… in a digest of several). */
  partIndex: number;
  /** The action's data JSON. */
  data: string;
  at: number;
  /** The lead's values today: a learned rule must be keyed on none of them either. */
  name: string | null;
  nationalId: string | null;
  email: string | null;
  phone: string | null;
}

/** At most this many corrections are read (the newest learning never needs more). */
export const CORRECTIONS_LIMIT = 5000;

export interface CorrectionReads {
  ofParser(parser: string): Promise<CorrectionRow[]>;
}

