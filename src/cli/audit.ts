import os from 'node:os';
import type { AuditEntry } from '../db/people-reads.ts';

/** The operator at the command line, as histories and the audit trail name them: `cli:<OS user>`. */
export function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli'; // no passwd entry for this uid (a container's arbitrary user)
  }
}

/** An operator's change as an audit entry, written in the unit of work that makes the change. */
export function cliAuditEntry(action: string, objectType: string, objectId: string | number | null, data: unknown = {}): AuditEntry {
  return { at: Date.now(), userId: null, actor: cliActor(), action, objectType, objectId, address: null, data };
}
