import type { Storage } from '../../src/db/port.ts';
import { Store } from '../../src/db/sqlite/store.ts';

/** The app's SQLite store, for tests that read or write the file directly (they run on SQLite). */
export function sqliteStore(app: { store: Storage }): Store {
  if (!(app.store instanceof Store)) throw new Error(`this test reads the SQLite file directly; the app runs on ${app.store.engine}`);
  return app.store;
}
