import { describe, expect, it } from 'vitest';
import { io, type StoreTx } from '../src/db/port.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// Two units of work that lock the same rows in opposite orders: PostgreSQL cancels one of them
// (deadlock detected). The store runs the cancelled one again instead of failing it: ingest's
// commits and a manager's edit both touch the lead counters.

describe.skipIf(noPostgres())('a PostgreSQL unit of work cancelled by a deadlock', () => {
  it('runs again and both writers commit', async () => {
    const { openPostgres } = await import('../src/db/postgres/open.ts');
    const { PgStore } = await import('../src/db/postgres/store.ts');
    const db = await createTestDatabase();
    const store = await PgStore.connect(await openPostgres(db.url, { max: 4 }));
    try {
      const client = (name: string) => ({ nationalId: null, nationalIdType: null, email: null, phone: null, name, firstName: null, lastName: null, createdAt: 1 });
      const [a, b] = await store.unitOfWork(function* (tx: StoreTx) {
        return [yield* io(tx.insertClient(client('a'))), yield* io(tx.insertClient(client('b')))];
      });
      // Each writer locks its first row, waits until the other has locked its own, then asks for the other's.
      let firstLocks = 0;
      let bothLocked!: () => void;
      const barrier = new Promise<void>((r) => (bothLocked = r));
      const runs = { ab: 0, ba: 0 };
      const writer = (first: number, second: number, key: 'ab' | 'ba') =>
        store.unitOfWork(function* (tx: StoreTx) {
          runs[key]++;
          yield* io(tx.updateClient(first, { name: `${key} first` }));
          if (++firstLocks === 2) bothLocked();
          yield* io(barrier);
          yield* io(tx.updateClient(second, { name: `${key} second` }));
          return key;
        });
      const results = await Promise.allSettled([writer(a, b, 'ab'), writer(b, a, 'ba')]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      // One of them was cancelled and ran a second time.
      expect(runs.ab + runs.ba).toBe(3);
      const names = await store.read(function* (r) {
        return [(yield* io(r.getClient(a)))?.name, (yield* io(r.getClient(b)))?.name];
      });
      const again = runs.ab === 2 ? 'ab' : 'ba';
      // The writer that ran again committed last: both rows are as it left them.
      expect(names).toEqual(again === 'ab' ? ['ab first', 'ab second'] : ['ba second', 'ba first']);
    } finally {
      await store.close();
      await db.drop();
    }
  }, 30_000);
});
