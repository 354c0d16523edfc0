import type { Logger } from '../../logger.ts';
import type { CaseReads, CaseWrites } from '../case-port.ts';
import { CaseStore } from './case-store.ts';
import { DuplicateStore } from './duplicates.ts';
import { FunnelStore } from './funnel-store.ts';
import type { Db } from './open.ts';
import { PeopleWrites } from './people-writes.ts';
import type { Scope } from '../scope.ts';
import { SqliteConnection } from './base.ts';
import type { ClientEvent, Derived, LeadTouch, NewInteraction, UpsertOutcome } from '../funnel-reads.ts';
import type { AuditEntry, UserRow } from '../people-reads.ts';

/**
 * The SQLite adapter's port methods for people, duplicates and the funnel: each checks it runs in
 * a unit of work and hands over to the area's statements (people-writes.ts, duplicates.ts,
 * funnel-store.ts). Store (store.ts) adds raw emails' leads, clients, follow-ups and vendors.
 */
export interface SqliteAreas extends CaseReads, CaseWrites {}
export class SqliteAreas extends SqliteConnection {
  private readonly people = new PeopleWrites(this.db.$client);
  private readonly duplicates = new DuplicateStore(this.db.$client);
  private readonly funnel = new FunnelStore(this.db.$client);

  constructor(db: Db, log?: Logger) {
    super(db, log);
    // The cases area (case-store.ts): its methods become the store's own, checked the same way.
    const cases = new CaseStore(this.db.$client);
    for (const name of Object.getOwnPropertyNames(CaseStore.prototype)) {
      if (name !== 'constructor' && name !== 'writing') Object.assign(this, { [name]: (cases as unknown as Record<string, (...a: unknown[]) => unknown>)[name].bind(cases) });
    }
  }

  // People and the audit trail (people-writes.ts).

  insertUser(u: Omit<UserRow, 'id' | 'disabledAt' | 'updatedAt'>): number {
    this.writing();
    return this.people.insertUser(u);
  }

  setUserDisabled(id: number, at: number | null, now: number): void {
    this.writing();
    this.people.setUserDisabled(id, at, now);
  }

  setUserPassword(id: number, hash: string, now: number): void {
    this.writing();
    this.people.setUserPassword(id, hash, now);
  }

  insertSession(s: { tokenHash: string; userId: number; csrf: string; now: number; expiresAt: number; address: string | null }): number {
    this.writing();
    return this.people.insertSession(s);
  }

  touchSession(id: number, now: number): void {
    this.writing();
    this.people.touchSession(id, now);
  }

  revokeSession(id: number, now: number): void {
    this.writing();
    this.people.revokeSession(id, now);
  }

  revokeUserSessions(userId: number, now: number): number {
    this.writing();
    return this.people.revokeUserSessions(userId, now);
  }

  pruneSessions(before: number): number {
    this.writing();
    return this.people.pruneSessions(before);
  }

  insertToken(t: { userId: number; label: string; tokenHash: string; now: number }): void {
    this.writing();
    this.people.insertToken(t);
  }

  touchToken(id: number, now: number): void {
    this.writing();
    this.people.touchToken(id, now);
  }

  revokeToken(userId: number, label: string, now: number): number {
    this.writing();
    return this.people.revokeToken(userId, label, now);
  }

  setPrefs(userId: number, prefs: Record<string, unknown>, now: number): void {
    this.writing();
    this.people.setPrefs(userId, prefs, now);
  }

  recordVisit(userId: number, now: number): number | null {
    this.writing();
    return this.people.recordVisit(userId, now);
  }

  audit(e: AuditEntry): void {
    this.writing();
    this.people.audit(e);
  }

  // Duplicate decisions (duplicates.ts).

  mergeDuplicate(id: number, actor: string, now: number): { leadIds: number[]; followUpIds: number[]; filled: string[] } {
    this.writing();
    return this.duplicates.merge(id, actor, now);
  }

  unmergeDuplicate(id: number, actor: string, now: number): { leadIds: number[] } {
    this.writing();
    return this.duplicates.unmerge(id, actor, now);
  }

  dismissDuplicate(id: number, actor: string, now: number): void {
    this.writing();
    this.duplicates.dismiss(id, actor, now);
  }

  reopenDuplicate(id: number, actor: string, now: number): void {
    this.writing();
    this.duplicates.reopen(id, actor, now);
  }

  // The funnel's interactions (funnel-store.ts).

  interactionByKey(key: string): { id: number; clientId: number; ownerVendorId: string | null } | null {
    return this.funnel.byKey(key);
  }

  vendorIdFor(text: string): string | null {
    return this.funnel.vendorId(text);
  }

  vendorProjectIds(vendorId: string): number[] {
    return this.funnel.vendorProjects(vendorId);
  }

  clientHistory(clientId: number): { leads: LeadTouch[]; events: ClientEvent[] } {
    return this.funnel.clientHistory(clientId);
  }

  clientVisible(clientId: number, scope: Scope): boolean {
    return this.funnel.clientVisible(clientId, scope);
  }

  clientWithin(clientId: number, scope: Scope): boolean {
    return this.funnel.clientWithin(clientId, scope);
  }

  interactionInScope(key: string, scope: Scope): boolean {
    return this.funnel.interactionInScope(key, scope);
  }

  upsertInteraction(r: NewInteraction, now: number): { id: number; outcome: UpsertOutcome; before?: Record<string, unknown> } {
    this.writing();
    return this.funnel.upsert(r, now);
  }

  setInteractionDerived(id: number, d: Derived, noLead: string, now: number): void {
    this.writing();
    this.funnel.setDerived(id, d, noLead, now);
  }
}
