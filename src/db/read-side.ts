import type { AsyncOf } from './async-port.ts';
import { LeadQueries } from './queries.ts';
import type { SqliteConnection } from './sqlite-base.ts';
import { UserStore } from './users.ts';
import { VendorQueries } from './vendor-queries.ts';
import { DayQueries } from './day-queries.ts';
import { DuplicateStore } from './duplicates.ts';
import { DigestQueries } from './digest-queries.ts';
import { NotificationQueries } from './notification-queries.ts';
import { FunnelQueries } from './funnel-queries.ts';
import { ClientRecordQueries } from './client-record.ts';
import { TeamQueries } from './team-queries.ts';
import { CaseQueries } from './case-store.ts';
import { CaseDeskQueries } from './case-desk.ts';
import { CorrectionQueries } from './corrections.ts';

/**
 * The read models of the admin API, the CLI and the outbox, by area: what either adapter answers
 * (the SQLite classes here, their PostgreSQL twins in src/db/postgres/). Writes go through the
 * port's units of work, never through these.
 */
export interface ReadModels {
  queries: AsyncOf<LeadQueries>;
  vendors: AsyncOf<VendorQueries>;
  users: AsyncOf<UserStore>;
  day: AsyncOf<DayQueries>;
  duplicates: Pick<AsyncOf<DuplicateStore>, 'list' | 'get' | 'openAmong'>;
  digest: AsyncOf<DigestQueries>;
  notifications: Pick<AsyncOf<NotificationQueries>, 'list' | 'counts' | 'all'>;
  funnel: AsyncOf<FunnelQueries>;
  team: AsyncOf<TeamQueries>;
  clientRecord: AsyncOf<ClientRecordQueries>;
  cases: AsyncOf<CaseQueries>;
  /** The cases desk: its list with breaches, statistics, escalation candidates (case-desk.ts). */
  caseDesk: AsyncOf<CaseDeskQueries>;
  /** People's corrections of a parser's leads, with their emails (`parsers learn --from-corrections`). */
  corrections: AsyncOf<CorrectionQueries>;
}

/** The SQLite read models over the app's connection (db/ only touches the driver). */
export function readSide(store: SqliteConnection): ReadModels {
  const db = store.sqlite;
  return {
    queries: new LeadQueries(db),
    vendors: new VendorQueries(db),
    users: new UserStore(db),
    day: new DayQueries(db),
    duplicates: new DuplicateStore(db),
    digest: new DigestQueries(db),
    notifications: new NotificationQueries(db),
    funnel: new FunnelQueries(db),
    team: new TeamQueries(db),
    clientRecord: new ClientRecordQueries(db),
    cases: new CaseQueries(db),
    caseDesk: new CaseDeskQueries(db),
    corrections: new CorrectionQueries(db),
  };
}
