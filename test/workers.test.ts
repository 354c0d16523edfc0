// The pipeline runs in worker threads with a hard deadline per email: hostile emails end as
// `timeout` or a bounded result, the next email still becomes a lead, and the main thread keeps
// running meanwhile. Progress is asserted by counting timer ticks, never by wall-clock time.
import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { openDaemon } from '../src/daemon/daemon.ts';
import { io } from '../src/db/port.ts';
import { Ingestor } from '../src/ingest.ts';
import { createLogger } from '../src/logger.ts';
import { compileParser } from '../src/parsers/load.ts';
import { parserSchema } from '../src/parsers/schema.ts';
import { runPipeline, type PipelineContext } from '../src/pipeline/index.ts';
import { reprocess } from '../src/reprocess.ts';
import { PipelineTimeout } from '../src/workers/pool.ts';
import { poolRunner, type PipelineRunner } from '../src/workers/runner.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

const silent = createLogger('silent');
let dir: string;
let app: App;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-'));
  app = await createApp(testConfig('workers: {deadlineMs: 20000}'), silent, { dbPath: path.join(dir, 'test.db') });
});
afterEach(() => {
  app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const statusOf = (id: number) => sqliteStore(app).sqlite.prepare('select status, error from raw_emails where id = ?').get(id) as { status: string; error: string | null };
let n = 0;
const goodLead = () => formEmail({ lines: { Nombre: 'Ana Soto', RUT: rut(12345678 + ++n), Correo: `ana.soto${n}@correo.cl`, Proyecto: 'PLR' } });

/** Counts timer ticks on this (the main) thread while `work` runs. */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const value = await work();
    return { value, ticks };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A slow parser: admin regexes run in linear time now (RE2), but 100 extractors that each read
 * 20,000 characters through a 585-instruction program still take seconds, past the deadline.
 */
function evilContext(base: PipelineContext): PipelineContext {
  const slow = { regex: '(?<value>[^\\n]{0,290}x)', post: [{ replace: ['[\\s\\S]+', ''] }] };
  const config = parserSchema.parse({ id: 'evil', name: 'Evil', medium: 'portales', match: { from: 'evil.example' }, fields: { name: Array.from({ length: 100 }, () => slow) } });
  return { ...base, limits: { ...base.limits, maxExtractMs: 600_000 }, parsers: [compileParser(config, 'evil.yaml'), ...base.parsers] };
}
const evilEmail = () => formEmail({ from: 'Evil <leads@evil.example>', lines: { Mensaje: `${'a'.repeat(20_000)}x` } });

describe('pipeline in worker threads', () => {
  it('a deeply nested email naming a portal ends bounded, the main thread runs meanwhile, the next email is a lead', async () => {
    const depth = 190_000; // ~2 MB of nested <div>s
    const html = `<html><body><div>De: Portal &lt;avisos@toctoc.com&gt;</div>${'<div>'.repeat(depth)}Nombre: Ana${'</div>'.repeat(depth)}</body></html>`;
    const hostile = formEmail({ from: 'Portal <avisos@toctoc.com>', subject: 'Nuevo contacto', html });
    const { value: r, ticks } = await ticksDuring(() => app.ingestor.ingest(hostile, { source: 'file' }));
    expect(['lead', 'ignored', 'timeout']).toContain(r.status);
    expect(ticks).toBeGreaterThan(0);
    const next = await app.ingestor.ingest(goodLead(), { source: 'file' });
    expect(next).toMatchObject({ status: 'lead', outcome: { quality: 'bueno' } });
  });

  it('a slow parser times out, its worker is replaced, and the next email still becomes a lead', async () => {
    const evil = new Ingestor(sqliteStore(app), () => evilContext(app.context()), app.rules, silent, {}, poolRunner(app.workers, () => 1500));
    const before = { ...app.workers.stats };
    const { value: r, ticks } = await ticksDuring(() => evil.ingest(evilEmail(), { source: 'file' }));
    expect(r.status).toBe('timeout');
    expect(statusOf(r.rawEmailId)).toMatchObject({ status: 'timeout', error: expect.stringMatching(/^timeout: .*deadline/) });
    // The main thread was free: its timer kept firing while the worker was stuck.
    expect(ticks).toBeGreaterThan(5);
    expect(app.workers.stats.timeouts).toBe(before.timeouts + 1);
    expect(app.workers.stats.spawned).toBeGreaterThan(before.spawned); // terminated and replaced
    const next = await evil.ingest(goodLead(), { source: 'file' });
    expect(next).toMatchObject({ status: 'lead', outcome: { quality: 'bueno' } });
  });

  it('emails queued behind a stuck one are sent again to its replacement', async () => {
    const ctx = evilContext(app.context());
    const [stuck, next] = await Promise.allSettled([
      app.workers.run(evilEmail(), ctx, { deadlineMs: 1500 }),
      app.workers.run(goodLead(), ctx, { deadlineMs: 20_000 }),
    ]);
    expect(stuck).toMatchObject({ status: 'rejected', reason: expect.any(PipelineTimeout) });
    expect(next).toMatchObject({ status: 'fulfilled', value: { kind: 'lead', quality: 'bueno' } });
  });

  it('reloaded parsers and projects reach the workers', async () => {
    const mail = formEmail({ lines: { Nombre: 'Ana Soto', RUT: rut(22345678), Correo: 'ana.reload@correo.cl', Proyecto: 'Torre Nueva' } });
    expect((await app.ingestor.outcome(mail)).kind === 'lead' && (await app.ingestor.outcome(mail))).toMatchObject({ quality: 'con_problemas' });
    await app.reload({ config: testConfig('  - {name: Torre Nueva, aliases: []}\nworkers: {deadlineMs: 20000}') });
    expect(await app.ingestor.outcome(mail)).toMatchObject({ kind: 'lead', quality: 'bueno', fields: { project: 'Torre Nueva' } });
  });
});

describe('reprocess retries a timeout once, with a larger budget', () => {
  /** A runner that times out on first runs (budget 1) and, when told, on retries too. */
  function flakyRunner(budgets: number[], retryTimesOut: boolean): PipelineRunner {
    return {
      concurrency: 1,
      run: async (raw, ctx, req) => {
        budgets.push(req.budget);
        if (req.budget === 1 || retryTimesOut) throw new PipelineTimeout(100 * req.budget);
        return runPipeline(raw, ctx);
      },
    };
  }
  const withRunner = (runner: PipelineRunner): App => ({ ...app, config: app.config, ingestor: new Ingestor(sqliteStore(app), app.context, app.rules, silent, {}, runner) });

  it('a timeout retried with retryFactor × the budget becomes a lead', async () => {
    const budgets: number[] = [];
    const flaky = withRunner(flakyRunner(budgets, false));
    const r = await flaky.ingestor.ingest(goodLead(), { source: 'file' });
    expect(statusOf(r.rawEmailId).status).toBe('timeout');
    const report = await reprocess(flaky, { qualities: ['con_problemas'], since: null });
    expect(budgets).toEqual([1, app.config.workers.retryFactor]);
    expect(report).toMatchObject({ examined: 1, changed: 1, errors: 0 });
    expect(statusOf(r.rawEmailId).status).toBe('lead');
  });

  it('a second timeout is stored as an error and not retried again', async () => {
    const budgets: number[] = [];
    const flaky = withRunner(flakyRunner(budgets, true));
    const r = await flaky.ingestor.ingest(goodLead(), { source: 'file' });
    await reprocess(flaky, { qualities: ['con_problemas'], since: null });
    expect(statusOf(r.rawEmailId)).toMatchObject({ status: 'error', error: expect.stringContaining('after a retry') });
    await reprocess(flaky, { qualities: ['con_problemas'], since: null });
    expect(budgets).toEqual([1, 4]);
  });
});

describe('daemon start', () => {
  it('opening the daemon takes the lease but leaves pending emails for start(), after the admin server listens', async () => {
    const row = { source: 'file' as const, messageId: '<pending@x>', sha256: 'p1', size: 10, raw: goodLead(), receivedAt: Date.now() };
    const id = await sqliteStore(app).unitOfWork((tx) => io(tx.insertRaw(row, Date.now())));
    const daemon = await openDaemon(app);
    try {
      expect(statusOf(id).status).toBe('pending');
      await daemon.start();
      expect(statusOf(id).status).toBe('lead');
    } finally {
      await daemon.stop();
    }
  });
});
