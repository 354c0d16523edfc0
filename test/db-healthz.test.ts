import { sqliteStore } from './helpers/sqlite-store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';

describe('/healthz and the database', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('shows the cached quick_check verdict, and a disk-full write by the app turns it 503 until writes succeed', async () => {
    await sqliteStore(h.app).health().runQuickCheck();
    const ok = await h.call('/healthz', { token: null });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.db).toMatchObject({ ok: true, quickCheck: 'ok', writeError: null, walLost: false });
    expect(body.db.detail).toBeUndefined();

    // The disk is full as SQLite sees it: no new page. An email arrives and cannot be stored.
    const sqlite = sqliteStore(h.app).sqlite;
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(200_000);
    await h.app.ingestor.ingest(formEmail({ name: 'Ana Pérez', rut: rut(12_345_678), email: 'ana@correo.cl', message: big }), { source: 'file' }).catch(() => undefined);
    const bad = await h.call('/healthz', { token: null });
    expect(bad.status).toBe(503);
    expect((await bad.json()).db).toMatchObject({ ok: false, writeError: { code: 'SQLITE_FULL' } });

    sqlite.pragma(`max_page_count = ${pages * 1000}`);
    expect(sqliteStore(h.app).health().probe()).toBe(true); // the periodic write probe
    expect((await h.call('/healthz', { token: null })).status).toBe(200);
  });
});
