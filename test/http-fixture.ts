// Shared set-up for the admin HTTP suites (test/http-*.test.ts, test/admin-page.test.ts): a real
// SQLite file (or a fresh PostgreSQL database with CENTRALIZER_TEST_DB=postgres) with the real
// migrations, emails ingested through the real pipeline, a real server.
import { rows } from './helpers/db-rows.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';
import { io } from '../src/db/port.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import type { MailboxHealth } from '../src/health-report.ts';
import { createAdminServer } from '../src/http/server.ts';
import { Accounts } from '../src/auth/accounts.ts';
import type { CheckGateOptions } from '../src/auth/throttle.ts';
import { rutCheckDigit } from './helpers/lead-mail.ts';

export const TOKEN = 'test-admin-token-0123456789abcdef';
export const DAY = 86_400_000;

/** Chilean RUT with its modulo-11 check digit, computed by the tests independently of src/. */
export const rut = (body: number): string => `${body}-${rutCheckDigit(body)}`;
export const dotted = (r: string) => r.replace(/^(\d{1,2})(\d{3})(\d{3})-/, '$1.$2.$3-');

export interface Person { name?: string; rut?: string; email?: string; phone?: string; project?: string; message?: string }

let seq = 0;
/** A plain-text form email: `Label: value` lines, as web forms and many portals send them. */
export function formEmail(p: Person, opts: { daysAgo?: number; at?: number; from?: string; subject?: string } = {}): Buffer {
  const date = new Date(opts.at ?? Date.now() - (opts.daysAgo ?? 0) * DAY - 60_000);
  const lines = [
    p.name !== undefined && `Nombre: ${p.name}`,
    p.rut !== undefined && `RUT: ${p.rut}`,
    p.email !== undefined && `Email: ${p.email}`,
    p.phone !== undefined && `Teléfono: ${p.phone}`,
    p.project !== undefined && `Proyecto: ${p.project}`,
    `Mensaje: ${p.message ?? 'Quisiera más información'}`,
  ].filter(Boolean);
  return Buffer.from(
    [
      `From: Formulario <${opts.from ?? 'formulario@inmobiliaria-prueba.cl'}>`,
      'To: ventas@inmobiliaria-prueba.cl',
      `Subject: ${opts.subject ?? 'Nuevo contacto desde el sitio'}`,
      `Message-ID: <t${process.pid}-${++seq}-${Date.now()}@inmobiliaria-prueba.cl>`,
      `Date: ${date.toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      ...lines,
      '',
    ].join('\r\n'),
  );
}

export interface Harness {
  app: App;
  base: string;
  dbPath: string;
  logLines: string[];
  mailboxes: MailboxHealth[];
  metrics: ReturnType<typeof createMetrics>;
  close(): Promise<void>;
  /** fetch with the token (unless `token: null`). */
  call(pathname: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  json<T = any>(pathname: string, init?: RequestInit & { token?: string | null }): Promise<T>;
  post(pathname: string, body: unknown, headers?: Record<string, string>, token?: string | null): Promise<Response>;
  /** Creates a user (through the same code as the CLI) and returns a personal API token of theirs. */
  addUser(email: string, role: string, opts?: { name?: string; vendorId?: string; team?: string[]; projects?: string[]; password?: string }): Promise<string>;
  accounts: Accounts;
}

export const PASSWORD = 'correcto-caballo-bateria';

export interface HarnessOptions {
  parsersDir?: string;
  authLimit?: { maxFailures: number; windowMs: number };
  signInDelay?: { free: number; baseDelayMs: number; maxDelayMs: number; windowMs: number; capacity: number };
  /** Caps on password checks; the suites sign in often, so by default they are far away. */
  passwordChecks?: Partial<CheckGateOptions>;
  logLevel?: string;
  /** YAML lines replacing the `projects:` list (e.g. with `vendors:`). */
  projects?: string[];
  /** Extra top-level YAML lines (reassignAfterDays, ...). */
  extraYaml?: string[];
  /** The company's country (default CL). */
  country?: string;
  /** Reuse of /healthz, /metrics and parser health answers (default 0 in tests). */
  cacheMs?: number;
  /** Extra lines inside `admin:` (e.g. '  pollSeconds: 1'). */
  adminYaml?: string[];
  /** The server's clock (ServerDeps.now). */
  now?: () => number;
  /** The storage engine (default: CENTRALIZER_TEST_DB, else sqlite); postgres gets a fresh database on the run's cluster. */
  engine?: 'sqlite' | 'postgres';
  /** Heartbeat of GET /api/events, when the session is checked again (ServerDeps.liveHeartbeatMs). */
  liveHeartbeatMs?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-http-'));
  const dbPath = path.join(dir, 'test.db');
  const engine = opts.engine ?? (process.env.CENTRALIZER_TEST_DB === 'postgres' ? 'postgres' : 'sqlite');
  // In CI a missing PostgreSQL fails the suite with the install hint (helpers/tools.ts), never skips it.
  if (engine === 'postgres') noPostgres();
  const pgDb = engine === 'postgres' ? await createTestDatabase() : null;
  const yaml = [
    `country: ${opts.country ?? 'CL'}`,
    'followUpDays: 5',
    'timezone: America/Santiago',
    'projects:',
    ...(opts.projects ?? ['  - name: Parque Los Robles', '    aliases: [PLR, Edificio Parque Los Robles]', '  - name: Mirador del Valle', '    aliases: [MDV]']),
    ...(opts.extraYaml ?? []),
    `parsersDir: ${JSON.stringify(opts.parsersDir ?? path.resolve('/work/main/parsers'))}`,
    'admin:',
    '  host: 127.0.0.1',
    '  port: 0',
    `  token: ${TOKEN}`,
    ...(opts.adminYaml ?? []),
    ...(pgDb ? ['database:', `  url: ${pgDb.url}`] : []),
  ].join('\n');
  const config = parseConfig(yaml, 'test', {});
  const logLines: string[] = [];
  const log = createLogger(opts.logLevel ?? 'debug', { write: (s: string) => void logLines.push(s) });
  const app = await createApp(config, log, pgDb ? {} : { dbPath });
  const metrics = createMetrics();
  const mailboxes: MailboxHealth[] = [];
  const server = createAdminServer(app, { health: { mailboxes: () => mailboxes }, metrics, log, now: opts.now, authLimit: opts.authLimit ?? { maxFailures: 1000, windowMs: 60_000 }, signInDelay: opts.signInDelay, passwordChecks: opts.passwordChecks ?? { perSecond: 10_000, burst: 10_000, accountPerMinute: 100_000, accountBurst: 10_000 }, cacheMs: opts.cacheMs ?? 0, liveHeartbeatMs: opts.liveHeartbeatMs });
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const accounts = new Accounts(app.reads.users, app.store);
  const call = (pathname: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = TOKEN, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    return fetch(base + pathname, { ...rest, headers });
  };
  return {
    app, base, dbPath, logLines, mailboxes, metrics,
    call,
    async json(pathname, init) {
      const res = await call(pathname, init);
      if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    post: (pathname, body, headers = {}, token?: string | null) =>
      call(pathname, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), ...(token !== undefined ? { token } : {}) }),
    accounts,
    async addUser(email, role, o = {}) {
      const by = { userId: null, actor: 'cli' };
      await accounts.add({ email, role, name: o.name, vendorId: o.vendorId, team: o.team, projects: o.projects, password: o.password ?? PASSWORD }, by);
      return accounts.createToken(email, 'test', by);
    },
    async close() {
      await server.close();
      await app.close();
      await pgDb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The people of the standard data set. Ana writes three times: she is the returning client. */
export const ANA = { name: 'Ana María Rojas', rut: rut(15234567), email: 'ana.rojas@gmail.com', phone: '+56 9 8765 4321' };

export interface Seeded { leadIds: number[]; anaLeadIds: number[]; hostileLeadId: number }

/** Ingests the standard data set: bueno, con_problemas and malo leads, old and recent, one returning client. */
export async function seed(app: App, metrics?: ReturnType<typeof createMetrics>): Promise<Seeded> {
  const leadIds: number[] = [];
  const ingest = async (raw: Buffer) => {
    const started = performance.now();
    const r = await app.ingestor.ingest(raw, { source: 'file' });
    metrics?.onIngest(r, performance.now() - started);
    if (r.leadId) leadIds.push(r.leadId);
    return r;
  };
  const projects = ['Parque Los Robles', 'Mirador del Valle'];
  for (let i = 0; i < 12; i++) {
    await ingest(formEmail({ name: `Cliente Bueno ${String.fromCharCode(65 + i)}lvarez`, rut: rut(10_000_000 + i * 7919), email: `bueno${i}@gmail.com`, phone: `+56 9 8123 45${10 + i}`, project: projects[i % 2] }, { daysAgo: i * 2 }));
  }
  for (let i = 0; i < 8; i++) {
    // No RUT, or a project nobody knows: con_problemas.
    const p: Person = i % 2 ? { name: `Problema Sin Rut ${i}`, email: `problema${i}@hotmail.com`, project: 'Parque Los Robles' } : { name: `Problema Proyecto ${i}`, rut: rut(11_000_000 + i * 104_729), email: `proyecto${i}@yahoo.com`, project: 'Torre Desconocida' };
    await ingest(formEmail(p, { daysAgo: i * 3 + 1 }));
  }
  for (let i = 0; i < 6; i++) await ingest(formEmail({ name: `Malo Sin Contacto ${i}`, message: 'hola' }, { daysAgo: i }));
  const anaLeadIds: number[] = [];
  for (const [p, days] of [
    [{ ...ANA, project: 'Parque Los Robles' }, 20],
    [{ name: ANA.name, email: ANA.email, phone: ANA.phone, project: 'Mirador del Valle' }, 9],
    [{ name: ANA.name, rut: dotted(ANA.rut), email: ANA.email, project: 'Proyecto Inexistente' }, 1],
  ] as [Person, number][]) {
    const r = await ingest(formEmail(p, { daysAgo: days }));
    anaLeadIds.push(r.leadId!);
  }
  // Hostile content in a name: stored as-is (the pipeline's normaliser would trim it), shown as text.
  const hostile = await ingest(formEmail({ name: 'Persona Hostil', message: 'hola' }, { daysAgo: 0 }));
  await app.store.unitOfWork((tx) => io(tx.updateLead(hostile.leadId!, { name: '<script>alert(1)</script><img src=x onerror=alert(2)>', searchName: 'script alert 1 script img src x onerror alert 2' })));
  return { leadIds, anaLeadIds, hostileLeadId: hostile.leadId! };
}

/** A digest of every row the API could change: used to prove a hostile request changed nothing. */
export async function tableDigest(app: App, extraTables: string[] = []): Promise<string> {
  const h = createHash('sha256');
  for (const table of ['leads', 'clients', 'follow_ups', 'actions', 'raw_emails', 'projects', ...extraTables]) {
    for (const row of await rows(app, `SELECT * FROM ${table} ORDER BY id`)) {
      const values = Object.values(row).map((v) => (Buffer.isBuffer(v) ? createHash('sha256').update(v).digest('hex') : v));
      h.update(JSON.stringify(values));
    }
  }
  return h.digest('hex');
}
