import { io } from '../src/db/port.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { value, column, exec } from './helpers/db-rows.ts';
import { ANA, DAY, dotted, formEmail, seed, startHarness, type Harness, type Seeded } from './http-fixture.ts';

let h: Harness;
let data: Seeded;

beforeAll(async () => {
  h = await startHarness();
  data = await seed(h.app, h.metrics);
  // Emails that are not leads, for /api/emails.
  await h.app.ingestor.ingest(Buffer.from('From: MAILER-DAEMON@mx.example.cl\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx>\r\n\r\nsorry\r\n'), { source: 'file' });
});
afterAll(() => h.close());

const sql = <T = number>(q: string, ...params: unknown[]) => value<T>(h.app, q, params);

/** Every item of a filtered list, following the cursor. */
async function all(query: string, limit = 7) {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await h.json(`/api/leads?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    expect(++pages).toBeLessThan(100);
  } while (cursor);
  return items;
}

describe('GET /api/stats and /api/leads', () => {
  it('stats total equals the list count, for several filters', async () => {
    for (const q of ['', 'quality=bueno', 'quality=malo,con_problemas', 'status=no_contactado', 'status=por_contactar', 'project=Parque%20Los%20Robles', 'medium=otros', `q=${encodeURIComponent(ANA.email)}`, `from=${new Date(Date.now() - 7 * DAY).toISOString()}`]) {
      const stats = await h.json(`/api/stats?${q}`);
      const items = await all(q);
      expect(stats.total, q).toBe(items.length);
      const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
      expect(sum(stats.quality), q).toBe(stats.total);
      expect(sum(stats.medium), q).toBe(stats.total);
    }
  });

  it('each quality filter is exact', async () => {
    for (const quality of ['bueno', 'con_problemas', 'malo']) {
      const items = await all(`quality=${quality}`);
      expect(items.length).toBe(await sql("SELECT count(*) FROM leads WHERE quality = ? AND contact_state <> 'descartado'", quality));
      expect(items.every((i) => i.quality === quality)).toBe(true);
    }
    const stats = await h.json('/api/stats');
    expect(stats.quality).toEqual({ bueno: 13, con_problemas: 10, malo: 7 });
  });

  it('status splits por_contactar at the contact deadline', async () => {
    const now = Date.now();
    const overdue = await sql("SELECT count(*) FROM leads WHERE contact_state = 'por_contactar' AND deadline_at < ?", now);
    const stats = await h.json('/api/stats');
    expect(stats.status.no_contactado).toBe(overdue);
    expect(stats.status.por_contactar + stats.status.no_contactado).toBe(stats.contactState.por_contactar);
    const items = await all('status=no_contactado');
    expect(items.length).toBe(overdue);
    expect(items.every((i) => i.status === 'no_contactado' && Date.parse(i.receivedAt) < now - 4 * DAY)).toBe(true);
  });

  it('pagination covers every lead once, newest first', async () => {
    const items = await all('', 4);
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(await sql("SELECT count(*) FROM leads WHERE contact_state <> 'descartado'"));
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]];
      expect(Date.parse(a.receivedAt) > Date.parse(b.receivedAt) || (a.receivedAt === b.receivedAt && a.id > b.id)).toBe(true);
    }
  });

  it('list items carry the documented fields', async () => {
    const { items } = await h.json('/api/leads?quality=bueno&limit=1');
    expect(Object.keys(items[0])).toEqual(expect.arrayContaining(['id', 'quality', 'contactState', 'status', 'fields', 'project', 'parser', 'medium', 'receivedAt', 'followUpAt', 'clientId', 'problems']));
    expect(Object.keys(items[0].fields).sort()).toEqual(['email', 'message', 'name', 'nationalId', 'phone', 'project']);
    expect(items[0].followUpAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('filters by arrival date (a bare date is a whole local day) and by project', async () => {
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'America/Santiago' });
    const items = await all(`from=${today}&to=${today}`);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => Date.now() - Date.parse(i.receivedAt) < 2 * DAY)).toBe(true);
    const mdv = await all('project=Mirador%20del%20Valle');
    expect(mdv.length).toBe(await sql("SELECT count(*) FROM leads l JOIN projects p ON p.id = l.project_id WHERE p.name = 'Mirador del Valle'"));
    expect(mdv.every((i) => i.project === 'Mirador del Valle')).toBe(true);
  });

  it('rejects bad parameters with 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['quality=excelente', /^quality: /],
      ['status=perdido', /^status: /],
      ['limit=0', /^limit: /],
      ['limit=201', /^limit: /],
      ['limit=abc', /^limit: /],
      ['from=ayer', /^from: /],
      ['from=2024-02-30', /^from: no es una fecha del calendario/],
      ['from=2024-05-02&to=2024-05-01', /^to: /],
      ['project=Nope', /^project: proyecto desconocido/],
      ['cursor=zzz', /^cursor: /],
      ['sort=name', /^sort: parámetro desconocido/],
      ['quality=bueno&quality=malo', /^quality: viene más de una vez/],
      [`q=${'x'.repeat(101)}`, /^q: /],
    ];
    for (const [q, message] of cases) {
      const res = await h.call(`/api/leads?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error, q).toMatch(message);
    }
  });
});

