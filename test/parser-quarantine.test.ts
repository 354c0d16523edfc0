// A parser whose emails time out twice is quarantined: its mail takes the generic extraction, so
// leads keep flowing, parser health shows it, and a reload that changes the parser lifts it. Through
// the real worker pool with a small deadline; every step waits on the ingest it needs, never a sleep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';

// Every pattern passes the load checks and runs in linear time, yet 100 extractors that each read
// 20,000 characters through a 585-instruction program take seconds: slow, not catastrophic.
const slowRule = `    - {regex: '(?<value>[^\\n]{0,290}x)', post: [{replace: ['[\\s\\S]+', '']}]}\n`;
const SLOW = `id: lento\nname: Portal lento\nmedium: portales\nmatch:\n  from: lento.example\nfields:\n  name:\n${slowRule.repeat(100)}`;
const FIXED = 'id: lento\nname: Portal lento\nmedium: portales\nmatch:\n  from: lento.example\nfields:\n  name: {label: Nombre}\n';

let h: Harness;
let dir: string;
let n = 0;
const slowMail = () => formEmail({ name: 'Ana Soto', rut: rut(15_000_000 + ++n), email: `ana${n}@correo.cl`, project: 'Parque Los Robles', message: `${'a'.repeat(20_000)}x` }, { from: 'avisos@lento.example' });
const normalMail = () => formEmail({ name: 'Luis Rojas', rut: rut(16_000_000 + ++n), email: `luis${n}@correo.cl`, project: 'Parque Los Robles' });
const lento = async () => (await h.json<{ parsers: Record<string, unknown>[] }>('/api/parsers')).parsers.find((p) => p.parser === 'lento');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarantine-'));
  fs.writeFileSync(path.join(dir, 'lento.yaml'), SLOW);
  // The extraction budget far away, so it is the worker's deadline that stops the slow parser.
  h = await startHarness({ parsersDir: dir, extraYaml: ['workers: {deadlineMs: 3000}', 'limits: {maxExtractMs: 600000}'], logLevel: 'warn' });
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('parser quarantine', () => {
  it('two timeouts quarantine the parser; its next email and a normal lead are leads at once', async () => {
    const first = await h.app.ingestor.ingest(slowMail(), { source: 'file' });
    expect(first.status).toBe('timeout');
    expect(h.app.quarantine.isQuarantined('lento')).toBe(false);
    expect(await lento()).toMatchObject({ quarantined: false, timeouts: 1 });

    const second = await h.app.ingestor.ingest(slowMail(), { source: 'file' });
    expect(second.status).toBe('timeout');
    expect(h.app.quarantine.isQuarantined('lento')).toBe(true);
    expect(h.logLines.some((l) => l.includes('parser quarantined'))).toBe(true);

    // The same portal's mail, read by the generic extraction: a complete lead, no deadline hit.
    const timeoutsBefore = h.app.workers.stats.timeouts;
    const third = await h.app.ingestor.ingest(slowMail(), { source: 'file' });
    expect(third).toMatchObject({ status: 'lead', outcome: { parser: null, quality: 'bueno', fields: { name: 'Ana Soto' } } });
    const normal = await h.app.ingestor.ingest(normalMail(), { source: 'file' });
    expect(normal).toMatchObject({ status: 'lead', outcome: { quality: 'bueno' } });
    expect(h.app.workers.stats.timeouts).toBe(timeoutsBefore);
  });

  it('parser health shows the quarantine', async () => {
    expect(await lento()).toMatchObject({ quarantined: true, quarantinedSince: expect.stringMatching(/^\d{4}-/), timeouts: 2 });
    const stats = await h.json<{ parserHealth: Record<string, unknown>[] }>('/api/stats');
    expect(stats.parserHealth.find((p) => p.parser === 'lento')).toMatchObject({ quarantined: true });
  });

  it('a reload with the same file keeps it; a changed file lifts it and the parser reads its mail again', async () => {
    await h.app.reload({});
    expect(h.app.quarantine.isQuarantined('lento')).toBe(true);
    fs.writeFileSync(path.join(dir, 'lento.yaml'), FIXED);
    await h.app.reload({});
    expect(h.app.quarantine.isQuarantined('lento')).toBe(false);
    expect(await lento()).toMatchObject({ quarantined: false, timeouts: 0 });
    const again = await h.app.ingestor.ingest(slowMail(), { source: 'file' });
    expect(again).toMatchObject({ status: 'lead', outcome: { parser: 'lento', fields: { name: 'Ana Soto' } } });
  });
});
