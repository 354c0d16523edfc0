import type { Country } from '../countries/index.ts';
import { LeadQueries } from './queries.ts';
import type { SqliteConnection } from './sqlite-base.ts';
import { UserStore } from './users.ts';
import { VendorQueries } from './vendor-queries.ts';
import { DayQueries } from './day-queries.ts';
import { DuplicateStore } from './duplicates.ts';
import { DigestQueries } from './digest-queries.ts';
import { NotificationQueries } from './notification-queries.ts';
import { FunnelQueries } from './funnel-queries.ts';

/** The read models of the admin API and the account store, over the app's connection (db/ only touches the driver). */
export type ReadModels = ReturnType<typeof readSide>;

export function readSide(store: SqliteConnection, country: () => Country) {
  return { queries: new LeadQueries(store.sqlite, country), vendors: new VendorQueries(store.sqlite), users: new UserStore(store.sqlite), day: new DayQueries(store.sqlite), duplicates: new DuplicateStore(store.sqlite), digest: new DigestQueries(store.sqlite), notifications: new NotificationQueries(store.sqlite), funnel: new FunnelQueries(store.sqlite, country) };
}
