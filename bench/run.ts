// `npm run bench [-- --quick]`: speed to lead, backlog throughput and query speed, each beside the
// physical limits of this machine measured in the same run. Writes bench/results/latest.json.
import { execFileSync, spawn } from 'node:child_process';
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { parseConfig } from '../src/config.ts';
import { startDovecot, dovecotAvailable, type Dovecot } from '../test/helpers/dovecot.ts';
import { startSmtp } from '../test/helpers/smtp-receiver.ts';
import { BENCH_PROJECTS, leadEmail, rng } from './generate.ts';
import { extractionOnly, mailparserOnly, sqliteInsertOnly } from './stages.ts';
import { buildQueryDb } from './query-db.ts';
import { addInteractions } from './funnel-db.ts';
import { REPO, daemonNodeFlags, startDaemonProcess, type DaemonCpu } from './daemon-process.ts';
import { probeApi } from './api-probe.ts';
import { memory } from './memory.ts';
import { intakeBench } from './intake.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { postgresEngine, sqliteEngine, type BenchEngine } from './engine.ts';

const quick = process.argv.includes('--quick');
// `--only backlog` (or latency, queries) runs one part, for a look at one number; no results file.
// BENCH_KEEP=1 keeps the working directory (the daemons' logs, e.g. with BENCH_NODE_FLAGS=--trace-gc).
// BENCH_BATCH=N sets the backlog daemon's daemon.batchSize (emails per IMAP batch; default 200).
// BENCH_THREADS=1 prints the CPU time of each of the backlog daemon's threads besides the main one.
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : null;
// `--workers N`: the backlog's pool size (default: the daemon's own, cores - 1).
const workersArg = process.argv.indexOf('--workers');
const WORKERS = workersArg > 0 ? Number(process.argv[workersArg + 1]) : Math.max(1, os.availableParallelism() - 1);
// `--db postgres://…`: the same parts on PostgreSQL (a database the bench may wipe); `--db postgres`:
// on a throwaway cluster the bench starts, as the tests do; SQLite otherwise.
const dbArg = process.argv.indexOf('--db');
const DB_ARG = dbArg > 0 ? process.argv[dbArg + 1] : null;
if (DB_ARG !== null && DB_ARG !== 'postgres' && !/^postgres(ql)?:\/\//.test(DB_ARG)) throw new Error(`--db: "${DB_ARG}" is not postgres or a postgres:// URL`);
let engine: BenchEngine;
const SIZES = quick ? { latency: 30, backlog: 2_000, leads: 150_000, reps: 5 } : { latency: 200, backlog: 10_000, leads: 1_000_000, reps: 15 };
const say = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : 0;
};

const projectsYaml = BENCH_PROJECTS.map((name) => ({ name, aliases: [] as string[] }));
const mailbox = (dc: Dovecot, user: string) => ({ name: user.split('@')[0], host: '127.0.0.1', port: dc.port, secure: false, user, password: 'secret', folder: 'INBOX' });
const imap = (dc: Dovecot, user: string) => new ImapFlow({ host: '127.0.0.1', port: dc.port, secure: false, auth: { user, pass: 'secret' }, logger: false });

