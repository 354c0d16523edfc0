// The Embudo's team pictures at a million leads (SQLite): speed to first contact per vendor and for
// everyone, leads per week by portal and quality, overdue follow-ups, each timed as GET /api/team
// runs them (a 12-week period, and the whole two years). Standalone, so it can run beside the main
// bench: `node bin/run-ts.js bench/team-queries.ts [leads]` (default 1,000,000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { FULL_SCOPE } from '../src/db/scope.ts';
import { TeamQueries } from '../src/db/sqlite/team-queries.ts';
import { BENCH_PROJECTS, rng } from './generate.ts';
import { buildQueryDb } from './query-db.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const n = Number(process.argv[2] ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-team-'));
const file = path.join(dir, 'team.db');

let t = performance.now();
const info = buildQueryDb(file, n, BENCH_PROJECTS);
console.error(`built ${n} leads in ${((performance.now() - t) / 1000).toFixed(0)} s`);

// Owners (ten vendors) and first contacts: the contacted leads get a follow_up action minutes to days
// after arrival, and an open follow-up (some past due) as the page would leave them.
t = performance.now();
const db = openDatabase(file).$client;
db.pragma('synchronous = OFF');
const vendors = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
const insVendor = db.prepare("insert into vendors (id, name, type, active) values (?, ?, 'lp', 1)");
for (const v of vendors) insVendor.run(v, `Vendedor ${v}`);
db.exec(`update leads set owner_vendor_id = 'v' || (id % 10 + 1)`);
const random = rng(7);
const insAction = db.prepare("insert into actions (lead_id, client_id, actor, action, data, at) values (?, ?, 'bench', 'follow_up', '{}', ?)");
const insFollowUp = db.prepare("insert into follow_ups (client_id, lead_id, project_id, action, status, due_at, created_by, created_at) values (?, ?, ?, 'continuar', 'open', ?, 'bench', ?)");
const contacted = db.prepare("select id, client_id AS clientId, project_id AS projectId, received_at AS at from leads where contact_state in ('contactado', 'abortado')").all() as { id: number; clientId: number | null; projectId: number | null; at: number }[];
db.transaction(() => {
  for (const l of contacted) {
    // Delays from minutes to days: half within the hour, most within the day.
    const delay = random() < 0.5 ? random() * HOUR : random() < 0.7 ? random() * 24 * HOUR : random() * 10 * DAY;
    insAction.run(l.id, l.clientId, Math.floor(l.at + delay));
    if (l.clientId !== null) insFollowUp.run(l.clientId, l.id, l.projectId, Math.floor(l.at + delay + 5 * DAY), Math.floor(l.at + delay));
  }
})();
db.exec('analyze');
db.close();
console.error(`owners, ${contacted.length} contacts and follow-ups in ${((performance.now() - t) / 1000).toFixed(0)} s`);

const reads = new TeamQueries(openDatabase(file).$client);
const end = Date.UTC(2026, 10, 1);
const now = end;
const periods = { '12 weeks': { from: end - 84 * DAY, to: end }, '2 years': { from: end - 730 * DAY, to: end } };
const scopes = { all: FULL_SCOPE, vendor: { vendorIds: ['v3'], projectIds: null }, team: { vendorIds: ['v1', 'v2', 'v3'], projectIds: null } };

async function time(label: string, fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  const median = Math.round(ms[Math.floor(runs / 2)]);
  console.log(`${label.padEnd(58)} ${String(median).padStart(6)} ms`);
  return median;
}

const out: Record<string, number> = {};
for (const [p, range] of Object.entries(periods)) {
  for (const [s, scope] of Object.entries(scopes)) {
    const filter = { ...range, scope };
    out[`speed per vendor, ${p}, ${s}`] = await time(`speed to first contact per vendor, ${p}, scope ${s}`, () => reads.contactSpeed(filter, now, false));
    out[`speed all, ${p}, ${s}`] = await time(`speed to first contact, one row, ${p}, scope ${s}`, () => reads.contactSpeed(filter, now, true));
    out[`weekly, ${p}, ${s}`] = await time(`leads per week by portal, ${p}, scope ${s}`, () => reads.weekly(filter, 'parser', now));
  }
}
out['overdue, all'] = await time('overdue follow-ups per vendor, scope all', () => reads.overdueFollowUps(FULL_SCOPE, now));
out['overdue, vendor'] = await time('overdue follow-ups per vendor, scope vendor', () => reads.overdueFollowUps(scopes.vendor, now));
console.log(JSON.stringify({ leads: n, contacts: contacted.length, from: info.from, ms: out }));
fs.rmSync(dir, { recursive: true, force: true });
