import { row } from './helpers/db-rows.ts';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIntakeServer } from '../src/intake/server.ts';
import { RateLimiter } from '../src/intake/http-util.ts';
import { createLogger } from '../src/logger.ts';
import { startIntake, type IntakeHarness } from './helpers/intake-app.ts';
import { rut, testConfig } from './helpers/mail.ts';
import { reprocess } from '../src/reprocess.ts';

const SECRET = 'form-signing-secret-0123456789';
const INTAKE = `intake:
  ratePerMinute: 1000
  forms:
    - id: contacto
      key: key-contacto-1234
      project: Parque Los Robles
      thanksUrl: https://www.inmobiliaria-ejemplo.cl/gracias
      origins: [https://www.inmobiliaria-ejemplo.cl]
      fields: {nationalId: rut_cliente, phone: fono_contacto}
    - id: cotizador
      key: key-cotizador-1234
      signingSecret: ${SECRET}
      requireSignature: true
`;

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntake(INTAKE);
});
afterAll(async () => {
  await h.close();
});

const person = (o: Record<string, string> = {}) => ({ nombre: 'Ana Soto', rut_cliente: rut(12345678), email: 'ana.soto@correo.cl', fono_contacto: '+56 9 8765 4321', mensaje: 'Quiero cotizar', ...o });