async function latency(dc: Dovecot, dir: string) {
  say(`latency: ${SIZES.latency} emails appended one at a time, daemon idle in IMAP IDLE; each lead's vendor is emailed (SMTP on loopback)`);
  // Each project has one vendor: every lead is assigned and its vendor emailed; the time to the
  // SMTP server's acceptance of that email is notify (APPEND -> SMTP accepted).
  const smtp = await startSmtp();
  const accepted: number[] = [];
  smtp.events.on('mail', () => accepted.push(performance.now()));
  const withVendors = projectsYaml.map((p, i) => ({ ...p, vendors: [{ id: `v${i}`, name: `Vendedor ${i}`, email: `vendedor${i}@bench.local` }] }));
  const smtpConfig = { host: '127.0.0.1', port: smtp.port, secure: false, from: 'Centralizador <leads@bench.local>' };
  const d = await startDaemonProcess(dir, { projects: withVendors, smtp: smtpConfig, mailboxes: [mailbox(dc, 'lead@test.local')], database: await engine.fresh('latency') }, path.join(dir, 'latency.log'));
  const floorClient = imap(dc, 'lead@test.local');
  const appender = imap(dc, 'lead@test.local');
  await floorClient.connect();
  await appender.connect();
  await floorClient.mailboxOpen('INBOX');
  let notified: (() => void) | null = null;
  // The floor client behaves like any client that acts on a notification: it answers the EXISTS
  // (a NOOP) and idles again, so Dovecot's idle-check timer has the same phase as for the daemon.
  floorClient.on('exists', () => {
    notified?.();
    setImmediate(() => void floorClient.noop().then(() => floorClient.idle()).catch(() => undefined));
  });
  const total = async () => ((await (await d.api('/api/stats')).json()) as { total: number }).total;
  // Wait for the daemon's mailbox to be idle.
  for (let i = 0; i < 200; i++) {
    const h = (await (await fetch(`http://127.0.0.1:${d.port}/healthz`)).json()) as { mailboxes?: { state: string }[] };
    if (h.mailboxes?.[0]?.state === 'idle') break;
    await sleep(50);
  }
  const e2e: number[] = [];
  const floor: number[] = [];
  const notify: number[] = [];
  const random = rng(3);
  let seen = await total();
  floorClient.idle().catch(() => undefined); // imapflow idles on its own only after 15 s
  await sleep(200);
  for (let i = 0; i < SIZES.latency; i++) {
    await sleep(100);
    const mail = leadEmail(100_000 + i, random, 'lat').raw;
    const gotFloor = new Promise<number>((resolve) => (notified = () => resolve(performance.now())));
    const t0 = performance.now();
    await appender.append('INBOX', mail);
    let tLead = 0;
    for (;;) {
      if ((await total()) > seen) { tLead = performance.now(); break; }
      if (performance.now() - t0 > 10_000) throw new Error('lead not visible within 10 s');
      await sleep(5);
    }
    seen++;
    const tFloor = await Promise.race([gotFloor, sleep(5000).then(() => NaN)]);
    e2e.push(tLead - t0);
    if (!Number.isNaN(tFloor)) floor.push(tFloor - t0);
    // The vendor's email: the (i+1)th accepted by the SMTP server.
    while (accepted.length <= i && performance.now() - t0 < 10_000) await sleep(5);
    if (accepted.length > i) notify.push(accepted[i] - t0);
    if ((i + 1) % 10 === 0) say(`  ${i + 1}/${SIZES.latency}  p50 ${pct(e2e, 50)} ms  floor p50 ${pct(floor, 50)} ms  notify p50 ${pct(notify, 50)} ms`);
  }
  await smtp.close();
  await floorClient.logout().catch(() => undefined);
  await appender.logout().catch(() => undefined);
  await d.stop();
  return { samples: e2e.length, p50Ms: pct(e2e, 50), p95Ms: pct(e2e, 95), p99Ms: pct(e2e, 99), floorP50Ms: pct(floor, 50), floorP95Ms: pct(floor, 95), notify: { samples: notify.length, p50Ms: pct(notify, 50), p95Ms: pct(notify, 95) } };
}

