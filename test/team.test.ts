// The Embudo's team pictures (GET /api/team) on both engines: speed to first contact per vendor and
// per team (p50, within 1 h / 24 h), leads per week by portal and quality, overdue follow-ups, each
// scoped to the caller. The expected numbers are worked out here from the arrival times we choose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';
import { noPostgres } from './helpers/tools.ts';

const HOUR = 3_600_000;
const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const PROJECTS = [
  `  - name: ${PLR}`, '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}',
  `  - name: ${MDV}`, '    aliases: [MDV]', '    vendors:', '      - {id: v2, name: Hugo Pérez}',
];

interface Run { h: Harness; tokens: Record<string, string>; leads: Record<string, number> }

// Arrival times before "now" (the server's clock): v1 contacts three of four leads after 30 min, 5 h
// and 30 h; v2 contacts one of two after 10 min.
const PLAN: [string, string, number, boolean][] = [
  ['a', PLR, 0.5, true], ['b', PLR, 5, true], ['c', PLR, 30, true], ['d', PLR, 2, false],
  ['e', MDV, 1 / 6, true], ['f', MDV, 3, false],
];

async function prepare(engine: 'sqlite' | 'postgres'): Promise<Run> {
  // The server's clock: yesterday at 11:00 UTC (07:00–08:00 in Santiago), so a follow-up set for the
  // day before at 09:00 local is accepted (a bare date has a day's grace) and overdue whatever the
  // hour this test runs at.
  const today = new Date();
  const now = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 1, 11);
  const h = await startHarness({ engine, projects: PROJECTS, logLevel: 'silent', now: () => now });
  const leads: Record<string, number> = {};
  let n = 0;
  for (const [key, project, hoursAgo] of PLAN) {
    const r = await h.app.ingestor.ingest(formEmail({ name: `Cliente ${key.toUpperCase()}lvarez`, rut: rut(12_000_000 + ++n * 7919), email: `${key}@correo-prueba.cl`, phone: `+56 9 7000 00${10 + n}`, project }, { at: now - hoursAgo * HOUR }), { source: 'file' });
    leads[key] = r.leadId!;
  }
  for (const [key, , , contacted] of PLAN) {
    if (!contacted) continue;
    // A follow-up due yesterday stays open and overdue: one per contacted lead.
    const res = await h.post(`/api/leads/${leads[key]}/follow-up`, { expectation: 'media', contactType: 'llamada', recontactAt: new Date(now - 24 * HOUR).toISOString().slice(0, 10) });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  const tokens = {
    admin: await h.addUser('admin@x.cl', 'admin'),
    gerente: await h.addUser('gerente@x.cl', 'gerente', { projects: [MDV] }),
    supervisor: await h.addUser('super@x.cl', 'supervisor', { name: 'Sara Supervisora', team: ['v1'] }),
    vendedor: await h.addUser('hugo@x.cl', 'vendedor', { vendorId: 'v2' }),
  };
  return { h, tokens, leads };
}

describe.each(['sqlite', 'postgres'] as const)('GET /api/team on %s', (engine) => {
  let run: Run;
  beforeAll(async () => {
    if (engine === 'postgres' && noPostgres()) return;
    run = await prepare(engine);
  });
  afterAll(() => run?.h.close());
  const skip = () => engine === 'postgres' && !process.env.CENTRALIZER_TEST_PG_URL;

  it('speed to first contact per vendor, for the whole scope and per team', async () => {
    if (skip()) return;
    const t = await run.h.json('/api/team', { token: run.tokens.admin });
    const v1 = t.contactSpeed.vendors.find((v: { vendorId: string }) => v.vendorId === 'v1');
    // v1: 4 leads, 3 contacted after 30 min, 5 h, 30 h: median 5 h; within 1 h one of four, within 24 h two.
    expect(v1).toMatchObject({ name: 'Vera Díaz', leads: 4, contacted: 3, within1h: 1, within24h: 2, share1h: 0.25, share24h: 0.5, p50Minutes: 300 });
    const v2 = t.contactSpeed.vendors.find((v: { vendorId: string }) => v.vendorId === 'v2');
    expect(v2).toMatchObject({ name: 'Hugo Pérez', leads: 2, contacted: 1, within1h: 1, within24h: 1, p50Minutes: 10 });
    // Everyone: delays 10 min, 30 min, 5 h, 30 h: the lower median is 30 min.
    expect(t.contactSpeed.all).toMatchObject({ leads: 6, contacted: 4, within1h: 2, within24h: 3, p50Minutes: 30 });
    expect(t.contactSpeed.teams).toEqual([expect.objectContaining({ name: 'Sara Supervisora', vendors: 1, leads: 4, p50Minutes: 300 })]);
    expect(t.overdueFollowUps).toEqual([{ vendorId: 'v1', name: 'Vera Díaz', n: 3 }, { vendorId: 'v2', name: 'Hugo Pérez', n: 1 }]);
  });

  it('leads per week by portal and by quality add up to the leads of the period', async () => {
    if (skip()) return;
    const t = await run.h.json('/api/team', { token: run.tokens.admin });
    const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);
    expect(sum(t.weeklyByPortal)).toBe(6);
    expect(sum(t.weeklyByQuality)).toBe(6);
    expect(t.weeklyByQuality.every((r: { key: string }) => r.key === 'bueno')).toBe(true);
    for (const r of t.weeklyByPortal) expect(new Date(`${r.week}T00:00:00Z`).getUTCDay(), r.week).toBe(1); // weeks start on Monday
  });

  it('each caller sees only their scope', async () => {
    if (skip()) return;
    const vendor = await run.h.json('/api/team', { token: run.tokens.vendedor });
    expect(vendor.contactSpeed.vendors.map((v: { vendorId: string }) => v.vendorId)).toEqual(['v2']);
    expect(vendor.contactSpeed.teams).toEqual([]);
    expect(vendor.overdueFollowUps.map((v: { vendorId: string }) => v.vendorId)).toEqual(['v2']);
    expect(JSON.stringify(vendor)).not.toContain('v1');
    const sup = await run.h.json('/api/team', { token: run.tokens.supervisor });
    expect(sup.contactSpeed.vendors.map((v: { vendorId: string }) => v.vendorId)).toEqual(['v1']);
    expect(sup.contactSpeed.all.leads).toBe(4);
    const ger = await run.h.json('/api/team', { token: run.tokens.gerente });
    expect(ger.contactSpeed.vendors.map((v: { vendorId: string }) => v.vendorId)).toEqual(['v2']);
    // The supervisor's team (v1, PLR) has no lead in the gerente's project: no team row.
    expect(ger.contactSpeed.teams).toEqual([]);
    expect(ger.weeklyByPortal.reduce((s: number, r: { n: number }) => s + r.n, 0)).toBe(2);
  });
});
