import type { ProjectConfig } from '../config.ts';
import type { Store } from '../db/store.ts';
import { AppError } from '../errors.ts';
import * as core from '../leads/ownership.ts';

export type { Assignment } from '../leads/record.ts';
export type { ContactType } from '../vocabulary.ts';

/** @deprecated AppError with codes `vendor.*` / `client.*`; kept until src/http maps AppError. */
export class OwnershipError extends Error {
  constructor(readonly code: 'NotFound' | 'Conflict' | 'NoHeir', message: string) {
    super(message);
  }
}

const LEGACY_CODE: Record<string, OwnershipError['code']> = { 'vendor.not_found': 'NotFound', 'client.not_found': 'NotFound', 'vendor.no_heir': 'NoHeir' };

function legacy<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError && /^(vendor|client)\./.test(e.code)) throw new OwnershipError(LEGACY_CODE[e.code] ?? 'Conflict', e.message);
    throw e;
  }
}

/**
 * The ownership rules (src/leads/ownership.ts) bound to this SQLite store, with synchronous
 * methods for the callers that are not asynchronous yet (src/http, the CLI). New code runs the
 * core's functions through `store.unitOfWork` / `store.read`.
 */
export class Ownership {
  constructor(
    private readonly store: Store,
    private readonly settings: () => core.OwnershipSettings,
  ) {}

  syncVendors(list: ProjectConfig[]): void {
    this.store.syncVendors(list);
  }

  /** The ingest hook: owner and webhooks (the outbox) in the lead's unit of work. */
  assigner(projectWebhooks: () => ReadonlyMap<number, string>, wantsWebhook?: (vendorId: string) => boolean) {
    return core.ownerAssigner(this.settings, projectWebhooks, Date.now, wantsWebhook);
  }

  registerActivity(clientId: number, at: number): void {
    this.store.unitOfWorkSync((tx) => core.registerActivity(tx, clientId, at));
  }

  retire(vendorId: string, actor: string, now: number): { moved: number; to: Record<string, number> } {
    return legacy(() => this.store.unitOfWorkSync((tx) => core.retireVendor(tx, vendorId, actor, now)));
  }

  reassign(clientId: number, vendorId: string, reason: string, actor: string, now: number): void {
    legacy(() => this.store.unitOfWorkSync((tx) => core.reassignClient(tx, clientId, vendorId, reason, actor, now)));
  }

  ownerHistory(clientId: number): core.OwnerChange[] {
    return this.store.readSync((r) => core.ownerHistory(r, clientId));
  }

  pending(vendorId: string, now: number) {
    return this.store.readSync((r) => core.pendingLeads(r, vendorId, now));
  }
}
