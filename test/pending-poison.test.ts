// Emails left pending are retried (at start, then every 30 s). One whose outcome can never be
// recorded (its data breaks a constraint) must not hold the others back, nor stay pending unseen:
// it is stored as an error, listed by /api/emails. A real SQLite file, the real pipeline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { processPending } from '../src/daemon/daemon.ts';
import { closeSharedPools } from '../src/workers/pool.ts';
import { reprocess } from '../src/reprocess.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';
import { exec, rows } from './helpers/db-rows.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pending-poison-'));
let app: App;
beforeAll(async () => {
  app = await createApp(testConfig(), createLogger('silent'), { dbPath: path.join(dir, 'c.db') });
});
afterAll(() => {
  app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lines = (n: number) => ({ Nombre: `Cliente ${n} Pérez`, RUT: rut(16_000_000 + n), Correo: `cliente${n}@correo.cl`, Fono: `+56 9 8000 000${n}`, Proyecto: 'PLR' });
const stored = (raw: Buffer) => app.store.unitOfWork((tx) => io(tx.insertRaw(app.ingestor.describe(raw, { source: 'file' }), Date.now())));
const statuses = async (ids: number[]) => (await rows(app, 'SELECT id, status, error FROM raw_emails ORDER BY id')).filter((r) => ids.includes(r.id));

describe('pending emails retried', () => {
  it('one whose outcome breaks a constraint is stored as an error; the others in its chunk become leads', async () => {
    // A: processed once (its lead exists), then marked pending again: recording it again breaks leads' (raw email, position) key.
    const a = await app.ingestor.ingest(formEmail({ lines: lines(1) }), { source: 'file' });
    expect(a.leadId).not.toBeNull();
    await exec(app, "UPDATE raw_emails SET status = 'pending' WHERE id = ?", [a.rawEmailId]);
    const b = await stored(formEmail({ lines: lines(2) }));
    const c = await stored(formEmail({ lines: lines(3) }));
    await processPending(app);
    const after = await statuses([a.rawEmailId, b, c]);
    expect(after.map((r) => r.status)).toEqual(['error', 'lead', 'lead']);
    expect(after[0].error).toMatch(/su resultado no se pudo guardar/);
    // Alone in its chunk too: the database takes writes, so the failure is the email's.
    await exec(app, "UPDATE raw_emails SET status = 'pending', error = NULL WHERE id = ?", [a.rawEmailId]);
    await processPending(app);
    expect((await statuses([a.rawEmailId]))[0].status).toBe('error');
    expect(await rows(app, 'SELECT id FROM raw_emails WHERE status = ?', ['pending'])).toEqual([]);
  });

  it('reprocess counts an email it cannot record and goes on with the others', async () => {
    // X: a lead exists, yet its raw row says timeout (as a late failure could write before);
    // Y: a real timeout. Reprocess retries both: X breaks the lead key, Y becomes a lead.
    const x = await app.ingestor.ingest(formEmail({ lines: lines(4) }), { source: 'file' });
    await exec(app, "UPDATE raw_emails SET status = 'timeout' WHERE id = ?", [x.rawEmailId]);
    const y = await stored(formEmail({ lines: lines(5) }));
    await exec(app, "UPDATE raw_emails SET status = 'timeout' WHERE id = ?", [y]);
    const report = await reprocess(app, { qualities: [], since: null });
    expect(report.errors).toBe(1);
    expect((await statuses([y]))[0].status).toBe('lead');
  });

  // Last: it closes the process's shared pipeline pool.
  it('a closed pipeline (the daemon stopping) leaves pending emails pending, never errors', async () => {
    const other = await createApp(testConfig(), createLogger('silent'), { dbPath: path.join(dir, 'closing.db') });
    try {
      for (let n = 6; n < 9; n++) await other.store.unitOfWork((tx) => io(tx.insertRaw(other.ingestor.describe(formEmail({ lines: lines(n) }), { source: 'file' }), Date.now())));
      await closeSharedPools(); // as stop() does while a retry runs
      await processPending(other);
      expect((await rows(other, 'SELECT status FROM raw_emails ORDER BY id')).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    } finally {
      other.close();
    }
  });
});
