// How soon an open page hears of a new lead: a vendor's GET /api/events stream on a real admin server
// (SQLite, real pipeline and worker threads), and N form emails ingested one after another. For each,
// the time from the ingest call's start (bytes in) and from its return (committed) to the `lead`
// event on the stream. `node bin/run-ts.js bench/live-latency.ts [n]` (default 50).
import { formEmail, rut, startHarness } from '../test/http-fixture.ts';

const n = Number(process.argv[2] ?? 50);
const h = await startHarness({ logLevel: 'silent', projects: ['  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}'] });
const token = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
const ctrl = new AbortController();
const res = await h.call('/api/events', { token, signal: ctrl.signal });
const heard = new Map<number, number>();
const waiters = new Map<number, () => void>();
let ready: () => void = () => {};
const isReady = new Promise<void>((r) => { ready = r; });
void (async () => {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.includes('event: ready')) ready();
        const m = /event: lead\ndata: (.+)/.exec(block);
        if (m) {
          const id = JSON.parse(m[1]).leadId as number;
          heard.set(id, performance.now());
          waiters.get(id)?.();
        }
      }
    }
  } catch {
    // aborted at the end
  }
})();
await isReady;

const fromStart: number[] = [];
const fromCommit: number[] = [];
for (let i = 0; i < n; i++) {
  const started = performance.now();
  const r = await h.app.ingestor.ingest(formEmail({ name: `Cliente Medido ${String.fromCharCode(65 + (i % 26))}lvarez`, rut: rut(20_000_000 + i * 7919), email: `m${i}@gmail.com`, phone: `+56 9 8${String(1_000_000 + i).slice(1)}`, project: 'PLR' }), { source: 'file' });
  const committed = performance.now();
  const id = r.leadId!;
  if (!heard.has(id)) await new Promise<void>((resolve) => waiters.set(id, resolve));
  fromStart.push(heard.get(id)! - started);
  fromCommit.push(heard.get(id)! - committed);
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const line = (name: string, xs: number[]) => `${name}: p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
console.log(JSON.stringify({ n, fromIngestStartMs: { p50: pct(fromStart, 50), p99: pct(fromStart, 99), max: Math.max(...fromStart) }, fromCommitMs: { p50: pct(fromCommit, 50), p99: pct(fromCommit, 99), max: Math.max(...fromCommit) } }));
console.error(line('ingest start -> event', fromStart));
console.error(line('commit -> event', fromCommit));
ctrl.abort();
await h.close();
process.exit(0);
