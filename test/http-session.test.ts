// Sign-in with email and password: the cookie, CSRF on writes, expiry and revocation, throttling
// that never locks the right password out, and the audit trail of it all. Real server, real SQLite
// (or PostgreSQL with CENTRALIZER_TEST_DB=postgres).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seed, startHarness, type Harness } from './http-fixture.ts';

let h: Harness;
let clock = Date.now();
let leadId = 0;

beforeAll(async () => {
  h = await startHarness({ now: () => clock, signInDelay: { free: 2, baseDelayMs: 1, maxDelayMs: 5, windowMs: 60_000, capacity: 100 } });
  for (const id of (await seed(h.app)).leadIds) if (!leadId && (await h.app.store.getLead(id))?.quality === 'malo') leadId = id;
  await h.addUser('gerente@inmo.cl', 'gerente', { name: 'Gabriela Gerente' });
});
afterAll(() => h.close());

const origin = () => h.base;

async function signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  const res = await h.call('/api/session', { method: 'POST', token: null, headers: { 'Content-Type': 'application/json', Origin: origin(), ...headers }, body: JSON.stringify({ email, password }) });
  const cookie = res.headers.get('set-cookie');
  const body = await res.json();
  return { res, body, cookie, session: cookie ? cookie.split(';')[0] : null };
}

const withCookie = (session: string, path: string, init: RequestInit = {}) => h.call(path, { ...init, token: null, headers: { ...(init.headers as Record<string, string>), Cookie: session } });

