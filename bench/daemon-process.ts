import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO, startFlags } from '../test/helpers/daemon-env.ts';

export { REPO };
export const TOKEN = 'bench-token-0123456789abcdefghijkl';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

export interface DaemonCpu {
  totalMs: number;
  mainMs: number;
  /** Every other thread (pipeline workers, the WAL guard, V8's background threads, libuv's pool) by tid. */
  threadsMs: Map<number, number>;
}

// /proc's times are in clock ticks: 100 a second on Linux (USER_HZ).
const TICK_MS = 10;
/** utime + stime of a /proc stat line, in ms (fields 14 and 15; the name in parentheses may hold spaces). */
function statCpuMs(line: string): number {
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** The daemon's CPU by thread, read from /proc (threads that ended meanwhile are left out). */
export function processCpu(pid: number): DaemonCpu {
  const threadsMs = new Map<number, number>();
  let mainMs = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let ms: number;
    try {
      ms = statCpuMs(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      continue; // ended while read
    }
    if (Number(tid) === pid) mainMs = ms;
    else threadsMs.set(Number(tid), ms);
  }
  return { totalMs: statCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')), mainMs, threadsMs };
}
// A benchmark that fails midway must not leave daemons behind.
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface DaemonProcess {
  child: ChildProcess;
  port: number;
  api(pathAndQuery: string): Promise<Response>;
  /** Peak resident memory of the daemon so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** CPU time the daemon has used so far (user + system, ms): its main thread, each other thread by tid, and the sum. */
  cpu(): DaemonCpu;
  stop(): Promise<void>;
}

/** The daemon runs with `npm start`'s flags (README, bench: what they cost and give); BENCH_NODE_FLAGS overrides them. */
export function daemonNodeFlags(): string[] {
  return process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? startFlags();
}

/** `centralizer run` as a child process, as users run it; resolves when /healthz answers. */
export async function startDaemonProcess(dir: string, config: Record<string, unknown>, logFile: string): Promise<DaemonProcess> {
  const port = await freePort();
  const file = path.join(dir, `config-${port}.json.yaml`);
  // Each daemon its own intake spool: the spool replays what its database lacks, and the bench
  // empties the database between parts.
  const full = { spool: { dir: path.join(dir, `spool-${port}`) }, ...config, admin: { host: '127.0.0.1', port, token: TOKEN }, parsersDir: path.join(REPO, 'parsers'), log: { level: 'warn' } };
  fs.writeFileSync(file, JSON.stringify(full, null, 2)); // JSON is valid YAML
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...daemonNodeFlags(), path.join(REPO, 'bench/run-bundle.mjs'), 'run', '--config', file], { stdio: ['ignore', log, log], cwd: REPO });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}; see ${logFile}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`daemon did not answer /healthz; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    port,
    api: (p) => fetch(`${base}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
    peakRssMb() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kb / 1024);
    },
    cpu: () => processCpu(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(t);
    },
  };
}
