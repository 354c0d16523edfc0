// Intake throughput and latency: form posts from many concurrent clients to a running daemon's
// intake listener (`centralizer run` as a child), each answered after its lead is committed.
import path from 'node:path';
import { freePort, startDaemonProcess } from './daemon-process.ts';
import { BENCH_PROJECTS } from './generate.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : 0;
};

export async function intakeBench(dir: string, opts: { clients: number; total: number; workers?: number; database?: { path: string } | { url: string } }, say: (s: string) => void) {
  say(`intake: ${opts.total} form posts from ${opts.clients} concurrent clients`);
  const port = await freePort();
  const projects = BENCH_PROJECTS.map((name) => ({ name, aliases: [] as string[] }));
  const intake = { host: '127.0.0.1', port, ratePerMinute: 100_000, forms: [{ id: 'bench', key: 'bench-form-key-123', project: BENCH_PROJECTS[0] }] };
  const d = await startDaemonProcess(dir, { projects, mailboxes: [], database: opts.database ?? { path: path.join(dir, 'intake.db') }, intake, ...(opts.workers ? { workers: { size: opts.workers } } : {}) }, path.join(dir, 'intake.log'));
  const url = `http://127.0.0.1:${port}/intake/forms/bench`;
  const post = (i: number) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-form-key': 'bench-form-key-123', 'idempotency-key': `bench-${i}` },
      body: JSON.stringify({ nombre: `Cliente ${i}`, email: `cliente${i}@correo.cl`, telefono: `+56 9 ${String(80000000 + i).slice(0, 4)} ${String(80000000 + i).slice(4)}`, mensaje: 'Quiero cotizar' }),
    });
  try {
    for (let i = 0; i < 20; i++) await (await post(-1 - i)).arrayBuffer(); // warm the worker and the JIT
    const times: number[] = [];
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (next < opts.total) {
          const i = next++;
          const t = performance.now();
          const res = await post(i);
          await res.arrayBuffer();
          if (res.status !== 202) failed++;
          times.push(performance.now() - t);
        }
      }),
    );
    const secs = (performance.now() - started) / 1000;
    const leads = ((await (await d.api('/api/stats')).json()) as { total: number }).total;
    return { requests: opts.total, clients: opts.clients, failed, leads, rps: Math.round(opts.total / secs), p50Ms: pct(times, 50), p99Ms: pct(times, 99) };
  } finally {
    await d.stop();
  }
}
