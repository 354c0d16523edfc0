import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, counts } from './helpers/daemon-env.ts';
import { rut } from './helpers/mail.ts';
import { main } from '../src/cli/main.ts';

/**
 * The attack on acknowledged intake leads, in real child processes: N posts each answered 202, the
 * -wal file deleted and the daemon killed -9 at once; a restart must have every acknowledged lead.
 * Then a restore to a backup older than some acknowledged leads: the next start has them all.
 * Everything waits on an event (an answer, a log line, the child's exit), never on a sleep.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-durable-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (!process.env.TEST_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
});

function env(name: string) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const db = path.join(dir, 'centralizer.db');
  const file = path.join(dir, 'centralizer.yaml');
  fs.writeFileSync(
    file,
    stringify({
      country: 'CL',
      projects: [{ name: 'Parque Los Robles', aliases: ['PLR'] }],
      parsersDir: path.join(REPO, 'parsers'),
      admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789abcdef012345' },
      database: { path: db },
      log: { level: 'info' },
      workers: { size: 1 },
      intake: { host: '127.0.0.1', port: 0, ratePerMinute: 100_000, forms: [{ id: 'contacto', key: 'key-contacto-1234', project: 'Parque Los Robles' }] },
    }),
  );
  return { dir, db, file };
}

interface Running {
  child: ChildProcess;
  url: string;
  /** Resolves when the daemon logged "daemon started" (the previous run's pending rows are processed). */
  started: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `centralizer run` in a child; resolves once the intake listener's URL is in its log. */
function start(e: { db: string; file: string }): Promise<Running> {
  const child = spawn(process.execPath, ['bin/centralizer.js', 'run', '--config', e.file, '--db', e.db], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  let scanned = 0;
  let onStarted = () => {};
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no intake listener in the log: ${out}`)), 30_000);
    const read = (d: Buffer) => {
      out += d.toString();
      if (/"msg":"daemon started"/.test(out)) onStarted();
      const complete = out.lastIndexOf('\n') + 1; // whole lines only: a chunk may end mid-line
      for (const m of out.slice(scanned, complete).matchAll(/"stored":(\d+)[^\n]*stored again from the spool/g)) replayed += Number(m[1]);
      scanned = Math.max(scanned, complete);
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*intake listener listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], started, exited });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited ${code}: ${out}`));
    });
  });
}

/** Leads the daemons stored again from the spool (the database had lost them), for the measurement. */
let replayed = 0;
let seq = 0;
/** One form post with its own person; resolves with the status (202 is the acknowledgement). */
async function post(url: string): Promise<number> {
  const i = ++seq;
  const res = await fetch(`${url}/intake/forms/contacto`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234', 'idempotency-key': `durable-${i}` },
    body: JSON.stringify({ nombre: `Persona ${i} Soto`, rut: rut(10_000_000 + i), email: `persona${i}@correo.cl`, telefono: `+56 9 ${String(10_000_000 + i).slice(0, 8)}` }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function postMany(url: string, n: number): Promise<number> {
  const statuses = await Promise.all(Array.from({ length: n }, () => post(url)));
  return statuses.filter((s) => s === 202).length;
}

/** Removes the -wal file and kills the daemon -9 at once, as the attack did. */
async function deleteWalAndKill(r: Running, db: string): Promise<void> {
  fs.rmSync(`${db}-wal`, { force: true });
  r.child.kill('SIGKILL');
  expect((await r.exited).signal).toBe('SIGKILL');
}

/** The CLI in this process, with no terminal (as in CI). */
async function cli(args: string[], input: NodeJS.ReadableStream = Readable.from([])) {
  let out = '';
  let err = '';
  const io = { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never };
  const code = await main(args, io, input);
  return { code, out, err };
}

/** INTAKE_DURABILITY_ROUNDS=20 for the full measurement (each round is a daemon start, seconds here). */
const ROUNDS = Number(process.env.INTAKE_DURABILITY_ROUNDS ?? 3);
const PER_ROUND = 12;

describe('acknowledged intake leads survive', () => {
  it(`a deleted -wal and kill -9 right after the answers (${ROUNDS} rounds of ${PER_ROUND})`, async () => {
    const e = env('wal');
    let acked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const r = await start(e);
      await r.started;
      expect(counts(e.db)).toMatchObject({ leads: acked, distinctMessageIds: acked, pending: 0 });
      acked += await postMany(r.url, PER_ROUND);
      await deleteWalAndKill(r, e.db);
    }
    expect(acked).toBe(ROUNDS * PER_ROUND);
    const last = await start(e);
    await last.started;
    expect(counts(e.db)).toMatchObject({ raw: acked, leads: acked, distinctMessageIds: acked, pending: 0 });
    if (process.env.INTAKE_DURABILITY_ROUNDS) console.info(`${ROUNDS} kills, ${acked} acknowledged, 0 lost; ${replayed} came back from the spool`);
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
  }, 60_000 + ROUNDS * 40_000);

  it('a restore to a backup older than acknowledged leads: the next start has them all', async () => {
    const e = env('restore');
    const backup = path.join(e.dir, 'before.db');
    const r = await start(e);
    await r.started;
    let acked = await postMany(r.url, 5);
    expect((await cli(['backup', backup, '--config', e.file, '--db', e.db])).code).toBe(0);
    acked += await postMany(r.url, 30);
    expect(acked).toBe(35);
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    expect(counts(e.db)).toMatchObject({ leads: 35 });

    // No terminal and no --yes: refused, with what it would drop.
    const refused = await cli(['restore', backup, '--config', e.file, '--db', e.db]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('30 leads de intake HTTP: 30 están en el spool');
    expect(refused.err).not.toContain('NO tienen copia');
    expect(refused.err).toContain('No se cambió nada');
    expect(counts(e.db)).toMatchObject({ leads: 35 });

    const restored = await cli(['restore', backup, '--yes', '--config', e.file, '--db', e.db]);
    expect(restored.code).toBe(0);
    // The backup has the 5 acknowledged before it (stored raw; their leads may follow at the start).
    expect(counts(e.db)).toMatchObject({ raw: 5 });

    const before = replayed;
    const again = await start(e);
    await again.started;
    expect(counts(e.db)).toMatchObject({ raw: 35, leads: 35, distinctMessageIds: 35, pending: 0 });
    expect(replayed - before).toBe(30); // the 30 the restore dropped came from the spool
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 120_000);
});
