// API latency while the daemon works through a backlog: one client asking in turn for the routes
// a manager's page calls, as fast as answers come back (not a load test: what one user feels).
import type { DaemonProcess } from './daemon-process.ts';

const ROUTES = ['/healthz', '/api/stats', '/api/leads?limit=50'];

export interface ApiProbe {
  stop(): Promise<{ requests: number; p50Ms: number; p95Ms: number; maxMs: number; failures: number }>;
}

export function probeApi(d: DaemonProcess, pct: (xs: number[], p: number) => number): ApiProbe {
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const route = ROUTES[i % ROUTES.length];
      const t = performance.now();
      try {
        const res = await d.api(route);
        await res.arrayBuffer();
        if (res.status >= 500 && route !== '/healthz') failures++;
      } catch {
        failures++;
      }
      ms.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { requests: ms.length, p50Ms: pct(ms, 50), p95Ms: pct(ms, 95), maxMs: pct(ms, 100), failures };
    },
  };
}
