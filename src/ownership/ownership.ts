import type { ProjectConfig } from '../config.ts';
import { io, type Storage } from '../db/port.ts';
import * as core from '../leads/ownership.ts';

export type { Assignment } from '../leads/record.ts';
export type { ContactType } from '../vocabulary.ts';

/**
 * The ownership rules (src/leads/ownership.ts) bound to this store and its settings, for app.ts:
 * the vendors from config and the ingest hook. Everything else runs the core's functions through
 * `store.unitOfWork` / `store.read`.
 */
export class Ownership {
  constructor(
    private readonly store: Storage,
    private readonly settings: () => core.OwnershipSettings,
  ) {}

  /** The config's projects and their vendors into the database, in one unit of work. */
  async syncConfig(list: ProjectConfig[]): Promise<void> {
    await this.store.unitOfWork(function* (tx) {
      yield* io(tx.syncProjects(list));
      yield* io(tx.syncVendors(list));
    });
  }

  /** The ingest hook: owner and webhooks (the outbox) in the lead's unit of work. */
  assigner(projectWebhooks: () => ReadonlyMap<number, string>, wantsWebhook?: (vendorId: string) => boolean) {
    return core.ownerAssigner(this.settings, projectWebhooks, Date.now, wantsWebhook);
  }
}
