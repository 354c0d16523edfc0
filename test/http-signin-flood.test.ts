// Password checks are capped per address, per account and for the server, on top of the sign-in
// delays: a flood of parallel sign-ins through the real listener gets 429 at once past the caps (the
// scrypt runs are counted, not timed), and a valid sign-in from another address gets in meanwhile.
// The server's clock is frozen, so the buckets never refill during a test: the caps are exact.
import { afterEach, describe, expect, it } from 'vitest';
import { passwordVerifications } from '../src/auth/passwords.ts';
import { PasswordCheckGate, type CheckGateOptions } from '../src/auth/throttle.ts';
import { PASSWORD, startHarness, type Harness } from './http-fixture.ts';

const GATE: CheckGateOptions = { concurrency: 2, maxWaiting: 8, perSecond: 5, burst: 12, reserve: 4, accountPerMinute: 20, accountBurst: 6, accountReserve: 2, capacity: 1000 };
let clock = Date.now();
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function start(): Promise<Harness> {
  clock = Date.now();
  h = await startHarness({
    now: () => clock,
    adminYaml: ['  trustProxy: [127.0.0.1]'], // the test is the proxy: X-Forwarded-For names the client
    passwordChecks: GATE,
    signInDelay: { free: 3, baseDelayMs: 1, maxDelayMs: 4, windowMs: 60_000, capacity: 1000 },
  });
  await h.addUser('jefa@inmo.cl', 'admin');
  return h;
}

const signIn = (from: string, email: string, password: string) =>
  h!.call('/api/session', { method: 'POST', token: null, headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from }, body: JSON.stringify({ email, password }) });

interface Flood {
  /** Resolves at the flood's first 429: it is under way and over the cap. */
  refused: Promise<void>;
  statuses: number[];
  refusals: { retryAfter: string | null; body: unknown }[];
  stop(): Promise<void>;
}

/** `width` parallel sign-ins with a wrong password, each sent again as soon as it is answered, until stopped. */
function flood(from: (i: number) => string, email: (i: number) => string, width = 100): Flood {
  const statuses: number[] = [];
  const refusals: Flood['refusals'] = [];
  let stopped = false;
  let firstRefusal!: () => void;
  const refused = new Promise<void>((resolve) => (firstRefusal = resolve));
  let n = 0;
  const lane = async () => {
    while (!stopped) {
      const i = n++;
      const res = await signIn(from(i), email(i), `no-es-la-clave-${i}`);
      statuses.push(res.status);
      const body = await res.json();
      if (res.status === 429) {
        if (refusals.length < 5) refusals.push({ retryAfter: res.headers.get('retry-after'), body });
        firstRefusal();
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: width }, lane));
  return {
    refused,
    statuses,
    refusals,
    async stop() {
      stopped = true;
      await lanes;
    },
  };
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('a flood of sign-ins', () => {
  it('from one address at the admin account: capped checks, 429 at once, and the admin gets in from another address', async () => {
    await start();
    const before = passwordVerifications();
    const f = flood(() => '203.0.113.66', () => 'jefa@inmo.cl');
    await f.refused;
    const mine = await signIn('198.51.100.7', 'jefa@inmo.cl', PASSWORD); // during the flood: it is still running
    await f.stop();
    expect(mine.status, JSON.stringify(await mine.clone().json())).toBe(200);
    expect((await mine.json()).email).toBe('jefa@inmo.cl');
    expect(f.statuses.length).toBeGreaterThan(100);
    expect(new Set(f.statuses)).toEqual(new Set([401, 429]));
    // The flood's address may take the account's tokens but the last accountReserve (2 of 6).
    const checked = count(f.statuses, 401);
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(GATE.accountBurst - GATE.accountReserve);
    // Every scrypt run is a 401 of the flood or the admin's own sign-in; a 429 costs none.
    expect(passwordVerifications() - before).toBe(checked + 1);
    expect(f.refusals[0].retryAfter).toMatch(/^[1-9]\d*$/);
    expect(f.refusals[0].body).toEqual({ error: expect.stringMatching(/^demasiados intentos de inicio de sesión: espera \d+ s/) });
    // Only real checks are audited as failed sign-ins, each with the flood's address.
    const failed = await h!.json('/api/audit?action=session.failed&limit=200');
    expect(failed.items).toHaveLength(checked);
    expect(new Set(failed.items.map((a: { address: string }) => a.address))).toEqual(new Set(['203.0.113.66']));
  });

  it('from many new addresses at many accounts: the server-wide cap holds, and a good address still gets in', async () => {
    await start();
    expect((await signIn('198.51.100.7', 'jefa@inmo.cl', PASSWORD)).status).toBe(200); // her usual address
    const before = passwordVerifications();
    const f = flood((i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, (i) => `nadie${i}@inmo.cl`);
    await f.refused;
    // A new address competes with the flood's new addresses (and waits); her usual one does not.
    const fresh = await signIn('198.51.100.99', 'jefa@inmo.cl', PASSWORD);
    const mine = await signIn('198.51.100.7', 'jefa@inmo.cl', PASSWORD);
    await f.stop();
    expect(mine.status).toBe(200);
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // New addresses cannot take the last half of the reserve; the first sign-in above took one token.
    const checked = count(f.statuses, 401);
    expect(checked).toBe(GATE.burst - 1 - GATE.reserve / 2);
    expect(passwordVerifications() - before).toBe(checked + 1);
    expect(count(f.statuses, 429)).toBeGreaterThan(50);
  });

  it('a burst of 100 parallel requests from one address runs one check at a time', async () => {
    await start();
    const before = passwordVerifications();
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn('203.0.113.80', 'jefa@inmo.cl', `mala-${i}-contraseña`)));
    const statuses = answers.map((r) => r.status);
    expect(count(statuses, 401) + count(statuses, 429)).toBe(100);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(100 - (GATE.accountBurst - GATE.accountReserve));
    expect(passwordVerifications() - before).toBe(count(statuses, 401));
  });
});

