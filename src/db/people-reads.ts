import type { Role } from './auth-schema.ts';
import type { NotificationStatus } from './outbox-schema.ts';
import type { LeadFilter, Status } from './lead-filter.ts';
import type { Scope } from './scope.ts';

// The read port of people: users and their sessions, vendors, the team's numbers, the
// notification outbox and the "posible duplicado" marks. Both adapters answer every one.

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  vendorId: string | null;
  team: string[];
  projects: string[];
  passwordHash: string;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SessionRow {
  id: number;
  userId: number;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface AuditEntry {
  at: number;
  userId: number | null;
  actor: string;
  action: string;
  objectType?: string | null;
  objectId?: string | number | null;
  address?: string | null;
  data?: unknown;
}

/** Users, sessions, API tokens, preferences and the audit trail (writes: PeopleWrites). */
export interface UserReads {
  byEmail(email: string): Promise<UserRow | null>;
  byId(id: number): Promise<UserRow | null>;
  list(): Promise<UserRow[]>;
  /** Users by email, for showing names in histories. */
  namesByEmail(emails: string[]): Promise<Map<string, string>>;
  vendorExists(id: string): Promise<boolean>;
  projectExists(name: string): Promise<boolean>;
  /** Ids of the named projects that exist (a gerente's scope). */
  projectIds(names: string[]): Promise<number[]>;
  /** A live session (not revoked) with its user; expiry is the caller's rule. */
  session(tokenHash: string): Promise<SessionRow | null>;
  liveTokenByLabel(userId: number, label: string): Promise<{ id: number } | null>;
  /** The user a live token belongs to. */
  tokenUser(tokenHash: string): Promise<{ tokenId: number; userId: number; lastUsedAt: number | null } | null>;
  tokens(userId: number): Promise<{ label: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null }[]>;
  prefs(userId: number): Promise<{ prefs: Record<string, unknown>; lastVisitAt: number | null }>;
  /** Newest first, keyset on id. */
  /** Newest first; `from` (inclusive) and `to` (exclusive) bound the time, in ms. */
  auditPage(f: { userId?: number; action?: string; from?: number; to?: number; beforeId?: number; limit: number; scope?: Scope }): Promise<{ rows: { id: number; at: number; data: unknown }[]; nextBefore: number | null }>;
}

export interface VendorRow {
  id: string;
  name: string;
  type: string;
  active: boolean;
  retiredAt: number | null;
  /** Leads assigned to the vendor with no registered contact yet (leads_owner index). */
  pending: number;
}

/** A vendor's lead still waiting for its first contact. */
export interface PendingLead {
  id: number; clientId: number | null; name: string | null; phone: string | null; email: string | null; projectId: number | null;
  contactType: string | null; receivedAt: number; deadlineAt: number; status: Status;
}

/** Vendors, their projects and the clients they own. */
export interface VendorReads {
  get(id: string): Promise<Omit<VendorRow, 'pending'> | null>;
  exists(id: string): Promise<boolean>;
  /** Every vendor's display name by id (retired ones too), without list()'s pending counts. */
  names(): Promise<Map<string, string>>;
  /**
   * Every vendor ever configured (retired and inactive ones too: their leads stay filterable), or
   * only the caller's own vendors; pending counts only the leads the caller may see.
   */
  list(scope?: Scope): Promise<VendorRow[]>;
  /** A vendor's leads with no registered contact yet, oldest first, limited to what the caller may see. */
  pending(vendorId: string, scope: Scope | undefined, now: number): Promise<PendingLead[]>;
  /** A client's current owner and the times its reassignment clock runs from; null when there is no such client. */
  clientOwner(clientId: number): Promise<{ id: number; ownerVendorId: string | null; ownerSince: number | null; lastActivityAt: number | null } | null>;
  /** The projects a vendor sells (project_vendors). */
  projectIds(vendorId: string): Promise<number[]>;
  /** Every vendor's projects (project_vendors), for rules that ask of many vendors inside one unit of work. */
  projectIdsByVendor(): Promise<Map<string, number[]>>;
  /** The projects of a client's leads. */
  clientProjectIds(clientId: number): Promise<number[]>;
  /**
   * The vendor's clients that belong only to these projects: at least one lead, and every lead and
   * interaction of theirs in one of them. A manager of those projects moves these and no other.
   */
  clientsWithin(vendorId: string, projectIds: number[]): Promise<number[]>;
  projectNames(): Promise<Map<number, string>>;
}

/** Speed to first contact of one vendor (or of a whole group when `vendor` is null and `all` was asked). */
export interface ContactSpeedRow {
  vendor: string | null;
  /** Leads assigned in the period (discarded ones leave the reports). */
  leads: number;
  /** Of those, with a contact registered. */
  contacted: number;
  /** First contact within 1 h / 24 h of arrival. */
  within1h: number;
  within24h: number;
  /** Median time from arrival to first contact, over the contacted ones (ms). */
  p50Ms: number | null;
}

/** Leads of one week (Monday-start, `week` = the UTC day number of its Monday) and one key (portal or quality). */
export interface WeekRow { week: number; key: string | null; n: number }

export interface OverdueRow { vendor: string | null; n: number }

export const HOUR_MS = 3_600_000;

/** The team's numbers: speed to first contact, leads per week, overdue follow-ups. */
export interface TeamReads {
  /** Per vendor (`all` false) or one row for the whole filter (`all` true). */
  contactSpeed(filter: LeadFilter, now: number, all: boolean): Promise<ContactSpeedRow[]>;
  /** Leads per week by portal (`parser`) or by quality, discarded ones left out. */
  weekly(filter: LeadFilter, by: 'parser' | 'quality', now: number): Promise<WeekRow[]>;
  /** Open follow-ups past their date, per owner of their lead. */
  overdueFollowUps(scope: Scope, now: number): Promise<OverdueRow[]>;
}

export interface NotificationCounts {
  pending: number;
  failed: number;
  sent: number;
  lastError: string | null;
  oldestPendingAt: number | null;
}

/** A notification as the outbox page lists it. */
export interface NotificationListRow {
  id: number; kind: string; leadId: number | null; vendorId: string | null; recipient: string; subject: string; status: string;
  attempts: number; nextAttemptAt: number; lastError: string | null; createdAt: number; sentAt: number | null;
}

/** The notification outbox as the page and /metrics see it (writes: OutboxWrites). */
export interface NotificationReads {
  list(scope: Scope, filter: { status?: NotificationStatus; limit: number }): Promise<NotificationListRow[]>;
  all(): Promise<NotificationCounts>;
  counts(scope: Scope): Promise<NotificationCounts>;
}

export interface DuplicateRow {
  id: number;
  clientId: number;
  otherClientId: number;
  leadId: number | null;
  reason: string;
  status: 'open' | 'merged' | 'dismissed' | 'unmerged';
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  undo: string | null;
}

export const FILLABLE = ['national_id', 'national_id_type', 'email', 'phone', 'name', 'first_name', 'last_name'] as const;

/** One side of a duplicate mark: the client as the page shows it. */
export interface ClientSide { id: number; name: string | null; email: string | null; phone: string | null; nationalId: string | null }

/** The "posible duplicado" marks (decisions: DuplicateWrites). */
export interface DuplicateReads {
  list(status: string, scope: Scope, limit: number): Promise<(DuplicateRow & { client: ClientSide; other: ClientSide })[]>;
  get(id: number): Promise<DuplicateRow | null>;
  openAmong(clientIds: number[]): Promise<number[]>;
}