function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${h.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
}
// These tests read the lead the answer names, so they wait for it (the answer comes once durable otherwise: intake-receipts.test.ts).
const json = (o: unknown, headers: Record<string, string> = {}) => post('/intake/forms/contacto', JSON.stringify(o), { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234', prefer: 'wait=20', ...headers });
const rows = () => h.count('raw_emails');

describe('web forms over real HTTP', () => {
  it('a JSON client gets 202 {leadId}; the lead is stored raw (source http) and classified like an email', async () => {
    const res = await json(person());
    expect(res.status).toBe(202);
    const { leadId } = (await res.json()) as { leadId: number };
    const lead = (await h.app.store.getLead(leadId))!;
    expect(lead).toMatchObject({ quality: 'bueno', medium: 'web', parser: 'intake-web', email: 'ana.soto@correo.cl', phone: '+56987654321', contactState: 'por_contactar' });
    expect(lead.clientId).not.toBeNull();
    const raw = { ...((await row(h.app, 'select source from raw_emails where id = ?', [lead.rawEmailId])) as { source: string }), raw: (await h.app.store.getRaw(lead.rawEmailId))!.raw! };
    expect(raw.source).toBe('http');
    expect(raw.raw.toString()).not.toContain('key-contacto-1234'); // the key is not stored
    // Replaying the stored raw message changes nothing: the same pipeline, the same lead.
    const again = await h.app.ingestor.ingest(raw.raw, { source: 'file' });
    expect(again).toMatchObject({ duplicate: true, leadId });
  });

  it('a plain HTML form (urlencoded, key in _key) gets a 303 to thanksUrl', async () => {
    const before = await h.count('leads');
    const stored = await rows();
    const form = new URLSearchParams({ ...person({ email: 'html.form@correo.cl' }), _key: 'key-contacto-1234' });
    const res = await post('/intake/forms/contacto', form.toString(), { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://www.inmobiliaria-ejemplo.cl' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://www.inmobiliaria-ejemplo.cl/gracias');
    expect(await rows()).toBe(stored + 1); // durable before the answer; the lead follows from the pipeline
    await vi.waitFor(async () => expect(await h.count('leads')).toBe(before + 1), { timeout: 20_000, interval: 20 });
  });

  it('a wrong or missing key answers 401 and stores nothing', async () => {
    const before = await rows();
    expect((await json(person(), { 'x-form-key': 'forged-key-0000' })).status).toBe(401);
    expect((await post('/intake/forms/contacto', JSON.stringify(person()), { 'content-type': 'application/json' })).status).toBe(401);
    expect(await rows()).toBe(before);
  });

  it('the same Idempotency-Key (repeated and concurrent) gives one lead', async () => {
    const before = await h.count('leads');
    const body = person({ email: 'idem@correo.cl' });
    const first = (await (await json(body, { 'idempotency-key': 'abc-1' })).json()) as { leadId: number };
    const more = await Promise.all([1, 2, 3].map(() => json(body, { 'idempotency-key': 'abc-1' }).then((r) => r.json() as Promise<{ leadId: number; duplicate: boolean }>)));
    expect(more.map((m) => m.leadId)).toEqual([first.leadId, first.leadId, first.leadId]);
    expect(more.every((m) => m.duplicate)).toBe(true);
    const concurrent = await Promise.all([1, 2, 3].map(() => json(body, { 'idempotency-key': 'abc-2' }).then((r) => r.json() as Promise<{ leadId: number }>)));
    expect(new Set(concurrent.map((c) => c.leadId)).size).toBe(1);
    expect(await h.count('leads')).toBe(before + 2);
  });

  it('many posts at once are group-committed and each gets its own lead', async () => {
    const before = await h.count('leads');
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => json(person({ email: `many${i}@correo.cl` })).then((r) => r.json() as Promise<{ leadId: number }>)));
    expect(new Set(answers.map((a) => a.leadId)).size).toBe(30);
    expect(answers.every((a) => a.leadId > 0)).toBe(true);
    expect(await h.count('leads')).toBe(before + 30);
  });

  it('a body over 64 KB answers 413 and stores nothing', async () => {
    const before = await rows();
    const res = await json(person({ mensaje: 'x'.repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect(await rows()).toBe(before);
  });

  it('a signed form: a right HMAC is accepted, a forged or missing one answers 401', async () => {
    const before = await rows();
    const body = JSON.stringify(person({ email: 'signed@correo.cl' }));
    const sign = (b: string, s = SECRET) => `sha256=${createHmac('sha256', s).update(b).digest('hex')}`;
    const send = (sig?: string) => post('/intake/forms/cotizador', body, { 'content-type': 'application/json', 'x-form-key': 'key-cotizador-1234', ...(sig ? { 'x-signature-256': sig } : {}) });
    expect((await send(sign(body, 'not-the-secret-at-all-xx'))).status).toBe(401);
    expect((await send()).status).toBe(401);
    expect(await rows()).toBe(before);
    expect((await send(sign(body))).status).toBe(202);
    expect(await rows()).toBe(before + 1);
  });

  it('CORS: a preflight from an allowed origin is answered, another origin is refused (and its post stores nothing)', async () => {
    const pre = (origin: string) => fetch(`${h.url}/intake/forms/contacto`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-form-key' } });
    const ok = await pre('https://www.inmobiliaria-ejemplo.cl');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://www.inmobiliaria-ejemplo.cl');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Form-Key/i);
    const bad = await pre('https://evil.example');
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    const before = await rows();
    const post1 = await json(person(), { origin: 'https://evil.example' });
    expect(post1.status).toBe(403);
    expect(await rows()).toBe(before);
    const allowed = await json(person({ email: 'cors@correo.cl' }), { origin: 'https://www.inmobiliaria-ejemplo.cl' });
    expect(allowed.status).toBe(202);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.inmobiliaria-ejemplo.cl');
  });

  it('a filled honeypot is answered as a success and stores nothing; unknown forms are 404', async () => {
    const before = await rows();
    const res = await json({ ...person(), _hp: 'http://spam.example' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ leadId: null });
    expect(await rows()).toBe(before);
    expect((await post('/intake/forms/nope', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    expect((await fetch(`${h.url}/api/leads`)).status).toBe(404); // no admin routes here
  });

  it('fields found by the generic labels when not mapped; the form project fills a missing one', async () => {
    const res = await json({ 'your-name': 'Pedro Díaz', 'your-email': 'pedro@correo.cl', telefono: '+56 9 8123 4567', documento: rut(11222333) });
    const lead = (await h.app.store.getLead(((await res.json()) as { leadId: number }).leadId))!;
    expect(lead).toMatchObject({ name: 'Pedro Díaz', email: 'pedro@correo.cl', phone: '+56981234567', quality: 'bueno' });
  });
});

describe('the one pipeline: reprocess', () => {
  it('a lead posted for an unknown project is upgraded by reprocess once the project is configured', async () => {
    const res = await json(person({ email: 'torre@correo.cl', proyecto: 'Torre Nueva' }));
    const { leadId } = (await res.json()) as { leadId: number };
    expect((await h.app.store.getLead(leadId))!.quality).toBe('con_problemas');
    const next = testConfig(INTAKE);
    next.projects.push({ ...next.projects[0], name: 'Torre Nueva', aliases: [] });
    await h.app.reload({ config: next });
    const report = await reprocess(h.app, { qualities: ['con_problemas'], since: null });
    expect(report.upgraded).toBeGreaterThanOrEqual(1);
    expect((await h.app.store.getLead(leadId))!.quality).toBe('bueno');
  });
});

describe('rate limits', () => {
  it('per address: past the limit 429 with Retry-After, nothing stored', async () => {
    const cfg = h.app.config;
    const limited = createIntakeServer({ config: { ...cfg, intake: { ...cfg.intake!, ratePerMinute: 3 } }, ingestor: h.app.ingestor, store: h.app.store }, { log: createLogger('silent') });
    const { port } = await limited.listen(0, '127.0.0.1');
    try {
      const send = () => fetch(`http://127.0.0.1:${port}/intake/forms/contacto`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-form-key': 'wrong-key-000' } });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send()).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const res = await send();
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('behind a trusted proxy, a client that forges the first X-Forwarded-For hop is still limited by the hop the proxy added', async () => {
    const cfg = h.app.config;
    const limited = createIntakeServer({ config: { ...cfg, intake: { ...cfg.intake!, ratePerMinute: 3, trustProxy: ['127.0.0.1'] } }, ingestor: h.app.ingestor, store: h.app.store }, { log: createLogger('silent') });
    const { port } = await limited.listen(0, '127.0.0.1');
    try {
      // The proxy appends the real client (203.0.113.7); the client writes whatever it likes before it.
      const send = (i: number) => fetch(`http://127.0.0.1:${port}/intake/forms/contacto`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-form-key': 'wrong-key-000', 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` } });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send(i)).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('memory stays bounded under many addresses', () => {
    const rl = new RateLimiter(2, 100);
    for (let i = 0; i < 5000; i++) rl.hit(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size).toBeLessThanOrEqual(100);
    expect(rl.hit('a') + rl.hit('a')).toBe(0);
    expect(rl.hit('a')).toBeGreaterThan(0);
  });
});
