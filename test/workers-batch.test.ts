// Emails travel to the workers in batches, their bytes moved (not copied); each keeps its own
// deadline inside the batch: a hostile email costs its deadline, never the emails sent with it.
// Asserted by what happened (outcomes, messages sent, bytes moved, reloads), never by time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { Ingestor, type StoredEmail } from '../src/ingest.ts';
import { storeRaw } from '../src/leads/intake.ts';
import { createLogger } from '../src/logger.ts';
import { compileParser } from '../src/parsers/load.ts';
import { parserSchema } from '../src/parsers/schema.ts';
import type { PipelineContext } from '../src/pipeline/index.ts';
import { defaultPoolSize, PipelinePool, PipelineTimeout } from '../src/workers/pool.ts';
import { poolRunner } from '../src/workers/runner.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';
import { bigEmail } from '../bench/memory.ts';

const silent = createLogger('silent');
let dir: string;
let app: App;
let pool: PipelinePool;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-batch-'));
  app = await createApp(testConfig('workers: {deadlineMs: 20000}'), silent, { dbPath: path.join(dir, 'test.db') });
  pool = new PipelinePool({ size: 1 }); // its own, so its counts are this test's
});
afterEach(async () => {
  await pool.close();
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const goodLead = () => formEmail({ lines: { Nombre: 'Ana Soto', RUT: rut(32345678 + ++n), Correo: `ana.batch${n}@correo.cl`, Proyecto: 'PLR' } });
/** Its own ArrayBuffer, as a fetched or stored body is: what can move to a worker whole. */
const owned = (b: Buffer) => {
  const out = Buffer.from(new ArrayBuffer(b.length));
  b.copy(out);
  return out;
};

/** A parser slow enough to pass any deadline here (see workers.test.ts). */
function evilContext(base: PipelineContext): PipelineContext {
  const slow = { regex: '(?<value>[^\\n]{0,290}x)', post: [{ replace: ['[\\s\\S]+', ''] }] };
  const config = parserSchema.parse({ id: 'evil', name: 'Evil', medium: 'portales', match: { from: 'evil.example' }, fields: { name: Array.from({ length: 100 }, () => slow) } });
  return { ...base, limits: { ...base.limits, maxExtractMs: 600_000 }, parsers: [compileParser(config, 'evil.yaml'), ...base.parsers] };
}
const evilEmail = () => formEmail({ from: 'Evil <leads@evil.example>', lines: { Mensaje: `${'a'.repeat(20_000)}x` } });

describe('batches to the workers', () => {
  it('many emails at once go in a few messages, their bytes moved to the worker, each answered', async () => {
    const mails = Array.from({ length: 30 }, () => owned(goodLead()));
    const runs = mails.map((raw) => pool.run(raw, app.context(), { deadlineMs: 20_000, transfer: true, reload: async () => null }));
    // Moved, not copied: the caller's buffers are detached as soon as they are sent.
    const outcomes = await Promise.all(runs);
    expect(mails.every((m) => m.buffer.byteLength === 0)).toBe(true);
    expect(outcomes.every((o) => o.kind === 'lead' && o.quality === 'bueno')).toBe(true);
    expect(pool.stats.batches).toBeLessThan(mails.length / 4);
    expect(pool.stats.reloads).toBe(0);
  });

  it('a hostile email in a batch costs its deadline only: the emails behind it are read again and sent to the replacement', async () => {
    const ctx = evilContext(app.context());
    const good = () => owned(goodLead());
    const behind = Array.from({ length: 8 }, good);
    const kept = behind.map((b) => Buffer.from(b)); // what the raw store would give back
    const reloads: number[] = [];
    const runs = [
      ...[good(), good()].map((raw) => pool.run(raw, ctx, { deadlineMs: 20_000, transfer: true, reload: async () => null })),
      pool.run(owned(evilEmail()), ctx, { deadlineMs: 1500, transfer: true, reload: async () => null }),
      ...behind.map((raw, i) => pool.run(raw, ctx, { deadlineMs: 20_000, transfer: true, reload: async () => (reloads.push(i), kept[i]) })),
    ];
    const settled = await Promise.allSettled(runs);
    expect(pool.stats.batches).toBeGreaterThanOrEqual(2); // the first batch, and the resent rest
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: expect.any(PipelineTimeout) });
    const others = settled.filter((_, i) => i !== 2);
    expect(others.every((s) => s.status === 'fulfilled' && s.value.kind === 'lead')).toBe(true);
    expect(pool.stats.timeouts).toBe(1);
    // The ones sent with it and not started were not kept here: each was read again, once.
    expect([...reloads].sort((a, b) => a - b)).toEqual(behind.map((_, i) => i));
  });

  it('stored emails through the ingestor: the hostile one is stored as timeout, every other one is a lead', async () => {
    const ctx = evilContext(app.context()); // one context object, as the app's: a batch shares it
    const ingestor = new Ingestor(app.store, () => ctx, app.rules, silent, {}, poolRunner(pool, () => 1500));
    const raws = [goodLead(), goodLead(), evilEmail(), ...Array.from({ length: 30 }, () => goodLead())];
    const items: StoredEmail[] = [];
    for (const raw of raws) {
      const row = ingestor.describe(raw, { source: 'file' });
      const id = await app.store.unitOfWork((tx) => storeRaw(tx, row, Date.now()));
      items.push({ rawEmailId: id!, raw: owned(raw), receivedAt: row.receivedAt, messageId: row.messageId });
    }
    const results = await ingestor.processBatch(items, { transfer: true });
    expect(results.map((r) => r.status)).toEqual(raws.map((_, i) => (i === 2 ? 'timeout' : 'lead')));
    expect(results.filter((r) => r.leadId !== null)).toHaveLength(raws.length - 1);
    expect(pool.stats.timeouts).toBe(1);
    // What a processed email's body was read again for: only the ones behind the hostile one.
    expect(pool.stats.reloads).toBeGreaterThan(0);
    expect(pool.stats.batches).toBeLessThan(raws.length / 2);
  });

  it('stops starting emails once told to: the rest stay pending for the next start', async () => {
    let answered = 0;
    const ingestor = new Ingestor(app.store, () => app.context(), app.rules, silent, { onResult: () => answered++ }, poolRunner(pool, () => 20_000));
    const items: StoredEmail[] = [];
    for (let i = 0; i < 200; i++) {
      const raw = goodLead();
      const row = ingestor.describe(raw, { source: 'file' });
      const id = await app.store.unitOfWork((tx) => storeRaw(tx, row, Date.now()));
      items.push({ rawEmailId: id!, raw, receivedAt: row.receivedAt, messageId: row.messageId });
    }
    // Told to stop once the first email is answered: the ones already sent end, no more start.
    const results = await ingestor.processBatch(items, { stopping: () => answered > 0 });
    const done = results.filter(Boolean);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(items.length);
    expect(await app.store.pendingRawIds(1000, Number.MAX_SAFE_INTEGER)).toHaveLength(items.length - done.length);
  });

  it('a worker that ran a big email is replaced once done, so its heap does not keep the body', async () => {
    const big = owned(bigEmail(5)); // a lead with a 5 MB PDF
    const first = await pool.run(big, app.context(), { deadlineMs: 20_000, transfer: true });
    expect(first.kind).toBe('lead');
    expect(big.buffer.byteLength).toBe(0); // moved, not copied
    expect(pool.stats.recycled).toBe(1);
    expect(pool.stats.spawned).toBe(2);
    // The replacement takes the next email; small ones leave their worker in place.
    const next = await pool.run(owned(goodLead()), app.context(), { deadlineMs: 20_000, transfer: true });
    expect(next.kind).toBe('lead');
    expect(pool.stats.recycled).toBe(1);
    expect(pool.stats.spawned).toBe(2);
  });

  it('the default size leaves a core to the main thread and fits the free memory', () => {
    expect(defaultPoolSize(2, 8 * 2 ** 30)).toBe(1);
    expect(defaultPoolSize(8, 8 * 2 ** 30)).toBe(7);
    expect(defaultPoolSize(8, 400 * 2 ** 20)).toBe(2);
    expect(defaultPoolSize(1, 100 * 2 ** 20)).toBe(1);
  });
});
