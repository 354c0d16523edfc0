import type { CaseQueriesPort } from './case-port.ts';
import type { CaseDeskReads } from './case-desk-sql.ts';
import type { ClientRecordReads, FunnelReads } from './funnel-reads.ts';
import type { CorrectionReads, DayReads, DigestReads, LeadReads } from './lead-reads.ts';
import type { DuplicateReads, NotificationReads, TeamReads, UserReads, VendorReads } from './people-reads.ts';

/**
 * The read models of the admin API, the CLI and the outbox, by area: what either adapter answers
 * (src/db/sqlite/read-side.ts, src/db/postgres/read-side.ts). Writes go through the port's units
 * of work, never through these.
 */
export interface ReadModels {
  queries: LeadReads;
  vendors: VendorReads;
  users: UserReads;
  day: DayReads;
  duplicates: DuplicateReads;
  digest: DigestReads;
  notifications: NotificationReads;
  funnel: FunnelReads;
  team: TeamReads;
  clientRecord: ClientRecordReads;
  cases: CaseQueriesPort;
  caseDesk: CaseDeskReads;
  /** The corrections people made to a parser's leads (`parsers learn --from-corrections`). */
  corrections: CorrectionReads;
}
