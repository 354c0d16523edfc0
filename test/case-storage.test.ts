import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseQueriesPort } from '../src/db/case-port.ts';
import { CaseQueries } from '../src/db/sqlite/case-store.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { io, type Storage } from '../src/db/port.ts';
import { PgCaseQueries } from '../src/db/postgres/cases.ts';
import { openPostgres } from '../src/db/postgres/open.ts';
import { PgStore } from '../src/db/postgres/store.ts';
import { FULL_SCOPE } from '../src/db/scope.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// The cases area of the storage port on both adapters: writes in units of work, the reads the
// pipeline's commit uses (by Message-ID, by number, by raw email), and the scoped read model.

interface Opened { store: Storage; cases: CaseQueriesPort; close(): Promise<void> }

const engines: { name: string; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cases-'));
      const store = new Store(openDatabase(path.join(dir, 'c.db')));
      return { store, cases: new CaseQueries(store.sqlite), close: async () => { store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  ...(noPostgres() ? [] : [{
    name: 'postgres',
    async open() {
      const db = await createTestDatabase();
      const store = await PgStore.connect(await openPostgres(db.url, { max: 4 }));
      return { store, cases: new PgCaseQueries(store.pool), close: async () => { await store.close(); await db.drop(); } };
    },
  }]),
];

describe.each(engines)('cases storage on $name', (engine) => {
  let o: Opened;
  let plr = 0;
  let mdv = 0;
  let ownClient = 0;
  let otherClient = 0;
  let first = 0;
  let second = 0;
  beforeAll(async () => {
    o = await engine.open();
    await o.store.unitOfWork(function* (tx) {
      yield* io(tx.syncProjects([{ name: 'Parque Los Robles', aliases: [] }, { name: 'Mirador del Valle', aliases: [] }]));
      yield* io(tx.syncVendors([{ name: 'Parque Los Robles', vendors: [{ id: 'v1', name: 'Vera', type: 'interno', active: true }, { id: 'v2', name: 'Hugo', type: 'interno', active: true }] }]));
    });
    plr = o.store.projectId('Parque Los Robles')!;
    mdv = o.store.projectId('Mirador del Valle')!;
    [ownClient, otherClient] = await o.store.unitOfWork(function* (tx) {
      const a = yield* io(tx.insertClient({ name: 'Pedro Rojas', email: 'pedro@correo.cl', nationalId: '12345678-5', createdAt: 1 }));
      const b = yield* io(tx.insertClient({ name: 'Marta Soto', email: 'marta@correo.cl', createdAt: 1 }));
      yield* io(tx.updateClient(a, { ownerVendorId: 'v1', ownerSince: 1 }));
      yield* io(tx.updateClient(b, { ownerVendorId: 'v2', ownerSince: 1 }));
      return [a, b];
    });
  });
  afterAll(async () => o.close());

  it('numbers cases, keeps their thread and visits, and finds a case by a reply\'s Message-IDs', async () => {
    const base = { category: 'reclamo' as const, status: 'abierto' as const, subject: 'Filtración en el baño', country: 'CL', createdAt: 1000, updatedAt: 1000 };
    [first, second] = await o.store.unitOfWork(function* (tx) {
      const n1 = yield* io(tx.nextCounter('case_number'));
      const a = yield* io(tx.insertCase({ ...base, number: n1, clientId: ownClient, projectId: plr, unit: 'depto 1502', evidence: JSON.stringify(['reclamo']) }));
      const n2 = yield* io(tx.nextCounter('case_number'));
      const b = yield* io(tx.insertCase({ ...base, number: n2, category: 'consulta', clientId: otherClient, projectId: mdv, subject: 'Gastos comunes de marzo' }));
      yield* io(tx.insertCaseMessage({ caseId: a, direction: 'in', messageId: '<in1@correo.cl>', subject: 'Reclamo', text: 'Ya llamé dos veces', at: 1000, attachments: JSON.stringify([{ filename: 'foto.jpg', contentType: 'image/jpeg', size: 2048 }]) }));
      yield* io(tx.insertCaseMessage({ caseId: a, direction: 'out', messageId: '<ack1@inmo.cl>', inReplyTo: '<in1@correo.cl>', subject: '[Caso 1] Recibimos su reclamo', text: 'Le responderemos', at: 1001 }));
      yield* io(tx.insertCaseVisit({ caseId: a, kind: 'tecnica', scheduledAt: 5000, who: 'Técnico Juan', recordedBy: 'ana@inmo.cl', createdAt: 1002 }));
      return [a, b];
    });
    expect((await o.store.getCase(first))).toMatchObject({ number: 1, unit: 'depto 1502', status: 'abierto', pausedMinutes: 0 });
    expect((await o.store.caseByNumber(2))?.id).toBe(second);
    expect((await o.store.caseByMessageIds(['<nope@x>', '<ack1@inmo.cl>']))?.id).toBe(first);
    expect(await o.store.caseByMessageIds(['<nope@x>'])).toBeNull();
    const messages = await o.store.caseMessages(first);
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(JSON.parse(messages[0].attachments)).toEqual([{ filename: 'foto.jpg', contentType: 'image/jpeg', size: 2048 }]);
    await o.store.unitOfWork(function* (tx) {
      yield* io(tx.updateCase(first, { status: 'en_espera', waitingSince: 2000, updatedAt: 2000 }));
      const [v] = yield* io(tx.caseVisits(first));
      yield* io(tx.updateCaseVisit(v.id, { doneAt: 5100, outcome: 'Sellado el desagüe' }));
    });
    expect(await o.store.getCase(first)).toMatchObject({ status: 'en_espera', waitingSince: 2000 });
    expect((await o.store.caseVisits(first))[0]).toMatchObject({ kind: 'tecnica', doneAt: 5100, outcome: 'Sellado el desagüe' });
  });

  it("an outbox row remembers its case (the acknowledgement, a reply)", async () => {
    await o.store.unitOfWork(function* (tx) {
      yield* io(tx.enqueueNotification({ key: `case_ack:${first}`, kind: 'case_ack', caseId: first, leadId: null, clientId: ownClient, projectId: plr, vendorId: null, recipient: 'pedro@correo.cl', sender: null, subject: '[Caso 1] Recibimos su mensaje', text: 'x', html: null, headers: null, createdAt: 3000 }, 3000));
    });
    const row = await o.store.unitOfWork((tx) => io(tx.claimNotification(3000, 60_000)));
    expect(row).toMatchObject({ kind: 'case_ack', caseId: first, leadId: null });
  });

  it('a write outside a unit of work is refused', async () => {
    const outside = o.store as unknown as { updateCase?: (id: number, p: object) => unknown };
    // SQLite: the store checks for an open transaction; PostgreSQL: the pool has no writes at all.
    if (o.store.engine === 'sqlite') expect(() => outside.updateCase!(first, { status: 'cerrado' })).toThrow(/unit of work/);
    else expect(outside.updateCase).toBeUndefined();
    expect((await o.store.getCase(first))?.status).toBe('en_espera');
  });

  it('scopes the list and the detail: a vendor sees their clients\' cases, a gerente their projects\', an empty list nothing', async () => {
    const ids = async (scope: typeof FULL_SCOPE, f = {}) => (await o.cases.list(f, scope)).items.map((c) => c.id).sort();
    expect(await ids(FULL_SCOPE)).toEqual([first, second].sort());
    expect(await ids({ vendorIds: ['v1'], projectIds: null })).toEqual([first]);
    expect(await ids({ vendorIds: ['v2'], projectIds: null })).toEqual([second]);
    expect(await ids({ vendorIds: null, projectIds: [mdv] })).toEqual([second]);
    expect(await ids({ vendorIds: [], projectIds: null })).toEqual([]);
    expect(await ids(FULL_SCOPE, { status: ['en_espera'] })).toEqual([first]);
    expect(await ids(FULL_SCOPE, { category: ['consulta'] })).toEqual([second]);
    expect(await ids(FULL_SCOPE, { q: 'caso 2' })).toEqual([second]);
    expect(await ids(FULL_SCOPE, { q: '1502' })).toEqual([first]);
    expect((await o.cases.list({}, FULL_SCOPE)).total).toBe(2);
    const d = await o.cases.detail(first, { vendorIds: ['v1'], projectIds: null });
    expect(d?.case).toMatchObject({ number: 1, project: 'Parque Los Robles', clientName: 'Pedro Rojas' });
    expect(d?.messages).toHaveLength(2);
    expect(d?.visits).toHaveLength(1);
    expect(await o.cases.detail(first, { vendorIds: ['v2'], projectIds: null })).toBeNull();
    expect(await o.cases.visible(second, { vendorIds: ['v1'], projectIds: null })).toBe(false);
    expect(await o.cases.visible(second, FULL_SCOPE)).toBe(true);
  });
});
