// Throwaway PostgreSQL for tests: one cluster per test run (initdb + postgres in a temp dir on
// 127.0.0.1, started by test/global-postgres.ts), one fresh database per test file or test.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const READY_TIMEOUT_MS = 20_000;

/** The directory of Debian's PostgreSQL binaries (the newest installed major), or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

export const postgresAvailable = (): boolean => postgresBin() !== undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root: as root, run them as Debian's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export interface PostgresCluster {
  /** The maintenance database's URL (postgres://postgres@127.0.0.1:PORT/postgres). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

function waitReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let exited = false;
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`postgres exited (${code}) before it was ready:\n${log()}`));
    });
    const attempt = () => {
      if (exited) return;
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      client.connect().then(
        () => client.end().then(resolve, resolve),
        (err: Error) => {
          if (Date.now() > deadline) return reject(new Error(`postgres not ready after ${READY_TIMEOUT_MS} ms: ${err.message}\n${log()}`));
          // The server announces readiness only by accepting connections; retry on the next turn of its startup.
          setTimeout(attempt, 50);
        },
      );
    };
    attempt();
  });
}

/** Starts a throwaway cluster; the caller stops it. */
/** `sharedBuffers`: the tests' 64MB unless told (the bench's million leads want a server-sized cache). */
export async function startPostgres(settings: { sharedBuffers?: string } = {}): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const owner = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const opts = { ...(owner ?? {}), cwd: dir };
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { ...opts, stdio: 'pipe' });
  const port = await freePort();
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 300',
    `shared_buffers = ${settings.sharedBuffers ?? '64MB'}`,
    "log_min_messages = 'warning'",
  ].join('\n');
  writeFileSync(path.join(data, 'postgresql.auto.conf'), `${conf}\n`);
  if (owner) chownSync(path.join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);
  let output = '';
  const child = spawn(path.join(bin, 'postgres'), ['-D', data], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
    // PG_LOG=file keeps the server's log (a deadlock's two statements, say) after the run.
    if (process.env.PG_LOG) appendFileSync(process.env.PG_LOG, d);
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  await waitReady(port, child, () => output.slice(-2000));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A new empty database on the run's cluster; dropped by the returned `drop`. */
export async function createTestDatabase(clusterUrl = process.env.CENTRALIZER_TEST_PG_URL): Promise<{ url: string; drop(): Promise<void> }> {
  if (!clusterUrl) throw new Error('no PostgreSQL cluster for this run (test/global-postgres.ts starts one when PostgreSQL is installed)');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = clusterUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: clusterUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
