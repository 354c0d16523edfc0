import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { bearerMatches } from '../src/http/auth.ts';
import { BadTokenLimiter, SignInThrottle } from '../src/auth/throttle.ts';
import { ROUTES } from '../src/http/routes.ts';
import { createAdminServer } from '../src/http/server.ts';
import { seed, startHarness, TOKEN, type Harness } from './http-fixture.ts';

let h: Harness;
let leadId: number;

beforeAll(async () => {
  h = await startHarness();
  leadId = (await seed(h.app)).leadIds[0];
});
afterAll(() => h.close());

/** A concrete URL for a route pattern. */
const concrete = (path: string) => path.replace(':id', String(leadId));

describe('admin auth', () => {
  it('answers 401 without a token and with a wrong one, naming the scheme', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token-wrong' }, { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }] as Record<string, string>[]) {
      const res = await h.call('/api/stats', { token: null, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const { error } = await res.json();
      expect(error).toBe(headers.Authorization === undefined ? 'inicia sesión o envía un token válido' : 'token inválido o revocado');
    }
    expect((await h.call('/api/stats')).status).toBe(200);
  });

  it('walks the route table: every non-public route refuses a request without the token', async () => {
    const tokenRoutes = ROUTES.filter((r) => r.allow !== 'public');
    expect(tokenRoutes.length).toBeGreaterThan(10);
    for (const r of ROUTES) {
      const path = concrete(r.path);
      const init = r.method === 'POST' ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' } : { method: r.method };
      const res = await h.call(path, { ...init, token: null });
      // A survey link carries a signed token: a made-up one is refused (400), never served or a 5xx.
      if (r.allow === 'public' && r.path.startsWith('/survey/')) expect(res.status, `${r.method} ${r.path}`).toBe(400);
      else if (r.allow === 'public') expect(res.status, `${r.method} ${r.path}`).toBeLessThan(r.path === '/api/session' ? 500 : 400);
      else expect(res.status, `${r.method} ${r.path} without token`).toBe(401);
      // And with the token the route exists (not a 401, or the router's 404, from a typo in the table).
      // A handler's own 404 is fine: `:id` is a lead id, and /api/vendors/:id finds no such vendor.
      const ok = await h.call(path, init);
      expect([401, 405], `${r.method} ${r.path} with token`).not.toContain(ok.status);
      if (ok.status === 404) expect((await ok.json()).error, `${r.method} ${r.path} with token`).not.toBe('no encontrado');
    }
  });

  it('refuses everything under /api without the token, even paths no route serves', async () => {
    for (const p of ['/api', '/api/', '/api/nope', '/api/leads/1/unknown', '/api/../api/stats']) {
      expect((await h.call(p, { token: null })).status, p).toBe(401);
    }
    expect((await h.call('/api/nope')).status).toBe(404);
    expect((await h.call('/api/stats', { method: 'POST' })).status).toBe(405);
  });

  it('puts the security headers on every response, and no-store on /api', async () => {
    for (const [p, token] of [['/', null], ['/app.js', null], ['/api/stats', TOKEN], ['/api/stats', null], ['/nope', null], ['/healthz', null]] as const) {
      const res = await h.call(p, { token });
      expect(res.headers.get('content-security-policy'), p).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      if (p.startsWith('/api')) expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const page = await (await h.call('/', { token: null })).text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // no inline script
    expect(page).not.toMatch(/<style|\sstyle=|\son\w+=/i); // no inline style or handler
  });

  it('never writes the token to the log', async () => {
    expect(h.logLines.join('\n')).not.toContain(TOKEN);
    expect(h.logLines.some((l) => l.includes('API request with an invalid token'))).toBe(true);
  });
});

describe('auth failure limit', () => {
  it('slows an address sending bad tokens (429 with Retry-After) but never refuses a valid token from it', async () => {
    const limited = await startHarness({ authLimit: { maxFailures: 5, windowMs: 60_000 } });
    try {
      for (let i = 0; i < 5; i++) expect((await limited.call('/api/stats', { token: 'nope' })).status).toBe(401);
      const res = await limited.call('/api/stats', { token: 'nope' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // Everyone behind one proxy shares the address: the right token still answers.
      expect((await limited.call('/api/stats')).status).toBe(200);
      expect((await limited.call('/healthz', { token: null })).status).toBe(200); // open routes stay open
    } finally {
      await limited.close();
    }
  });

  it('keeps its memory bounded under a flood of addresses, dropping the oldest first', async () => {
    const l = new BadTokenLimiter(2, 60_000, 100);
    for (let i = 0; i < 10_000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`, i);
    expect(l.size).toBe(100);
    expect(l.fail('a', 0)).toBe(0);
    expect(l.fail('a', 100)).toBe(0);
    expect(l.fail('a', 200)).toBe(59_800);
    expect(l.fail('a', 60_001)).toBe(0); // the window passed: counting starts again
  });

  it('delays sign-in attempts after repeated failures, per account and per address, bounded in memory', async () => {
    const t = new SignInThrottle({ free: 3, baseDelayMs: 100, maxDelayMs: 1000, windowMs: 60_000, capacity: 50 });
    const keys = ['account:ana@x.cl', 'address:1.2.3.4'];
    for (let i = 0; i < 3; i++) t.fail(keys, i);
    expect(t.delay(keys, 10)).toBe(0);
    t.fail(keys, 11);
    expect(t.delay(keys, 12)).toBe(100);
    t.fail(keys, 13);
    expect(t.delay(['account:ana@x.cl'], 14)).toBe(200);
    for (let i = 0; i < 10; i++) t.fail(keys, 20 + i);
    expect(t.delay(keys, 40)).toBe(1000); // capped: a delay, never a lock
    expect(t.delay(keys, 70_000)).toBe(0); // forgotten after the window
    t.succeed(keys);
    expect(t.delay(keys, 41)).toBe(0);
    for (let i = 0; i < 5000; i++) t.fail([`address:${i}`], 100 + i);
    expect(t.size).toBe(50);
  });

  it('compares tokens whatever their length', async () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches('Bearer x', TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
    expect(bearerMatches(`Bearer ${'a'.repeat(10_000)}`, TOKEN)).toBe(false);
  });
});

describe('token policy', () => {
  const make = async (host: string, token: string) => {
    const config = parseConfig(`admin:\n  host: "${host}"\n  token: "${token}"\nparsersDir: /work/main/parsers\n`, 'test', {});
    return createApp(config, createLogger('silent'), { dbPath: ':memory:' });
  };
  const deps = () => ({ health: { mailboxes: () => [] }, metrics: createMetrics(), log: createLogger('silent') });

  it('refuses the example token or a short one off loopback, without echoing it', async () => {
    for (const token of ['change-me', 'short-token-123']) {
      const app = await make('0.0.0.0', token);
      try {
        expect(() => createAdminServer(app, deps())).toThrow(/admin\.token is the example token or shorter than 24 characters/);
        try {
          createAdminServer(app, deps());
        } catch (e) {
          expect((e as Error).message).not.toContain(token);
        }
      } finally {
        app.close();
      }
    }
  });

  it('accepts them on loopback, and refuses a weak token when listen() binds elsewhere', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const app = await make(host, 'change-me');
      try {
        const server = createAdminServer(app, deps());
        await expect(server.listen(0, '0.0.0.0')).rejects.toThrow(/admin\.token/);
        await server.close();
      } finally {
        app.close();
      }
    }
    const strong = await make('0.0.0.0', 'a-long-random-token-of-32-chars!');
    try {
      expect(() => createAdminServer(strong, deps())).not.toThrow();
    } finally {
      strong.close();
    }
  });
});
