import { io, type StoreTx, type Work } from '../db/port.ts';
import { DAY_MS, SYSTEM_ACTOR } from '../vocabulary.ts';

/** When a follow-up opened at `from` is due. */
export const followUpDue = (from: number, followUpDays: number): number => from + followUpDays * DAY_MS;

/**
 * At most one open follow-up per client and project: a returning lead moves the open one's date
 * (only ever later) and takes it over, instead of opening a second.
 */
export function* openFollowUp(tx: StoreTx, f: { clientId: number; leadId: number; projectId: number | null; dueAt: number; actor?: string; now: number; newClient?: boolean }): Work<void> {
  // A client created in this unit of work has no follow-up yet.
  const open = f.newClient ? null : yield* io(tx.openFollowUp(f.clientId, f.projectId));
  if (open) {
    if (f.dueAt > open.dueAt) yield* io(tx.moveFollowUp(open.id, f.dueAt, f.leadId));
    return;
  }
  yield* io(tx.insertFollowUp({ clientId: f.clientId, leadId: f.leadId, projectId: f.projectId, action: 'continuar', status: 'open', dueAt: f.dueAt, createdBy: f.actor ?? SYSTEM_ACTOR, createdAt: f.now }));
}
