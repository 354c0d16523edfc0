import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../src/db/port.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { MIGRATIONS_DIR } from '../src/paths.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fk-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A migrations folder holding only the migrations before 0004, to build a database as it was. */
function migrationsBefore(tag: string): string {
  const dir = path.join(tmp, `mig-${tag}`);
  fs.mkdirSync(path.join(dir, 'meta'), { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
  const stop = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  journal.entries = journal.entries.slice(0, stop);
  for (const e of journal.entries) fs.copyFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  return dir;
}

function populate(db: Database.Database): void {
  const t = Date.parse('2026-10-01T12:00:00Z');
  db.prepare("insert into projects (id, name) values (1, 'Parque'), (2, 'Mirador')").run();
  db.prepare("insert into vendors (id, name, type) values ('ana', 'Ana', 'casa'), ('bob', 'Bob', 'casa')").run();
  db.prepare("insert into project_vendors values (1, 'ana', 0), (2, 'bob', 0)").run();
  const raw = db.prepare("insert into raw_emails (source, sha256, size, received_at, stored_at, status) values ('file', ?, 10, ?, ?, 'lead')");
  const lead = db.prepare(
    `insert into leads (raw_email_id, medium, quality, project_id, client_id, owner_vendor_id, contact_state, received_at, deadline_at, created_at, updated_at)
     values (?, 'portales', ?, ?, ?, ?, 'por_contactar', ?, ?, ?, ?)`,
  );
  db.prepare("insert into clients (id, national_id, owner_vendor_id, created_at) values (1, '1-9', 'ana', ?)").run(t);
  for (let i = 1; i <= 20; i++) {
    raw.run(`h${i}`, t + i, t + i);
    lead.run(i, i % 3 ? 'bueno' : 'malo', i % 2 ? 1 : 2, i % 3 ? 1 : null, i % 3 ? 'ana' : null, t + i * 3_600_000, t + i, t, t);
  }
  db.prepare("insert into follow_ups (client_id, lead_id, project_id, action, status, due_at, created_by, created_at) values (1, 1, 1, 'continuar', 'open', ?, 'system', ?)").run(t, t);
  db.prepare("insert into actions (lead_id, client_id, actor, action, at) values (1, 1, 'admin', 'contact', ?), (2, null, 'admin', 'edit', ?)").run(t, t);
}

const countsTruth = "select ifnull(project_id,-1) p, ifnull(parser,'') pa, medium m, quality q, contact_state s, count(*) n from leads group by 1,2,3,4,5 order by 1,2,3,4,5";
const countsAgg = 'select project_id p, parser pa, medium m, quality q, contact_state s, n from lead_counts where n > 0 order by 1,2,3,4,5';

describe('migration 0004: foreign keys', () => {
  it('keeps every row, index and trigger of a database built by the earlier migrations', () => {
    const file = path.join(tmp, 'old.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(drizzle(old), { migrationsFolder: migrationsBefore('0004_foreign_keys') });
    populate(old);
    const tables = ['raw_emails', 'projects', 'vendors', 'project_vendors', 'clients', 'leads', 'follow_ups', 'actions', 'lead_counts'];
    const before = Object.fromEntries(tables.map((t) => [t, old.prepare(`select * from ${t} order by 1, 2`).all()]));
    const schemaObjects = (db: Database.Database) =>
      (db.prepare("select type, name from sqlite_master where type in ('index', 'trigger') and name not like 'sqlite_%' order by 1, 2").all() as { type: string; name: string }[]).map((r) => `${r.type}:${r.name}`);
    const objectsBefore = schemaObjects(old);
    old.close();

    const db = openDatabase(file).$client;
    // Columns later migrations add (0014: leads.first_contact_at, null when no contact was registered;
    // 0018: part_index) are not the old rows'; 0019 moved raw_emails.raw (null in these rows) to raw_bodies.
    const later: Record<string, string[]> = { leads: ['first_contact_at', 'part_index'], raw_emails: ['raw'] };
    const asBefore = (t: string, rows: unknown[]) => (rows as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !later[t]?.includes(k))));
    for (const t of tables) expect(asBefore(t, db.prepare(`select * from ${t} order by 1, 2`).all()), t).toEqual(asBefore(t, before[t]));
    // Later migrations may add more, and drop on purpose: 0017 lead_counts_daily (its index and
    // triggers), 0018 the unique raw_email_id index (now unique with part_index).
    const dropped = ['lead_counts_daily', 'leads_raw_email_id_unique'];
    expect(schemaObjects(db)).toEqual(expect.arrayContaining(objectsBefore.filter((o) => !dropped.some((d) => o.includes(d)))));
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare("select count(*) n from pragma_foreign_key_list('leads')").get()).toEqual({ n: 4 });

    // The count triggers still run after the rebuild.
    db.prepare("update leads set contact_state = 'contactado' where id in (1, 2, 3)").run();
    db.prepare("insert into raw_emails (source, sha256, size, received_at, stored_at, status) values ('file', 'x', 1, 1, 1, 'lead')").run();
    db.prepare("insert into leads (raw_email_id, medium, quality, contact_state, received_at, deadline_at, created_at, updated_at) values (21, 'web', 'bueno', 'por_contactar', 5, 5, 5, 5)").run();
    expect(db.prepare(countsAgg).all()).toEqual(db.prepare(countsTruth).all());
    db.close();
  });

  it('0019 moves every stored body to raw_bodies, byte for byte, and the port reads it back', async () => {
    const file = path.join(tmp, 'bodies.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(drizzle(old), { migrationsFolder: migrationsBefore('0019_raw_bodies') });
    const body = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 7) % 256));
    const insert = old.prepare("insert into raw_emails (source, sha256, size, raw, received_at, stored_at, status, purged_at) values ('file', ?, ?, ?, 1, 1, ?, ?)");
    insert.run('big', body.length, body, 'lead', null);
    insert.run('purged', 10, null, 'lead', 5);
    insert.run('empty', 0, Buffer.alloc(0), 'error', null);
    old.close();
    const store = new Store(openDatabase(file));
    try {
      expect(store.getRaw(1)?.raw?.equals(body)).toBe(true);
      expect(store.getRaw(2)?.raw).toBeNull();
      expect(store.getRaw(3)?.raw?.length).toBe(0);
      expect(store.sqlite.prepare('select count(*) n from raw_bodies').get()).toEqual({ n: 2 });
      // A new body is stored in 1 MB pieces; purge removes them and marks the row.
      const id = await store.unitOfWork(function* (tx) {
        return yield* io(tx.insertRaw({ source: 'file', messageId: '<n@x>', sha256: 'n', size: body.length, raw: body, receivedAt: 2 }, 2));
      });
      expect(store.sqlite.prepare('select count(*) n from raw_bodies where raw_email_id = ?').get(id)).toEqual({ n: 4 });
      expect(store.getRaw(id)?.raw?.equals(body)).toBe(true);
      // Purge takes processed emails' bodies only: the failed one's is its only copy, the pending one still needs its body.
      expect(await store.unitOfWork((tx) => io(tx.purgeRawBefore(10, 9)))).toBe(1);
      expect(store.sqlite.prepare('select count(*) n from raw_bodies').get()).toEqual({ n: 1 + 4 });
      expect(store.getRaw(id)?.raw?.equals(body)).toBe(true);
      store.sqlite.prepare("update raw_emails set status = 'lead' where id in (?, 3)").run(id);
      expect(await store.unitOfWork((tx) => io(tx.purgeRawBefore(10, 9)))).toBe(2);
      expect(store.sqlite.prepare('select count(*) n from raw_bodies').get()).toEqual({ n: 0 });
      expect(store.getRaw(id)).toMatchObject({ raw: null });
    } finally {
      store.close();
    }
  });

  it('refuses dangling references and cascades only dependent rows', () => {
    const db = openDatabase(path.join(tmp, 'new.db')).$client;
    populate(db);
    const t = 1;
    expect(() => db.prepare("insert into leads (raw_email_id, medium, quality, contact_state, received_at, deadline_at, created_at, updated_at) values (999, 'web', 'bueno', 'por_contactar', ?, ?, ?, ?)").run(t, t, t, t)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("update leads set owner_vendor_id = 'nobody' where id = 1").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("update clients set owner_vendor_id = 'nobody' where id = 1").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("insert into actions (lead_id, actor, action, at) values (999, 'x', 'y', 1)").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare('delete from clients where id = 1').run()).toThrow(/FOREIGN KEY/); // leads and actions point at it
    expect(() => db.prepare('delete from raw_emails where id = 1').run()).toThrow(/FOREIGN KEY/);
    // The join table follows its project; a follow-up outlives the lead that opened it.
    db.prepare("insert into projects (id, name) values (3, 'Sin leads')").run();
    db.prepare("insert into project_vendors values (3, 'ana', 0)").run();
    db.prepare('delete from projects where id = 3').run();
    expect(db.prepare('select count(*) n from project_vendors where project_id = 3').get()).toEqual({ n: 0 });
    db.prepare('delete from actions where lead_id = 1').run();
    db.prepare('delete from leads where id = 1').run();
    expect(db.prepare('select lead_id from follow_ups').get()).toEqual({ lead_id: null });
    db.close();
  });
});
