import type { ReadModels } from '../read-side.ts';
import { LeadQueries } from './queries.ts';
import type { SqliteConnection } from './base.ts';
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

/** The SQLite read models over the app's connection. */
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
