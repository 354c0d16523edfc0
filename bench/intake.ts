// Intake throughput and latency: form posts from many concurrent clients to a running daemon's
// intake listener (`centralizer run` as a child), each answered once its lead is durable.
//
// Two measures, because one cannot be both. Saturation: every client posts again as soon as it is
// answered (a closed loop), so the latency is the queue the clients build themselves: by Little's
// law mean latency = clients / throughput, whatever the daemon does. Under load: the same clients
// each post once a second (an open loop, 200 req/s for 200 clients, far above any company's form
// traffic), so the latency is what one request costs while the pipeline works behind it. The p99
// target is read on the second.
import path from 'node:path';
import { freePort, startDaemonProcess } from './daemon-process.ts';
import { BENCH_PROJECTS } from './generate.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : 0;
};

/** Each client posts once per this many ms under load (its start spread over one period). */
const LOAD_PERIOD_MS = 1000;

interface Round {
  times: number[];
  failed: number;
  secs: number;
}

export async function intakeBench(dir: string, opts: { clients: number; total: number; workers?: number; database?: { path: string } | { url: string } }, say: (s: string) => void) {
  say(`intake: ${opts.total} form posts from ${opts.clients} concurrent clients, at saturation and then each once a second`);
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
  let next = 0;
  const one = async (r: Round, i = next++) => {
    const t = performance.now();
    const res = await post(i);
    await res.arrayBuffer();
    if (res.status !== 202) r.failed++;
    r.times.push(performance.now() - t);
  };
  const round = async (client: (r: Round, end: number) => Promise<void>): Promise<Round> => {
    const r: Round = { times: [], failed: 0, secs: 0 };
    const end = next + opts.total;
    const started = performance.now();
    await Promise.all(Array.from({ length: opts.clients }, () => client(r, end)));
    r.secs = (performance.now() - started) / 1000;
    return r;
  };
  const drained = async (want: number) => {
    for (;;) {
      const stats = (await (await d.api('/api/stats')).json()) as { total: number };
      if (stats.total >= want) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    for (let i = 0; i < 20; i++) await one({ times: [], failed: 0, secs: 0 }, -1 - i); // warm the worker and the JIT
    const saturation = await round(async (r, end) => {
      while (next < end) await one(r);
    });
    await drained(opts.total); // the pipeline caught up: the second round starts from a quiet daemon
    const load = await round(async (r, end) => {
      let due = performance.now() + Math.random() * LOAD_PERIOD_MS;
      while (next < end) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((w) => setTimeout(w, wait));
        due += LOAD_PERIOD_MS;
        if (next < end) await one(r);
      }
    });
    await drained(2 * opts.total);
    const leads = ((await (await d.api('/api/stats')).json()) as { total: number }).total;
    return {
      requests: 2 * opts.total,
      clients: opts.clients,
      failed: saturation.failed + load.failed,
      leads,
      rps: Math.round(opts.total / saturation.secs),
      p50Ms: pct(saturation.times, 50),
      p99Ms: pct(saturation.times, 99),
      underLoad: { offeredRps: Math.round((opts.clients * 1000) / LOAD_PERIOD_MS), rps: Math.round(opts.total / load.secs), p50Ms: pct(load.times, 50), p99Ms: pct(load.times, 99) },
    };
  } finally {
    await d.stop();
  }
}