async function backlog(dc: Dovecot, dir: string) {
  const n = SIZES.backlog;
  say(`backlog: ${n} emails waiting when the daemon starts`);
  const random = rng(11);
  const mails = Array.from({ length: n }, (_, i) => leadEmail(i, random, 'backlog').raw);
  dc.seedMaildir('lead2@test.local', mails);
  const config = parseConfig(JSON.stringify({ projects: projectsYaml, parsersDir: path.join(REPO, 'parsers') }), 'bench', {});
  say('  stage limits: imapflow FETCH, mailparser, extraction, SQLite insert');
  const fetchClient = imap(dc, 'lead2@test.local');
  await fetchClient.connect();
  await fetchClient.mailboxOpen('INBOX');
  let t = performance.now();
  let fetched = 0;
  for await (const m of fetchClient.fetch('1:*', { uid: true, source: true, internalDate: true })) if (m.source) fetched++;
  const fetchOnly = Math.round((fetched / (performance.now() - t)) * 1000);
  await fetchClient.logout();
  const parseOnly = await mailparserOnly(mails);
  const extractOnly = await extractionOnly(mails, config);
  const insertOnly = await sqliteInsertOnly(mails, config, path.join(dir, 'insert-only.db'));
  say(`  fetch ${fetchOnly}/s, mailparser ${parseOnly}/s, extraction ${extractOnly}/s, insert ${insertOnly}/s`);
  say('  the whole pipeline and the outcome commit, one thread, with the daemon\'s flags');
  const whole = await wholeStages(mails, dir, { projects: projectsYaml, parsersDir: path.join(REPO, 'parsers'), database: await engine.fresh('whole') });
  say(`  pipeline ${whole.pipeline}/s, commit ${whole.commit}/s`);
  t = performance.now();
  const d = await startDaemonProcess(dir, { projects: projectsYaml, mailboxes: [mailbox(dc, 'lead2@test.local')], database: await engine.fresh('backlog'), workers: { size: WORKERS }, ...(process.env.BENCH_BATCH ? { daemon: { batchSize: Number(process.env.BENCH_BATCH) } } : {}) }, path.join(dir, 'backlog.log'));
  const cpuBefore = d.cpu();
  // One manager's page asking the API in turn during the whole backlog.
  const probe = probeApi(d, pct);
  let done = 0;
  for (;;) {
    done = (await engine.count('backlog', "select count(*) n from raw_emails where status <> 'pending'")) ?? 0;
    if (done >= n) break;
    if (performance.now() - t > 600_000) throw new Error(`backlog not done after 10 min (${done}/${n})`);
    await sleep(100);
  }
  const peakRssMb = d.peakRssMb();
  const cpu = cpuPerEmail(cpuBefore, d.cpu(), n, WORKERS);
  const api = await probe.stop();
  await d.stop();
  const spanMs = (await engine.count('backlog', 'select max(processed_at) - min(stored_at) n from raw_emails')) ?? 0;
  const leads = (await engine.count('backlog', 'select count(*) n from leads')) ?? 0;
  const msgsPerSec = Math.round((n / Math.max(1, spanMs)) * 1000);
  say(`  end to end ${msgsPerSec}/s (${leads} leads) with ${WORKERS} worker(s), peak RSS ${peakRssMb} MB`);
  say(`  CPU per email: ${cpu.totalMs} ms in all: main thread ${cpu.mainMs}, pipeline worker(s) ${cpu.workersMs}, other threads (V8's background threads, WAL guard, libuv) ${cpu.otherMs}`);
  say(`  API during the backlog: p50 ${api.p50Ms} ms, p95 ${api.p95Ms} ms, max ${api.maxMs} ms (${api.requests} requests, ${api.failures} failed)`);
  // The one-core bound of its own stages: one thread doing FETCH, mailparser, extraction and insert in turn.
  const oneCoreBound = Math.round(1 / (1 / fetchOnly + 1 / parseOnly + 1 / extractOnly + 1 / insertOnly));
  say(`  one-core bound of the stages ${oneCoreBound}/s: end to end is ${(msgsPerSec / oneCoreBound).toFixed(2)} of it`);
  // The same bound with every stage the daemon runs: the whole pipeline instead of mailparser and
  // extraction alone, and the outcome commit beside the raw insert.
  const wholeBound = Math.round(1 / (1 / fetchOnly + 1 / whole.pipeline + 1 / insertOnly + 1 / whole.commit));
  say(`  one-core bound of every stage ${wholeBound}/s: end to end is ${(msgsPerSec / wholeBound).toFixed(2)} of it`);
  return { messages: n, leads, workers: WORKERS, msgsPerSec, apiDuringBacklog: api, parseOnlyMsgsPerSec: parseOnly, fetchOnlyMsgsPerSec: fetchOnly, extractOnlyMsgsPerSec: extractOnly, sqliteInsertOnlyMsgsPerSec: insertOnly, ratio: Math.round((msgsPerSec / parseOnly) * 100) / 100, oneCoreBoundMsgsPerSec: oneCoreBound, boundRatio: Math.round((msgsPerSec / oneCoreBound) * 100) / 100, pipelineOnlyMsgsPerSec: whole.pipeline, commitOnlyMsgsPerSec: whole.commit, wholeOneCoreBoundMsgsPerSec: wholeBound, wholeBoundRatio: Math.round((msgsPerSec / wholeBound) * 100) / 100, peakRssMb, cpuMsPerEmail: cpu };
}