describe('the gate itself', () => {
  it('never queues more than maxWaiting; turns go to good, then new, then suspect addresses', async () => {
    const gate = new PasswordCheckGate({ ...GATE, concurrency: 1, maxWaiting: 3, burst: 100, accountBurst: 100 }, 0);
    gate.vouch('good');
    const first = gate.admit('a', 'x@y', 'new', 0);
    if (!first.ok) throw new Error('refused');
    await first.turn;
    const order: string[] = [];
    const queued = (['s', 'n', 'good'] as const).map((addr) => {
      const a = gate.admit(addr, 'x@y', addr === 's' ? 'suspect' : addr === 'good' ? 'good' : 'new', 0);
      if (!a.ok) throw new Error(`refused ${addr}`);
      void a.turn.then(() => {
        order.push(addr);
        a.release();
      });
      return a;
    });
    expect(gate.waiting).toBe(3);
    expect(gate.admit('d', 'x@y', 'good', 0)).toMatchObject({ ok: false, reason: 'queue' });
    expect(gate.admit('s', 'x@y', 'suspect', 0)).toMatchObject({ ok: false, reason: 'address' });
    first.release();
    await Promise.all(queued.map((q) => (q.ok ? q.turn : null)));
    await new Promise<void>((r) => queueMicrotask(r));
    expect(order).toEqual(['good', 'n', 's']);
    expect(gate.inFlight).toBe(0);
    expect(gate.started).toBe(4);
  });

  it('a suspect address cannot take the last tokens; Retry-After says when one comes back', () => {
    const gate = new PasswordCheckGate({ ...GATE, burst: 5, reserve: 2, perSecond: 1, accountBurst: 100 }, 0);
    for (let i = 0; i < 3; i++) {
      const a = gate.admit(`s${i}`, `u${i}`, 'suspect', 0);
      expect(a.ok).toBe(true);
      if (a.ok) a.release();
    }
    expect(gate.admit('s9', 'u9', 'suspect', 0)).toMatchObject({ ok: false, reason: 'global', retryAfterMs: 1000 });
    expect(gate.admit('n1', 'u9', 'new', 0)).toMatchObject({ ok: true });
    expect(gate.admit('n2', 'u9', 'new', 0)).toMatchObject({ ok: false, reason: 'global' });
    expect(gate.admit('g1', 'u9', 'good', 0)).toMatchObject({ ok: true });
    expect(gate.admit('g2', 'u9', 'good', 0)).toMatchObject({ ok: false, reason: 'global', retryAfterMs: 1000 });
    expect(gate.admit('g2', 'u9', 'good', 1000)).toMatchObject({ ok: true }); // one token a second
  });

  it('a right password gives the account its token back; wrong ones use them up', () => {
    const gate = new PasswordCheckGate({ ...GATE, accountBurst: 2, accountReserve: 0, burst: 100 }, 0);
    const attempt = (right: boolean) => {
      const a = gate.admit('198.51.100.7', 'jefa@inmo.cl', 'good', 0);
      if (a.ok) {
        if (right) a.succeeded();
        a.release();
      }
      return a.ok;
    };
    expect([attempt(true), attempt(true), attempt(true), attempt(true)]).toEqual([true, true, true, true]);
    expect([attempt(false), attempt(false), attempt(true)]).toEqual([true, true, false]);
  });
});