describe('sign-in', () => {
  it('refuses a wrong password or an unknown email with the same answer', async () => {
    for (const [email, password] of [['gerente@inmo.cl', 'otra-contraseña-mala'], ['nadie@inmo.cl', PASSWORD]]) {
      const r = await signIn(email, password);
      expect(r.res.status).toBe(401);
      expect(r.body).toEqual({ error: 'email o contraseña incorrectos' });
      expect(r.cookie).toBeNull();
    }
  });

  it('gives an HttpOnly SameSite=Strict cookie; /api/me says who is signed in', async () => {
    const r = await signIn('GERENTE@inmo.cl ');
    expect(r.res.status).toBe(200);
    expect(r.cookie).toMatch(/^centralizer_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(r.cookie).not.toMatch(/Secure/); // plain http on loopback
    expect(r.body).toMatchObject({ email: 'gerente@inmo.cl', name: 'Gabriela Gerente', role: 'gerente', vendorId: null });
    const me = await (await withCookie(r.session!, '/api/me')).json();
    expect(me).toMatchObject({ email: 'gerente@inmo.cl', role: 'gerente', vendorId: null, name: 'Gabriela Gerente', csrf: r.body.csrf });
    expect((await withCookie(r.session!, '/api/leads')).status).toBe(200);
  });

  it('marks the cookie Secure behind a proxy the config trusts', async () => {
    const proxied = await import('./http-fixture.ts').then((m) => m.startHarness({ extraYaml: [] }));
    try {
      proxied.app.config.admin.trustProxy = ['127.0.0.1'];
      await proxied.addUser('x@inmo.cl', 'admin');
      const res = await proxied.call('/api/session', { method: 'POST', token: null, headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9' }, body: JSON.stringify({ email: 'x@inmo.cl', password: PASSWORD }) });
      expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
      const audit = await proxied.json('/api/audit?action=session.create');
      expect(audit.items[0].address).toBe('203.0.113.9');
    } finally {
      await proxied.close();
    }
  });
});

describe('writes with a cookie', () => {
  it('need the CSRF header and the same origin', async () => {
    const r = await signIn('gerente@inmo.cl');
    const body = JSON.stringify({ comment: 'No contesta' });
    const json = { 'Content-Type': 'application/json' };
    const post = (headers: Record<string, string>) => withCookie(r.session!, `/api/leads/${leadId}/abort`, { method: 'POST', headers: { ...json, ...headers }, body });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'X-CSRF-Token': 'wrong' })).status).toBe(403);
    expect((await post({ 'X-CSRF-Token': r.body.csrf, Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'X-CSRF-Token': r.body.csrf, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await h.app.store.getLead(leadId))?.contactState).toBe('por_contactar');
    const ok = await post({ 'X-CSRF-Token': r.body.csrf, Origin: origin() });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const d = await (await withCookie(r.session!, `/api/leads/${leadId}`)).json();
    expect(d.actions[0]).toMatchObject({ action: 'abort', actor: 'gerente@inmo.cl', actorName: 'Gabriela Gerente' });
  });

  it('a sign-in from another origin is refused', async () => {
    expect((await signIn('gerente@inmo.cl', PASSWORD, { Origin: 'https://evil.example' })).res.status).toBe(403);
  });
});

describe('sessions end', () => {
  it('on logout', async () => {
    const r = await signIn('gerente@inmo.cl');
    const out = await withCookie(r.session!, '/api/session', { method: 'DELETE', headers: { 'X-CSRF-Token': r.body.csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await withCookie(r.session!, '/api/me')).status).toBe(401);
  });

  it('when idle too long, and at the absolute limit even when used', async () => {
    const idle = await signIn('gerente@inmo.cl');
    const start = clock;
    clock = start + 11 * 3_600_000;
    expect((await withCookie(idle.session!, '/api/me')).status).toBe(200); // used: the idle clock restarts
    clock = start + 22 * 3_600_000;
    expect((await withCookie(idle.session!, '/api/me')).status).toBe(200);
    clock = start + 35 * 3_600_000; // 13 h since last use
    expect((await withCookie(idle.session!, '/api/me')).status).toBe(401);
    const busy = await signIn('gerente@inmo.cl');
    const t0 = clock;
    // Used every 6 hours: alive for 7 days, then ended whatever the use.
    for (let hours = 6; hours < 7 * 24; hours += 6) {
      clock = t0 + hours * 3_600_000;
      expect((await withCookie(busy.session!, '/api/me')).status, `${hours} h`).toBe(200);
    }
    clock = t0 + 7 * 86_400_000 + 60_000;
    expect((await withCookie(busy.session!, '/api/me')).status).toBe(401);
    clock = Date.now();
  });

  it('when the password changes, and when the user is disabled (tokens too)', async () => {
    const token = await h.addUser('vend@inmo.cl', 'admin');
    const a = await signIn('vend@inmo.cl');
    await h.accounts.setPassword('vend@inmo.cl', 'una-clave-nueva-larga', { userId: null, actor: 'cli' });
    expect((await withCookie(a.session!, '/api/me')).status).toBe(401);
    expect((await signIn('vend@inmo.cl')).res.status).toBe(401);
    const b = await signIn('vend@inmo.cl', 'una-clave-nueva-larga');
    expect((await withCookie(b.session!, '/api/me')).status).toBe(200);
    expect((await h.call('/api/me', { token })).status).toBe(200);
    await h.accounts.setDisabled('vend@inmo.cl', true, { userId: null, actor: 'cli' });
    expect((await withCookie(b.session!, '/api/me')).status).toBe(401);
    expect((await h.call('/api/me', { token })).status).toBe(401);
    expect((await signIn('vend@inmo.cl', 'una-clave-nueva-larga')).res.status).toBe(401);
    await h.accounts.setDisabled('vend@inmo.cl', false, { userId: null, actor: 'cli' });
    expect((await h.call('/api/me', { token })).status).toBe(200);
  });
});

describe('throttling and the audit trail', () => {
  it('many failures slow the account down but the right password still gets in', async () => {
    for (let i = 0; i < 12; i++) expect((await signIn('gerente@inmo.cl', `mala-${i}-contraseña`)).res.status).toBe(401);
    const ok = await signIn('gerente@inmo.cl');
    expect(ok.res.status).toBe(200);
  });

  it('records sign-ins, failed sign-ins and user changes with the address', async () => {
    const audit = await h.json('/api/audit?limit=200');
    const actions = new Set(audit.items.map((a: { action: string }) => a.action));
    for (const a of ['session.create', 'session.failed', 'session.delete', 'user.add', 'user.password', 'user.disable', 'user.enable', 'token.create', 'lead.abort']) expect(actions, a).toContain(a);
    const failed = audit.items.find((a: { action: string; actor: string }) => a.action === 'session.failed' && a.actor === 'nadie@inmo.cl');
    expect(failed).toMatchObject({ address: '127.0.0.1', data: { reason: 'unknown_user' } });
    const log = h.logLines.join('\n');
    expect(log).not.toContain(PASSWORD);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });
});
