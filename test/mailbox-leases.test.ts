import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailboxLeases } from '../src/daemon/mailbox-leases.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import type { Storage } from '../src/db/port.ts';
import { openPostgres } from '../src/db/postgres/open.ts';
import { PgStore } from '../src/db/postgres/store.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { AppError } from '../src/errors.ts';
import { storeBatch } from '../src/leads/intake.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// Two daemons on one database: each mailbox is held by one of them; a holder that stops renewing
// loses its mailboxes after the lease time, and its late writes are fenced out by the epoch.

type Opened = { a: Storage; b: Storage; close(): Promise<void> };
const engines: { name: string; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leases-'));
      const a = new Store(openDatabase(path.join(dir, 'l.db')));
      const b = new Store(openDatabase(path.join(dir, 'l.db')));
      return { a, b, close: async () => { a.close(); b.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
    },
  },
];
if (!noPostgres()) {
  engines.push({
    name: 'postgres',
    async open() {
      const db = await createTestDatabase();
      const a = await PgStore.connect(await openPostgres(db.url, { max: 3 }));
      const b = await PgStore.connect(await openPostgres(db.url, { max: 3 }));
      return { a, b, close: async () => { await a.close(); await b.close(); await db.drop(); } };
    },
  });
}

const MAILBOXES = ['ventas', 'web', 'portales', 'otros'];

describe.each(engines)('mailbox leases on $name', (engine) => {
  let opened: Opened | null = null;
  afterEach(async () => {
    await opened?.close();
    opened = null;
  });

  function daemon(store: Storage, owner: string, clock: { t: number }) {
    const events: string[] = [];
    const leases = new MailboxLeases(store, MAILBOXES, { owner, ttlMs: 1000, now: () => clock.t, onGained: (m) => events.push(`+${m}`), onLost: (m) => events.push(`-${m}`) });
    return { leases, events };
  }

  it('one holder per mailbox; the survivor takes them all once the other stops renewing; a late batch is fenced out', async () => {
    opened = await engine.open();
    const clock = { t: 10_000 };
    const d1 = daemon(opened.a, 'd1', clock);
    const d2 = daemon(opened.b, 'd2', clock);
    await d1.leases.tick();
    await d2.leases.tick();
    expect(d1.leases.holding()).toEqual([...MAILBOXES].sort());
    expect(d2.leases.holding()).toEqual([]);

    // d1 pauses (no renewals); while its leases are live d2 still gets nothing.
    clock.t += 900;
    await d2.leases.tick();
    expect(d2.leases.holding()).toEqual([]);
    const staleFence = d1.leases.fence('ventas')!;

    clock.t += 200; // past d1's expiry
    await d2.leases.tick();
    expect(d2.leases.holding()).toEqual([...MAILBOXES].sort());
    expect(d2.events.filter((e) => e.startsWith('+'))).toHaveLength(4);

    // d1 wakes up and tries to commit a batch under the lease it lost: refused, nothing stored.
    const late = opened.a.unitOfWork((tx) => storeBatch(tx, 'ventas', 1, 99, [{ source: 'imap', mailbox: 'ventas', uidValidity: 1, uid: 99, messageId: '<late@x>', sha256: 'late', size: 1, raw: Buffer.from('x'), receivedAt: 1 }], clock.t, staleFence));
    await expect(late).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'lease.lost');
    expect(await opened.a.getCursor('ventas')).toBeNull();
    expect(await opened.a.findExisting('<late@x>', 'late')).toBeNull();

    // d2's own batch commits under its fence and moves the cursor.
    await opened.b.unitOfWork((tx) => storeBatch(tx, 'ventas', 1, 5, [], clock.t, d2.leases.fence('ventas')));
    expect(await opened.b.getCursor('ventas')).toEqual({ uidValidity: 1, lastUid: 5 });

    // d1's next tick learns it lost everything.
    await d1.leases.tick();
    expect(d1.leases.holding()).toEqual([]);
    expect(d1.events.filter((e) => e.startsWith('-'))).toHaveLength(4);
    expect((await d2.leases.all()).map((l) => l.owner)).toEqual(['d2', 'd2', 'd2', 'd2']);
  });

  it('a released daemon hands its mailboxes over at once', async () => {
    opened = await engine.open();
    const clock = { t: 1 };
    const d1 = daemon(opened.a, 'd1', clock);
    const d2 = daemon(opened.b, 'd2', clock);
    await d1.leases.tick();
    await d1.leases.release();
    await d2.leases.tick();
    expect(d2.leases.holding()).toEqual([...MAILBOXES].sort());
  });
});
