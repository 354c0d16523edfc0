import type { ReadModels } from '../read-side.ts';
import { PgDayQueries } from './day-queries.ts';
import { PgDigestQueries } from './digest-queries.ts';
import { PgDuplicateStore } from './duplicates.ts';
import { PgFunnelQueries } from './funnel-queries.ts';
import { PgClientRecordQueries } from './client-record.ts';
import { PgTeamQueries } from './team-queries.ts';
import { PgCaseQueries } from './cases.ts';
import { PgCaseDeskQueries } from './case-desk.ts';
import { PgCorrectionQueries } from './corrections.ts';
import { PgNotificationQueries } from './notification-queries.ts';
import { PgLeadQueries } from './queries.ts';
import type { PgStore } from './store.ts';
import { PgUserStore } from './users.ts';
import { PgVendorQueries } from './vendor-queries.ts';

/** The PostgreSQL read models over the store's pool: the same areas and answers as SQLite's readSide. */
export function pgReadSide(store: PgStore): ReadModels {
  const db = store.pool;
  return {
    queries: new PgLeadQueries(db),
    vendors: new PgVendorQueries(db),
    users: new PgUserStore(db),
    day: new PgDayQueries(db),
    duplicates: new PgDuplicateStore(db),
    digest: new PgDigestQueries(db),
    notifications: new PgNotificationQueries(db),
    funnel: new PgFunnelQueries(db),
    team: new PgTeamQueries(db),
    clientRecord: new PgClientRecordQueries(db),
    cases: new PgCaseQueries(db),
    caseDesk: new PgCaseDeskQueries(db),
    corrections: new PgCorrectionQueries(db),
  };
}