describe('search', () => {
  const ids = async (q: string) => (await all(`q=${encodeURIComponent(q)}`)).map((i) => i.id).sort((a, b) => a - b);

  it('finds the returning client by RUT in any written form, by email and by phone', async () => {
    const expected = [...data.anaLeadIds].sort((a, b) => a - b);
    const body = ANA.rut.split('-')[0];
    for (const q of [ANA.rut, dotted(ANA.rut), ANA.rut.replace('-', ''), ` ${dotted(ANA.rut)} `, body, ANA.email, ANA.email.toUpperCase(), ANA.phone, '987654321', '+56987654321', '9 8765 4321']) {
      expect(await ids(q), q).toEqual(expected);
    }
  });

  it('finds names by prefix and by a word inside, accents and case folded', async () => {
    expect(await ids('ana maria')).toEqual([...data.anaLeadIds].sort((a, b) => a - b));
    expect(await ids('ROJAS')).toEqual([...data.anaLeadIds].sort((a, b) => a - b));
    expect((await ids('Ána María Ro')).length).toBe(3);
    expect((await ids('cliente bueno')).length).toBe(12);
    expect(await ids('nadie-con-este-nombre')).toEqual([]);
    expect(await ids('%')).toEqual([]);
  });

  it('finds partial emails, email domains, the last digits of a phone and name words in any order', async () => {
    const ana = [...data.anaLeadIds].sort((a, b) => a - b);
    // Independent of src/: which seeded leads carry each piece, read straight from the table.
    const having = (where: string, ...args: unknown[]) => column(h.app, `SELECT id FROM leads WHERE ${where} AND contact_state <> 'descartado' ORDER BY id`, args);
    expect(await ids('ana.rojas@')).toEqual(await having("email LIKE 'ana.rojas@%'"));
    expect(await ids('@hotmail.com')).toEqual(await having("email LIKE '%@hotmail.com'"));
    expect((await ids('@hotmail.com')).length).toBeGreaterThan(0);
    expect(await ids('4321')).toEqual(await having("phone LIKE '%4321'"));
    expect(await ids('rojas ana')).toEqual(ana);
    expect(await ids('Rojas María')).toEqual(ana);
    expect(await ids('rojas pedro')).toEqual([]);
  });
});

describe('GET /api/leads/:id and the raw email', () => {
  it('shows the lead, its client, follow-ups, history and raw metadata', async () => {
    const d = await h.json(`/api/leads/${data.anaLeadIds[0]}`);
    expect(d.lead).toMatchObject({ id: data.anaLeadIds[0], quality: 'bueno', contactState: 'por_contactar', nationalId: ANA.rut, email: ANA.email, project: 'Parque Los Robles' });
    expect(d.lead.searchName).toBeUndefined();
    expect(d.client).toMatchObject({ nationalId: ANA.rut, email: ANA.email });
    expect(d.followUps.length).toBeGreaterThanOrEqual(1);
    expect(d.followUps[0]).toMatchObject({ action: 'continuar', status: 'open' });
    expect(Array.isArray(d.actions)).toBe(true);
    expect(d.rawEmail).toMatchObject({ status: 'lead', hasBody: true });
    expect(d.rawEmail.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.rawEmail.messageId).toMatch(/@inmobiliaria-prueba\.cl>$/);
  });

  it("a lead stored before problem details lost their English shows them in today's form", async () => {
    const id = data.leadIds[2];
    const legacy = { 'project.unmatched': 'closest: Parque Los Robles (0.83)', 'nationalId.notPersonal': 'RUT 76.123.456-7 is not a personal ID', 'phone.invalid': '+56 2 0123' };
    await exec(h.app, 'UPDATE leads SET problem_details = ? WHERE id = ?', [JSON.stringify(legacy), id]);
    const d = await h.json(`/api/leads/${id}`);
    expect(d.lead.problemDetails).toEqual({ 'project.unmatched': '¿Parque Los Robles?', 'nationalId.notPersonal': 'RUT 76.123.456-7', 'phone.invalid': '+56 2 0123' });
  });

  it('serves the original bytes as an attachment, and 410 once purged', async () => {
    const id = data.leadIds[3];
    const res = await h.call(`/api/leads/${id}/raw`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('message/rfc822');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="lead-${id}.eml"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString('utf8')).toContain('Nombre: Cliente Bueno');
    await exec(h.app, 'UPDATE raw_emails SET purged_at = ? WHERE id = (SELECT raw_email_id FROM leads WHERE id = ?)', [Date.now(), id]);
    await exec(h.app, 'DELETE FROM raw_bodies WHERE raw_email_id = (SELECT raw_email_id FROM leads WHERE id = ?)', [id]);
    const gone = await h.call(`/api/leads/${id}/raw`);
    expect(gone.status).toBe(410);
    expect((await gone.json()).error).toMatch(/eliminado por la política de retención/);
  });

  it('404 for a lead that does not exist, 400 for an id that is not one', async () => {
    expect((await h.call('/api/leads/999999')).status).toBe(404);
    expect((await h.call('/api/leads/999999/raw')).status).toBe(404);
    expect((await h.call('/api/leads/abc')).status).toBe(400);
    expect((await h.call('/api/leads/0')).status).toBe(400);
  });
});

