import type { Scope } from './scope.ts';
import type { StoredMailboxToken } from './mailbox-tokens.ts';
import type { NotificationRow } from './outbox-schema.ts';
import type { Awaitable } from './port.ts';
import type { AuditEntry, UserRow } from './people-reads.ts';
import type { Derived, NewInteraction, UpsertOutcome } from './funnel-reads.ts';

// The storage port's writes beyond ingest and the lead core, one interface per area (port.ts
// gathers them into StoreWrites; both adapters implement every one).

/** Users, sessions, API tokens, preferences and the audit trail: a person's change and its audit entry in one unit. */
export interface PeopleWrites {
  insertUser(u: Omit<UserRow, 'id' | 'disabledAt' | 'updatedAt'>): Awaitable<number>;
  setUserDisabled(id: number, at: number | null, now: number): Awaitable<void>;
  setUserPassword(id: number, hash: string, now: number): Awaitable<void>;
  insertSession(s: { tokenHash: string; userId: number; csrf: string; now: number; expiresAt: number; address: string | null }): Awaitable<number>;
  touchSession(id: number, now: number): Awaitable<void>;
  revokeSession(id: number, now: number): Awaitable<void>;
  /** Ends every open session of the user; how many. */
  revokeUserSessions(userId: number, now: number): Awaitable<number>;
  /** Drops sessions long past use; how many. */
  pruneSessions(before: number): Awaitable<number>;
  insertToken(t: { userId: number; label: string; tokenHash: string; now: number }): Awaitable<void>;
  touchToken(id: number, now: number): Awaitable<void>;
  /** How many live tokens with this label were revoked (0 or 1). */
  revokeToken(userId: number, label: string, now: number): Awaitable<number>;
  setPrefs(userId: number, prefs: Record<string, unknown>, now: number): Awaitable<void>;
  /** Records a visit; the previous one ("new since your last visit"). */
  recordVisit(userId: number, now: number): Awaitable<number | null>;
  audit(e: AuditEntry): Awaitable<void>;
}

/** The "posible duplicado" decisions (undoable): what moved, for the answer and the audit. */
export interface DuplicateWrites {
  /** One person after all: the marked client's leads and follow-ups move to the other record. */
  mergeDuplicate(id: number, actor: string, now: number): Awaitable<{ leadIds: number[]; followUpIds: number[]; filled: string[] }>;
  unmergeDuplicate(id: number, actor: string, now: number): Awaitable<{ leadIds: number[] }>;
  dismissDuplicate(id: number, actor: string, now: number): Awaitable<void>;
  /** A dismissal taken back: the mark is open again, for a merge or a dismissal later. */
  reopenDuplicate(id: number, actor: string, now: number): Awaitable<void>;
}

/** The notification outbox's sending side (the enqueue is `enqueueNotification`). */
export interface OutboxWrites {
  /**
   * Takes the oldest due notification for sending: its next attempt moves `leaseMs` ahead, so
   * another daemon (or this one after a crash) takes it again only if it was never recorded as
   * sent or failed. PostgreSQL takes it with FOR UPDATE SKIP LOCKED.
   */
  claimNotification(now: number, leaseMs: number): Awaitable<NotificationRow | null>;
  markNotificationSent(id: number, attempts: number, now: number): Awaitable<void>;
  markNotificationFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): Awaitable<void>;
  /** Back to the queue, due now, if the scope sees it; false otherwise (or when there is none). */
  requeueNotification(id: number, scope: Scope, now: number): Awaitable<boolean>;
}

/** The sales funnel's interactions (cotización, separación, minuta, desembolso, visits). */
export interface FunnelWrites {
  /** Inserts, or updates the content of the row with the same key; the same content changes nothing. An update names its writer and answers what it replaced. */
  upsertInteraction(r: NewInteraction, now: number): Awaitable<{ id: number; outcome: UpsertOutcome; before?: Record<string, unknown> }>;
  /** Writes what the rules derived; rows already right are left alone. `noLead` is the portal key of rows without a lead. */
  setInteractionDerived(id: number, d: Derived, noLead: string, now: number): Awaitable<void>;
}

/** Refresh tokens of OAuth2 mailboxes (encrypted before they reach the port). */
export interface MailboxTokenWrites {
  /** Inserts or replaces a mailbox's token (a stored account stays when the new one has none). */
  putMailboxToken(t: StoredMailboxToken): Awaitable<void>;
  deleteMailboxToken(mailbox: string): Awaitable<boolean>;
}

