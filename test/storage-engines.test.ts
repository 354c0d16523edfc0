import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEmailFiles } from '../src/cli/files.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { io, type Storage, type StoreTx } from '../src/db/port.ts';
import { openPostgres } from '../src/db/postgres/open.ts';
import { PgStore } from '../src/db/postgres/store.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { Ingestor } from '../src/ingest.ts';
import { storeRaws } from '../src/leads/intake.ts';
import { emailSummary } from '../src/leads/summary.ts';
import { createLogger } from '../src/logger.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// The storage port's contract, run on both adapters: what the domain relies on must answer the
// same on SQLite and on PostgreSQL, down to the replay of every shipped fixture.

interface Engine {
  name: string;
  open(): Promise<{ store: Storage; close(): Promise<void> }>;
}

const sqlite: Engine = {
  name: 'sqlite',
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
    const store = new Store(openDatabase(path.join(dir, 'e.db')));
    return { store, close: async () => { store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  },
};

const postgres: Engine = {
  name: 'postgres',
  async open() {
    const db = await createTestDatabase();
    const store = await PgStore.connect(await openPostgres(db.url, { max: 4 }));
    return { store, close: async () => { await store.close(); await db.drop(); } };
  },
};

const engines = noPostgres() ? [sqlite] : [sqlite, postgres];
const raw = (n: number, extra: object = {}) => ({ source: 'file' as const, messageId: `<m${n}@t>`, sha256: `h${n}`, size: 1, raw: Buffer.from(`x${n}`), receivedAt: 1000 + n, ...extra });
const raw_ = (n: number) => raw(n);
const unit = <T>(store: Storage, fn: (tx: StoreTx) => Generator<unknown, T, unknown>) => store.unitOfWork(fn);

describe.each(engines)('the storage port on $name', (engine) => {
  let store: Storage;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await engine.open());
  });
  afterAll(async () => close());

  it('commits a unit of work whole, or nothing of it; a nested unit joins the open one', async () => {
    await unit(store, function* (tx) {
      yield* io(tx.insertRaw(raw(1), 1));
      yield* io(tx.insertRaw(raw(2), 1));
    });
    await expect(
      unit(store, function* (tx) {
        yield* io(tx.insertRaw(raw(3), 1));
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    expect(await store.findExisting('<m3@t>', 'h3')).toBeNull();
    const nested = await unit(store, function* (tx) {
      yield* io(tx.insertRaw(raw(4), 1));
      return { done: store.unitOfWork((inner) => io(inner.insertRaw(raw(5), 1))) };
    });
    await nested.done;
    expect(await store.pendingRawIds(10)).toHaveLength(4);
  });

  it('finds stored emails by Message-ID, by hash without one, and by IMAP UID; keeps the cursor', async () => {
    const id = await unit(store, (tx) => io(tx.insertRaw(raw(10, { messageId: null, mailbox: 'in', uidValidity: 7, uid: 42 }), 5)));
    expect((await store.findExisting(null, 'h10'))?.rawEmailId).toBe(id);
    expect(await store.findExisting('<m10@t>', 'h10')).toBeNull();
    expect([...(await store.imapUidsTaken('in', 7, [41, 42, 43]))]).toEqual([42]);
    expect((await store.imapUidsTaken('in', 8, [42])).size).toBe(0);
    expect((await store.imapUidsTaken('in', 7, [])).size).toBe(0);
    await unit(store, (tx) => io(tx.setCursor('in', 7, 42, 5)));
    await unit(store, (tx) => io(tx.setCursor('in', 7, 50, 6)));
    expect(await store.getCursor('in')).toEqual({ uidValidity: 7, lastUid: 50 });
    const got = await store.getRaw(id);
    expect(Buffer.from(got!.raw!).toString()).toBe('x10');
    await unit(store, (tx) => io(tx.setRawFailure(id, 'error', 'bad', 9)));
    expect(await store.rawIdsByStatus(['error'], null)).toEqual([id]);
    expect((await store.rawOutcome(id))?.status).toBe('error');
  });

  it('stores a batch in one lookup and one insert: ids in order, skipping what is stored or repeated, bodies whole', async () => {
    await unit(store, (tx) => io(tx.insertRaw(raw(60), 1)));
    await unit(store, (tx) => io(tx.insertRaw(raw(61, { messageId: null }), 1)));
    // 5 MB: five pieces, more than one statement's worth on PostgreSQL.
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 0x61);
    big.write('end', big.length - 3);
    const batch = [
      raw(62),
      raw(60, { sha256: 'other' }), // stored: same Message-ID
      raw(61, { messageId: null }), // stored: same content, no Message-ID
      raw(63, { messageId: null }),
      raw(62, { sha256: 'again' }), // earlier in this batch
      raw(64, { raw: big, size: big.length }),
      raw(63, { messageId: null }), // earlier in this batch, by content
    ];
    const ids = await unit(store, (tx) => storeRaws(tx, batch, 2));
    expect(ids.map((id) => id === null)).toEqual([false, true, true, false, true, false, true]);
    const [a, , , b, , c] = ids as number[];
    expect(a < b && b < c).toBe(true);
    expect((await store.findExisting('<m62@t>', 'h62'))?.rawEmailId).toBe(a);
    expect((await store.findExisting(null, 'h63'))?.rawEmailId).toBe(b);
    expect(Buffer.from((await store.getRaw(b))!.raw!).toString()).toBe('x63');
    expect(Buffer.from((await store.getRaw(c))!.raw!).equals(big)).toBe(true);
    expect(await store.storedAlready([{ messageId: '<m64@t>', sha256: 'x' }, { messageId: null, sha256: 'h64' }, { messageId: null, sha256: 'h61' }])).toEqual([true, false, true]);
    expect(await unit(store, (tx) => storeRaws(tx, [], 3))).toEqual([]);
  });

  it('one email stored by several writers at once (two mailboxes, two daemons) is one row', async () => {
    for (let round = 0; round < 10; round++) {
      const email = raw(300 + round, { messageId: `<race-${round}@t>`, sha256: `race-${round}` });
      const ids = await Promise.all(Array.from({ length: 4 }, () => unit(store, (tx) => storeRaws(tx, [email, raw(400 + round * 10)], 5))));
      expect(ids.map((r) => r[0]).filter((id) => id !== null), `round ${round}`).toHaveLength(1);
      expect(ids.map((r) => r[1]).filter((id) => id !== null), `round ${round}`).toHaveLength(1);
    }
    // A NUL in a Message-ID (PostgreSQL text cannot hold it) is dropped inside the lookup's array too.
    const nul = raw(500, { messageId: '<nul\u0000id@t>' });
    expect((await unit(store, (tx) => storeRaws(tx, [nul], 5)))[0]).not.toBeNull();
  });

  it("a late failure never overwrites a recorded outcome (a retry that met the live run)", async () => {
    const id = await unit(store, (tx) => io(tx.insertRaw(raw(600), 1)));
    await unit(store, (tx) => io(tx.setRawOutcome(id, 'lead', null, null, 2)));
    await unit(store, (tx) => io(tx.setRawFailure(id, 'timeout', 'deadline', 3)));
    expect(await store.getRaw(id)).toMatchObject({ status: 'lead' });
  });

  it('projects, vendors, clients, leads, follow-ups and actions as the domain uses them', async () => {
    await unit(store, (tx) => io(tx.syncProjects([{ name: 'Torre', aliases: ['T'] }, { name: 'Parque', aliases: [] }])));
    const torre = store.projectId('Torre')!;
    expect(torre).toBeGreaterThan(0);
    expect(await store.projectName(torre)).toBe('Torre');
    await unit(store, (tx) => io(tx.syncVendors([{ name: 'Torre', vendors: [{ id: 'v1', name: 'Ana', type: 'vendedor', active: true }, { id: 'v2', name: 'Beto', type: 'vendedor', active: true }] }])));
    expect((await store.activeVendors({ projectId: torre })).map((v) => [v.id, v.active])).toEqual([['v1', true], ['v2', true]]);
    await unit(store, (tx) => io(tx.retireVendor('v2', 10)));
    expect((await store.activeVendors({})).map((v) => v.id)).toEqual(['v1']);

    const rawId = await unit(store, (tx) => io(tx.insertRaw(raw(20), 1)));
    const { clientId, leadId } = await unit(store, function* (tx) {
      const clientId = yield* io(tx.insertClient({ nationalId: '11111111-1', email: 'a@b.cl', phone: '+56911111111', name: 'Ana Pérez', ownerVendorId: 'v1', createdAt: 1 }));
      const leadId = yield* io(tx.insertLead({ rawEmailId: rawId, medium: 'portales', quality: 'bueno', contactState: 'por_contactar', receivedAt: 100, deadlineAt: 200, createdAt: 1, updatedAt: 1, clientId, projectId: torre, ownerVendorId: 'v1', email: 'a@b.cl' }));
      yield* io(tx.insertFollowUp({ clientId, leadId, projectId: torre, action: 'continuar', status: 'open', dueAt: 500, createdBy: 'centralizador', createdAt: 1 }));
      yield* io(tx.recordAction({ leadId, clientId, actor: 'ana@x.cl', action: 'edit', data: { a: 1 }, at: 3 }));
      yield* io(tx.touchClient(clientId, 50));
      yield* io(tx.touchClient(clientId, 40)); // never back
      return { clientId, leadId };
    });
    expect((await store.clientBy('email', 'a@b.cl', null))?.id).toBe(clientId);
    expect(await store.clientBy('email', 'a@b.cl', '22222222-2')).toBeNull(); // another person's ID
    expect((await store.getClient(clientId))?.lastActivityAt).toBe(50);
    expect((await store.getLead(leadId))?.quality).toBe('bueno');
    // A batch's states in one read: the lead's, a pending email's, none for an unknown id.
    const pendingId = await unit(store, (tx) => io(tx.insertRaw(raw(21), 1)));
    const states = await unit(store, (tx) => io(tx.rawOutcomes([pendingId, 987654, rawId, rawId])));
    expect([...states.keys()].sort((a, b) => a - b)).toEqual([rawId, pendingId].sort((a, b) => a - b));
    expect(states.get(rawId)).toMatchObject({ status: 'pending', leadId, clientId });
    expect(states.get(pendingId)).toMatchObject({ status: 'pending', leadId: null });
    expect(await unit(store, (tx) => io(tx.rawOutcomes([])))).toEqual(new Map());
    expect(await store.openFollowUp(clientId, torre)).toMatchObject({ dueAt: 500 });
    expect(await store.openFollowUp(clientId, null)).toBeNull();
    expect(await store.waitingLeadIds(clientId, torre, 'v1')).toEqual([leadId]);
    expect(await store.waitingLeadIds(clientId, torre, 'v2')).toEqual([]); // another vendor's waiting leads only
    expect(await store.leadWasActedOn(leadId)).toBe(true);
    expect((await store.pendingLeads('v1')).map((l) => l.id)).toEqual([leadId]);
    expect((await store.actionsOf(clientId, ['edit'])).map((a) => JSON.parse(a.data))).toEqual([{ a: 1 }]);
    await unit(store, function* (tx) {
      yield* io(tx.updateLead(leadId, { contactState: 'contactado', lastContactAt: 60 }));
      yield* io(tx.closeFollowUps({ clientId, projectId: torre, ownerVendorId: 'v1' }, 'done'));
    });
    expect(await store.openFollowUp(clientId, torre)).toBeNull();
    expect(await store.waitingLeadIds(clientId, torre, 'v1')).toEqual([]);
  });

  it('people writes and the audit commit with their unit; a duplicate merge and its undo move the same rows', async () => {
    const userId = await unit(store, function* (tx) {
      const id = yield* io(tx.insertUser({ email: 'g@x.cl', name: 'G', role: 'gerente', vendorId: null, team: [], projects: ['Torre'], passwordHash: 'h', createdAt: 1 }));
      yield* io(tx.audit({ at: 1, userId: id, actor: 'token:admin', action: 'user.add', objectType: 'user', objectId: id, data: { role: 'gerente' } }));
      return id;
    });
    await expect(unit(store, function* (tx) {
      yield* io(tx.audit({ at: 2, userId, actor: 'g@x.cl', action: 'never', data: {} }));
      throw new Error('midway');
    })).rejects.toThrow('midway');
    const sessionId = await unit(store, (tx) => io(tx.insertSession({ tokenHash: 'th', userId, csrf: 'c', now: 5, expiresAt: 100, address: null })));
    expect(await unit(store, (tx) => io(tx.revokeUserSessions(userId, 6)))).toBe(1);
    expect(await unit(store, (tx) => io(tx.recordVisit(userId, 7)))).toBeNull();
    expect(await unit(store, (tx) => io(tx.recordVisit(userId, 8)))).toBe(7);
    expect(sessionId).toBeGreaterThan(0);

    const [a, b] = await unit(store, function* (tx) {
      const a = yield* io(tx.insertClient({ phone: '+56922222222', name: 'Uno', createdAt: 1 }));
      const b = yield* io(tx.insertClient({ phone: '+56922222222', name: 'Dos', email: 'dos@x.cl', createdAt: 1 }));
      const raw = yield* io(tx.insertRaw(raw_(30), 1));
      const lead = yield* io(tx.insertLead({ rawEmailId: raw, medium: 'web', quality: 'con_problemas', contactState: 'por_contactar', receivedAt: 1, deadlineAt: 2, createdAt: 1, updatedAt: 1, clientId: a }));
      yield* io(tx.markPossibleDuplicate({ clientId: a, otherClientId: b, leadId: lead, reason: 'phone', at: 1 }));
      return [a, b];
    });
    const merged = await unit(store, (tx) => io(tx.mergeDuplicate(1, 'g@x.cl', 9)));
    expect(merged.leadIds).toHaveLength(1);
    expect((await store.getLead(merged.leadIds[0]))?.clientId).toBe(b);
    await expect(unit(store, (tx) => io(tx.mergeDuplicate(1, 'g@x.cl', 9)))).rejects.toThrow(/ya está merged/);
    expect((await unit(store, (tx) => io(tx.unmergeDuplicate(1, 'g@x.cl', 10)))).leadIds).toEqual(merged.leadIds);
    expect((await store.getLead(merged.leadIds[0]))?.clientId).toBe(a);
    expect((await store.actionsOf(a, ['merge', 'unmerge'])).map((x) => x.action)).toEqual(['merge', 'unmerge']);
  });

  it('the outbox: a claimed notification is not taken again while its claim lasts; sent and failed are recorded; a requeue is scoped', async () => {
    for (const k of ['a', 'b', 'c']) {
      expect(await unit(store, (tx) => io(tx.enqueueNotification({ key: `n-${k}`, kind: 'assignment', recipient: 'v@x.cl', subject: k, text: k, createdAt: 1 }, 1)))).toBe(true);
    }
    expect(await unit(store, (tx) => io(tx.enqueueNotification({ key: 'n-a', kind: 'assignment', recipient: 'v@x.cl', subject: 'a', text: 'a', createdAt: 1 }, 1)))).toBe(false);
    const taken = await Promise.all([1, 2, 3, 4].map(() => unit(store, (tx) => io(tx.claimNotification(10, 60_000)))));
    const ids = taken.filter((r) => r !== null).map((r) => r!.subject).sort();
    expect(ids).toEqual(['a', 'b', 'c']); // each once, the fourth finds nothing
    const a = taken.find((r) => r?.subject === 'a')!;
    await unit(store, (tx) => io(tx.markNotificationSent(a.id, 1, 11)));
    expect(await unit(store, (tx) => io(tx.claimNotification(60_011, 60_000)))).not.toBeNull(); // b or c: its claim ran out, not sent
    const vendorScope = { vendorIds: ['nobody'], projectIds: null };
    expect(await unit(store, (tx) => io(tx.requeueNotification(a.id, vendorScope, 12)))).toBe(false); // no lead in that scope
    expect(await unit(store, (tx) => io(tx.requeueNotification(a.id, { vendorIds: null, projectIds: null }, 12)))).toBe(true);
    expect((await unit(store, (tx) => io(tx.claimNotification(13, 0))))?.id).toBe(a.id);
  });

  it('mailbox tokens: put keeps a stored account when the new one has none; delete says whether there was one', async () => {
    await unit(store, (tx) => io(tx.putMailboxToken({ mailbox: 'm', provider: 'generic', refreshToken: 'v1:a', account: 'a@x.cl', createdAt: 1, updatedAt: 1 })));
    await unit(store, (tx) => io(tx.putMailboxToken({ mailbox: 'm', provider: 'generic', refreshToken: 'v1:b', account: null, createdAt: 2, updatedAt: 2 })));
    expect(await store.mailboxToken('m')).toMatchObject({ refreshToken: 'v1:b', account: 'a@x.cl', createdAt: 1, updatedAt: 2 });
    expect((await store.mailboxTokens()).map((t) => t.mailbox)).toEqual(['m']);
    expect(await unit(store, (tx) => io(tx.deleteMailboxToken('m')))).toBe(true);
    expect(await unit(store, (tx) => io(tx.deleteMailboxToken('m')))).toBe(false);
  });

  it('funnel interactions: created, unchanged, updated with what it replaced; derived fields; vendor lookup; client scope', async () => {
    const clientId = (await store.clientBy('email', 'a@b.cl', null))!.id; // Ana Pérez, owned by v1 (an earlier test)
    const quote = { key: 'ext:cotizacion:C-1', externalId: 'C-1', kind: 'cotizacion' as const, clientId, projectId: store.projectId('Torre'), at: 100, product: 'Depto 101', model: 'A', amount: 3000,
      source: 'api' as const, state: null, deadlineAt: 500, leadId: null, ownerVendorId: 'v1', actor: 'ana@x.cl' };
    const first = await unit(store, (tx) => io(tx.upsertInteraction(quote, 1)));
    expect(first.outcome).toBe('created');
    expect((await unit(store, (tx) => io(tx.upsertInteraction(quote, 2)))).outcome).toBe('unchanged');
    const changed = await unit(store, (tx) => io(tx.upsertInteraction({ ...quote, amount: 1, actor: 'beto@x.cl' }, 3)));
    expect(changed).toMatchObject({ id: first.id, outcome: 'updated', before: { amount: 3000, actor: 'ana@x.cl' } });
    expect(await store.interactionByKey('ext:cotizacion:C-1')).toEqual({ id: first.id, clientId, ownerVendorId: 'v1' });
    const history = await store.clientHistory(clientId);
    expect(history.events.map((e) => e.kind)).toEqual(['cotizacion']);
    expect(history.leads.length).toBeGreaterThan(0);
    await unit(store, (tx) => io(tx.setInteractionDerived(first.id, { leadId: history.leads[0].id, parser: 'toctoc', medium: 'portales', reentry: false } as never, '_generic', 4)));
    expect(await store.vendorIdFor('ANA')).toBe('v1');
    expect(await store.vendorIdFor('nadie')).toBeNull();
    expect(await store.vendorProjectIds('v1')).toEqual([store.projectId('Torre')]);
    expect(await store.clientVisible(clientId, { vendorIds: ['v1'], projectIds: null })).toBe(true);
    expect(await store.clientVisible(clientId, { vendorIds: ['v2'], projectIds: null })).toBe(false);
    expect(await store.clientVisible(clientId, { vendorIds: null, projectIds: [store.projectId('Parque')!] })).toBe(false);
  });

  it('two daemons writing the config at once take turns (no lost vendor, no conflict)', async () => {
    const list = [{ name: 'Torre', aliases: ['T'], vendors: [{ id: 'v1', name: 'Ana', type: 'vendedor', active: true }, { id: 'v3', name: 'Caro', type: 'vendedor', active: true }] }];
    await Promise.all([1, 2, 3].map(() => unit(store, function* (tx) {
      yield* io(tx.syncProjects(list));
      yield* io(tx.syncVendors(list));
    })));
    expect((await store.activeVendors({ projectId: store.projectId('Torre')! })).map((v) => v.id)).toEqual(['v1', 'v3']);
  });

  it('counters and leases: one writer at a time, the lease held by its owner only', async () => {
    const bumps = await Promise.all(Array.from({ length: 8 }, () => unit(store, (tx) => io(tx.nextCounter('rr')))));
    expect(bumps.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await unit(store, (tx) => io(tx.putLease('mbx', 'd1', 1000)));
    expect(await unit(store, (tx) => io(tx.renewLease('mbx', 'd2', 2000)))).toBe(false);
    expect(await unit(store, (tx) => io(tx.renewLease('mbx', 'd1', 2000)))).toBe(true);
    expect(await store.getLease('mbx')).toEqual({ owner: 'd1', expiresAt: 2000 });
  });
});

describe('replaying the shipped fixtures gives the same leads on both engines', () => {
  const { config } = loadConfig('fixtures/config.yaml');
  const parsers = loadParsers(path.resolve('parsers'));
  const context = () => ({ parsers, projects: buildProjectIndex(config.projects), country: config.country, limits: config.limits });
  const files = collectEmailFiles(['fixtures']).files.filter((f) => !f.includes(`${path.sep}corpus${path.sep}`)).sort();

  async function replay(engine: Engine) {
    const { store, close } = await engine.open();
    try {
      await store.unitOfWork((tx) => io(tx.syncProjects(config.projects)));
      const ingestor = new Ingestor(store, context, () => ({ followUpDays: config.followUpDays }), createLogger('silent'));
      const out = [];
      for (const file of files) {
        const r = await ingestor.ingest(fs.readFileSync(file), { source: 'file', file });
        const s = await store.read((tx) => emailSummary(tx, r.rawEmailId));
        out.push({ file, quality: s?.quality ?? null, parser: s?.parser ?? null, fields: s?.fields ?? null, problems: s?.problems ?? null, client: s?.clientId !== null && s?.clientId !== undefined, followUp: Boolean(s?.followUpAt) });
      }
      return out;
    } finally {
      await close();
    }
  }

  it.skipIf(engines.length < 2)(`${files.length} fixture emails: same parser, quality, fields and problems`, async () => {
    const onSqlite = await replay(sqlite);
    const onPostgres = await replay(postgres);
    expect(onSqlite.filter((r) => r.quality === 'bueno').length).toBeGreaterThan(10);
    expect(onPostgres).toEqual(onSqlite);
  });
});