/**
 * The daemon's CPU time per email over the backlog, by thread: steadier than a rate on a shared
 * machine (another tenant's load slows the clock, not the work). The busiest `workers` threads
 * other than the main one are the pipeline workers. The API probe's requests are in the main thread's share.
 */
function cpuPerEmail(before: DaemonCpu, after: DaemonCpu, emails: number, workers: number) {
  const per = (ms: number) => Math.round((ms / emails) * 100) / 100;
  const spent = [...after.threadsMs].map(([tid, ms]) => ms - (before.threadsMs.get(tid) ?? 0)).sort((a, b) => b - a);
  if (process.env.BENCH_THREADS) say(`  threads (ms): ${spent.join(' ')}`);
  const workersMs = spent.slice(0, workers).reduce((a, b) => a + b, 0);
  const mainMs = after.mainMs - before.mainMs;
  const totalMs = after.totalMs - before.totalMs;
  return { totalMs: per(totalMs), mainMs: per(mainMs), workersMs: per(workersMs), otherMs: per(totalMs - mainMs - workersMs) };
}

/** bench/whole-stages.ts, bundled like the daemon and run in a child process with its flags. */
async function wholeStages(mails: Buffer[], dir: string, config: Record<string, unknown>): Promise<{ pipeline: number; commit: number }> {
  // Beside the daemon's bundle, where its packages resolve.
  const script = path.join(REPO, 'dist/bench-whole-stages.mjs');
  await build({ entryPoints: [path.join(REPO, 'bench/whole-stages.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  const file = path.join(dir, 'whole-stages.mails');
  fs.writeFileSync(file, Buffer.concat(mails.flatMap((m) => [Buffer.from(Uint32Array.of(m.length).buffer), m])));
  const child = spawn(process.execPath, [...daemonNodeFlags(), script, file, JSON.stringify(config)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`whole-stages exited with ${code}`);
  // The last JSON line: V8's --trace-* flags print to stdout too.
  return JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { pipeline: number; commit: number };
}

async function queries(dir: string) {
  const n = SIZES.leads;
  say(`queries: building a database of ${n.toLocaleString()} leads`);
  const db = path.join(dir, 'queries.db');
  const info = buildQueryDb(db, n, BENCH_PROJECTS, (done) => done % 200_000 === 0 && say(`  ${done.toLocaleString()} leads`));
  const interactions = Math.round(n / 5);
  say(`  ${interactions.toLocaleString()} interactions (cotizaciones, separaciones, minutas, desembolsos)`);
  addInteractions(db, interactions);
  const database = await engine.adopt('queries', db, say);
  const d = await startDaemonProcess(dir, { projects: projectsYaml, mailboxes: [], database }, path.join(dir, 'queries.log'));
  // An export of about 10,000 rows: one project over the days that hold that many of its leads.
  const r = new Database(db, { readonly: true });
  const pid = (r.prepare('select id from projects where name = ?').get(info.project) as { id: number }).id;
  const from = (r.prepare('select received_at t from leads where project_id = ? order by received_at desc limit 1 offset 9999').get(pid) as { t: number } | undefined)?.t ?? 0;
  r.close();
  const time = async (name: string, url: string) => {
    const ms: number[] = [];
    let status = 0;
    for (let i = 0; i <= SIZES.reps; i++) {
      const t = performance.now();
      const res = await d.api(url);
      await res.arrayBuffer();
      status = res.status;
      if (i > 0) ms.push(performance.now() - t);
    }
    if (status !== 200) throw new Error(`${name}: HTTP ${status} for ${url}`);
    say(`  ${name}: median ${pct(ms, 50)} ms, p95 ${pct(ms, 95)} ms`);
    return { median: pct(ms, 50), p95: pct(ms, 95) };
  };
  const project = encodeURIComponent(info.project);
  const out = {
    stats: await time('stats', '/api/stats'),
    statsFiltered: await time('stats project+date', `/api/stats?project=${project}&from=${info.from}&to=${info.to}`),
    list: await time('list first page, filtered', `/api/leads?quality=bueno&status=por_contactar&limit=50`),
    searchRut: await time('search by RUT', `/api/leads?q=${encodeURIComponent(info.sampleRut.replace(/(\d)(?=(\d{3})+-)/g, '$1.'))}`),
    searchEmail: await time('search by email', `/api/leads?q=${encodeURIComponent(info.sampleEmail)}`),
    // The commonest surname (1 lead in 8), two words in any order, a domain and the last digits of a phone.
    searchSurname: await time('search, commonest surname', `/api/leads?q=${encodeURIComponent('gonzalez')}`),
    searchTwoWords: await time('search, two words any order', `/api/leads?q=${encodeURIComponent('gonzalez maria')}`),
    searchDomain: await time('search, email domain', `/api/leads?q=${encodeURIComponent('@correo.cl')}`),
    searchDigits: await time('search, last phone digits', `/api/leads?q=${encodeURIComponent('4321')}`),
    funnel: await time('funnel, period', `/api/funnel?from=${info.from}&to=${info.to}`),
    funnelFiltered: await time('funnel, project + portal + period', `/api/funnel?project=${project}&parser=toctoc&from=${info.from}&to=${info.to}`),
  };
  const exportTimes: number[] = [];
  let rows = 0;
  for (let i = 0; i < Math.min(3, SIZES.reps); i++) {
    const t = performance.now();
    const res = await d.api(`/api/leads/export.xlsx?project=${project}&from=${new Date(from).toISOString()}`);
    const buf = Buffer.from(await res.arrayBuffer());
    exportTimes.push(performance.now() - t);
    rows = Number(res.headers.get('x-rows') ?? 0) || rows;
    if (res.status !== 200 || buf.length < 1000) throw new Error(`export failed: HTTP ${res.status}`);
  }
  say(`  export.xlsx (~10,000 rows): median ${pct(exportTimes, 50)} ms`);
  await d.stop();
  return {
    leads: n,
    statsMs: out.stats.median, statsP95Ms: out.stats.p95,
    statsFilteredMs: out.statsFiltered.median, statsFilteredP95Ms: out.statsFiltered.p95,
    listMs: out.list.median, listP95Ms: out.list.p95,
    searchMs: Math.max(out.searchRut.median, out.searchEmail.median), searchRutMs: out.searchRut.median, searchEmailMs: out.searchEmail.median,
    searchNameWorstMs: Math.max(out.searchSurname.median, out.searchTwoWords.median, out.searchDomain.median, out.searchDigits.median),
    exportMs: pct(exportTimes, 50), exportRows: rows || 10_000,
    interactions, funnelMs: out.funnel.median, funnelP95Ms: out.funnel.p95, funnelFilteredMs: out.funnelFiltered.median, funnelFilteredP95Ms: out.funnelFiltered.p95,
  };
}

function memoryPart(dc: Dovecot, dir: string) {
  say('memory: RSS with 1 and 2 pipeline workers, and one 24 MB email with 1 worker');
  const config = async (user: string, workers: number) => ({ projects: projectsYaml, mailboxes: [mailbox(dc, user)], database: await engine.fresh(user.split('@')[0]), workers: { size: workers } });
  return memory(dc, dir, config, say);
}

/** Form posts to the intake listener from 200 concurrent clients (p99 < 50 ms under load, see intake.ts). */
const intakePart = async (dir: string) => intakeBench(dir, { clients: 200, total: quick ? 1_000 : 5_000, database: await engine.fresh('intake') }, say);

function table(r: Record<string, any>): string {
  const rows: [string, string, string][] = [
    ['Speed to lead p50 / p95 / p99', `${r.latency.p50Ms} / ${r.latency.p95Ms} / ${r.latency.p99Ms} ms`, `p50 ≤ floor + 200 ms (floor p50 ${r.latency.floorP50Ms} ms); p99 < 2000 ms`],
    ['APPEND → vendor email accepted (notify) p50 / p95', `${r.latency.notify.p50Ms} / ${r.latency.notify.p95Ms} ms`, `≤ floor + 300 ms (${Math.round(r.latency.floorP50Ms + 300)} ms)`],
    ['Backlog end to end', `${r.backlog.msgsPerSec} msg/s (${r.backlog.messages})`, `≥ 0.9 of the one-core bound of its stages: ${r.backlog.oneCoreBoundMsgsPerSec} msg/s (ratio ${r.backlog.boundRatio})`],
    ['Stage limits', `FETCH ${r.backlog.fetchOnlyMsgsPerSec}, mailparser ${r.backlog.parseOnlyMsgsPerSec}, extract ${r.backlog.extractOnlyMsgsPerSec}, insert ${r.backlog.sqliteInsertOnlyMsgsPerSec} msg/s`, ''],
    ['Every stage, one thread, daemon flags', `whole pipeline ${r.backlog.pipelineOnlyMsgsPerSec}, outcome commit ${r.backlog.commitOnlyMsgsPerSec} msg/s: bound ${r.backlog.wholeOneCoreBoundMsgsPerSec} msg/s (ratio ${r.backlog.wholeBoundRatio})`, ''],
    ['Backlog CPU per email (daemon)', `${r.backlog.cpuMsPerEmail.totalMs} ms: main thread ${r.backlog.cpuMsPerEmail.mainMs}, pipeline worker ${r.backlog.cpuMsPerEmail.workersMs}, other threads ${r.backlog.cpuMsPerEmail.otherMs}`, ''],
    ['API during the backlog p50 / p95', `${r.backlog.apiDuringBacklog.p50Ms} / ${r.backlog.apiDuringBacklog.p95Ms} ms (max ${r.backlog.apiDuringBacklog.maxMs})`, ''],
    [`Peak RSS (backlog, ${r.backlog.workers} worker)`, `${r.backlog.peakRssMb} MB`, '< 150 MB'],
    ['RSS per pipeline worker', `${r.memory.rssPerWorkerMb} MB (1 worker ${r.memory.rssOneWorkerMb} MB, 2 workers ${r.memory.rssTwoWorkersMb} MB)`, ''],
    [`Peak RSS, one ${r.memory.bigEmailMb} MB email`, `${r.memory.peakBeforeBigMb} → ${r.memory.peakAfterBigMb} MB`, '< 200 MB'],
    [`Stats, ${r.queries.leads.toLocaleString()} leads`, `${r.queries.statsMs} ms (p95 ${r.queries.statsP95Ms})`, '< 50 ms'],
    ['Stats, project + dates', `${r.queries.statsFilteredMs} ms (p95 ${r.queries.statsFilteredP95Ms})`, '< 50 ms'],
    ['List, first page filtered', `${r.queries.listMs} ms (p95 ${r.queries.listP95Ms})`, '< 20 ms'],
    ['Search by RUT / email', `${r.queries.searchRutMs} / ${r.queries.searchEmailMs} ms`, '< 20 ms'],
    ['Export .xlsx, ~10,000 rows', `${r.queries.exportMs} ms`, '< 2000 ms'],
    [`Funnel, period (${r.queries.interactions.toLocaleString()} interactions)`, `${r.queries.funnelMs} ms (p95 ${r.queries.funnelP95Ms})`, '< 50 ms'],
    ['Intake form posts, 200 clients at saturation', `${r.intake.rps} req/s, p50 ${r.intake.p50Ms} / p99 ${r.intake.p99Ms} ms`, '(latency = clients / throughput)'],
    ['Intake form posts, 200 clients each once a second', `${r.intake.underLoad.rps} req/s, p50 ${r.intake.underLoad.p50Ms} / p99 ${r.intake.underLoad.p99Ms} ms`, 'p99 < 50 ms'],
    ['Funnel, project + portal + period', `${r.queries.funnelFilteredMs} ms (p95 ${r.queries.funnelFilteredP95Ms})`, '< 50 ms'],
  ];
  return ['| measure | result | target |', '|---|---|---|', ...rows.map((x) => `| ${x.join(' | ')} |`)].join('\n');
}

async function main() {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  // The daemons run the bundle, as an install does (bin/centralizer.js would fall back to tsx
  // whenever a source file is newer than dist/).
  execFileSync(process.execPath, [path.join(REPO, 'scripts/build.js')], { stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-bench-'));
  // A server's cache, not the tests' 64MB: at 1M leads the search index and the leads table are read from it.
  const cluster = DB_ARG === 'postgres' ? await startPostgres({ sharedBuffers: '512MB' }) : null;
  engine = cluster ? postgresEngine(cluster.url) : DB_ARG ? postgresEngine(DB_ARG) : sqliteEngine(dir);
  const started = Date.now();
  const users = ['lead', 'lead2', 'mem1', 'mem2', 'membig'].map((u) => ({ user: `${u}@test.local`, password: 'secret' }));
  const dc = await startDovecot({ users });
  try {
    if (only) {
      const part = only === 'latency' ? await latency(dc, dir) : only === 'backlog' ? await backlog(dc, dir) : only === 'queries' ? await queries(dir) : only === 'memory' ? await memoryPart(dc, dir) : only === 'intake' ? await intakePart(dir) : null;
      if (!part) throw new Error(`--only: "${only}" is not latency, backlog, queries or memory`);
      process.stdout.write(`${JSON.stringify(part, null, 2)}\n`);
      return;
    }
    const result = {
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}`, date: new Date().toISOString(), mode: quick ? 'quick' : 'full', engine: engine.name },
      latency: await latency(dc, dir),
      backlog: await backlog(dc, dir),
      queries: await queries(dir),
      memory: await memoryPart(dc, dir),
      intake: await intakePart(dir),
      durationSec: 0,
    };
    result.durationSec = Math.round((Date.now() - started) / 1000);
    fs.mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
    // PostgreSQL's results sit beside SQLite's: latest-postgres.json, full-postgres.json.
    const suffix = engine.name === 'postgres' ? '-postgres' : '';
    fs.writeFileSync(path.join(REPO, `bench/results/latest${suffix}.json`), `${JSON.stringify(result, null, 2)}\n`);
    if (!quick) fs.writeFileSync(path.join(REPO, `bench/results/full${suffix}.json`), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`\n${table(result)}\n\nmachine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memoryGb} GB, Node ${result.machine.node}; ${result.durationSec} s (${result.machine.mode})\n`);
  } finally {
    await engine.close();
    await cluster?.stop();
    await dc.destroy();
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