describe('admin views: emails, parsers, health, metrics', () => {
  it('lists emails that did not become leads, with their reason', async () => {
    const { items } = await h.json('/api/emails?status=ignored');
    expect(items.length).toBe(1);
    expect(items[0]).toMatchObject({ status: 'ignored', ignoredReason: 'bounce' });
    expect((await h.call('/api/emails?status=lead')).status).toBe(400);
    // An email stored and not (yet) processed is listed too: a stuck one is never invisible.
    const pendingId = await h.app.store.unitOfWork((tx) => io(tx.insertRaw({ source: 'file', messageId: '<atascado@x>', sha256: 'atascado', size: 1, raw: Buffer.from('x'), receivedAt: 1 }, 1)));
    expect((await h.json('/api/emails?status=pending')).items.map((e: { id: number }) => e.id)).toContain(pendingId);
    await h.app.store.unitOfWork((tx) => io(tx.setRawFailure(pendingId, 'error', 'test: no se pudo leer', 2))); // leaves the fixture's counts as they were
  });

  it('reports parser health, also inside /api/stats', async () => {
    const { parsers } = await h.json('/api/parsers');
    const generic = parsers.find((p: any) => p.parser === '_generic');
    expect(generic).toMatchObject({ templateChanged: false });
    expect(generic.leads7d).toBe(await sql('SELECT count(*) FROM leads WHERE received_at >= ?', Date.now() - 7 * DAY));
    expect((await h.json('/api/stats')).parserHealth).toEqual(parsers);
  });

  it('/healthz is open and turns not-ok when a mailbox is stale or cannot log in', async () => {
    const ok = await h.call('/healthz', { token: null });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, db: { ok: true }, mailboxes: [] });
    h.mailboxes.push({ name: 'ventas', state: 'auth_failed', connected: false, lastSuccessAt: null, lastError: 'AUTHENTICATIONFAILED', messagesBehind: null, nextRetryAt: Date.now() + 60_000, stale: false });
    const bad = await h.call('/healthz', { token: null });
    expect(bad.status).toBe(503);
    const body = await bad.json();
    expect(body).toMatchObject({ ok: false, mailboxes: [{ name: 'ventas', state: 'auth_failed' }] });
    // The error's text (it can name the IMAP user) is for signed-in managers only.
    expect(JSON.stringify(body)).not.toContain('AUTHENTICATIONFAILED');
    expect(body.mailboxes[0].lastError).toBe('error (ver /api/health)');
    expect((await h.call('/api/health', { token: null })).status).toBe(401);
    const detail = await h.call('/api/health');
    expect(detail.status).toBe(503);
    expect((await detail.json()).mailboxes[0].lastError).toBe('AUTHENTICATIONFAILED');
    h.mailboxes.length = 0;
  });

  it('/healthz and /metrics answer a flood from a short cache', async () => {
    const cached = await startHarness({ cacheMs: 60_000 });
    try {
      const first = await (await cached.call('/healthz', { token: null })).json();
      cached.mailboxes.push({ name: 'ventas', state: 'auth_failed', connected: false, lastSuccessAt: null, lastError: 'x', messagesBehind: null, nextRetryAt: null, stale: false });
      const again = await cached.call('/healthz', { token: null });
      expect(again.status).toBe(200); // the cached answer, not a new computation
      expect(await again.json()).toEqual(first);
    } finally {
      await cached.close();
    }
  });

  it('/metrics exposes the ingest counters and mailbox state in Prometheus text', async () => {
    h.mailboxes.push({ name: 'ventas', state: 'idle', connected: true, lastSuccessAt: Date.now(), lastError: null, messagesBehind: 0, nextRetryAt: null, stale: false });
    const res = await h.call('/metrics', { token: null });
    const text = await res.text();
    h.mailboxes.length = 0;
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/centralizer_emails_ingested_total\{parser="generic",quality="bueno"\} 13/);
    expect(text).toContain('centralizer_ingest_latency_seconds_bucket');
    expect(text).toContain('centralizer_emails_ignored_total');
    expect(text).toContain('centralizer_ingest_errors_total');
    expect(text).toMatch(/centralizer_mailbox_state\{mailbox="ventas",state="idle"\} 1/);
    expect(text).not.toContain(ANA.email);
  });

  it('one more email shows up in stats at once', async () => {
    const before = (await h.json('/api/stats')).total;
    await h.app.ingestor.ingest(formEmail({ name: 'Nuevo Interesado', email: 'nuevo.interesado@gmail.com', project: 'PLR' }), { source: 'file' });
    expect((await h.json('/api/stats')).total).toBe(before + 1);
  });
});
