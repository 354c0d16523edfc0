// Every route × every role × own and foreign objects. The expected scope of each person is
// computed here straight from the database (owner vendor, project), independently of src/http;
// a route that answers another person's data, or a foreign object with anything but 404, fails.
import { rows, value } from './helpers/db-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/routes.ts';
import { formEmail, rut, startHarness, tableDigest, type Harness } from './http-fixture.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const PROJECTS = [
  `  - name: ${PLR}`,
  '    aliases: [PLR]',
  '    vendors:',
  '      - {id: v1, name: Vera Díaz}',
  '      - {id: v2, name: Hugo Pérez}',
  `  - name: ${MDV}`,
  '    aliases: [MDV]',
  '    vendors:',
  '      - {id: v3, name: Ana Soto}',
];

interface Lead { id: number; email: string; owner: string | null; project: number | null; clientId: number | null }
interface Person { email: string; role: string; token: string; sees: (l: Lead) => boolean }

let h: Harness;
let leads: Lead[] = [];
const people: Person[] = [];
let mdvId = 0;

beforeAll(async () => {
  h = await startHarness({ projects: PROJECTS });
  for (let n = 0; n < 14; n++) {
    const p = { name: `Cliente ${String.fromCharCode(65 + n)}lvarez`, rut: rut(21_000_000 + n * 7919), email: `persona${n}@correo-prueba.cl`, phone: `+56 9 6${String(n).padStart(3, '0')} 1234`, project: n % 3 === 0 ? MDV : PLR };
    await h.app.ingestor.ingest(formEmail(p, { daysAgo: n }), { source: 'file' });
  }
  // A con_problemas lead without an owner: only managers of every project see it.
  await h.app.ingestor.ingest(formEmail({ name: 'Sin Dueño', email: 'sindueno@correo-prueba.cl', project: 'Torre Desconocida' }), { source: 'file' });
  leads = await rows<Lead>(h.app, 'SELECT id, email, owner_vendor_id AS owner, project_id AS project, client_id AS "clientId" FROM leads ORDER BY id');
  mdvId = await value(h.app, 'SELECT id FROM projects WHERE name = ?', [MDV]);
  expect(new Set(leads.map((l) => l.owner))).toEqual(new Set(['v1', 'v2', 'v3', null]));
  const add = async (email: string, role: string, sees: Person['sees'], opts = {}) => people.push({ email, role, token: await h.addUser(email, role, opts), sees });
  await add('admin@inmo.cl', 'admin', () => true);
  await add('gerente.todo@inmo.cl', 'gerente', () => true);
  await add('gerente.mdv@inmo.cl', 'gerente', (l) => l.project === mdvId, { projects: [MDV] });
  await add('super@inmo.cl', 'supervisor', (l) => l.owner === 'v1' || l.owner === 'v3', { team: ['v1', 'v3'] });
  await add('vera@inmo.cl', 'vendedor', (l) => l.owner === 'v1', { vendorId: 'v1' });
  await add('ana@inmo.cl', 'vendedor', (l) => l.owner === 'v3', { vendorId: 'v3' });
});
afterAll(() => h.close());

const ids = (items: { id: number }[]) => items.map((i) => i.id).sort((a, b) => a - b);

describe('each person sees exactly their own leads', () => {
  it('in the list, the stats, the exports, the vendor lists and the options', async () => {
    for (const p of people) {
      const own = leads.filter(p.sees);
      expect(own.length, p.email).toBeGreaterThan(0);
      const list = await h.json(`/api/leads?limit=200`, { token: p.token });
      expect(ids(list.items), p.email).toEqual(own.map((l) => l.id));
      expect((await h.json('/api/stats', { token: p.token })).total, p.email).toBe(own.length);
      const csv = await (await h.call('/api/leads/export.csv', { token: p.token })).text();
      expect(csv.trim().split('\n').length - 1, p.email).toBe(own.length);
      const vendors = await h.json('/api/vendors', { token: p.token });
      const pending = vendors.items.reduce((n: number, v: { pending: number }) => n + v.pending, 0);
      expect(pending, p.email).toBe(own.filter((l) => l.owner !== null).length);
    }
  });

  it('no GET route answers an email of a lead outside the caller scope', async () => {
    for (const p of people.filter((x) => x.role !== 'admin')) {
      const foreign = leads.filter((l) => !p.sees(l));
      for (const r of ROUTES.filter((x) => x.method === 'GET' && x.allow !== 'public')) {
        const paths = r.path.includes(':id') ? leads.map((l) => r.path.replace(':id', r.path.includes('vendors') ? (l.owner ?? 'v2') : String(r.path.includes('clients') ? l.clientId : l.id))) : [r.path];
        for (const path of [...new Set(paths)]) {
          const res = await h.call(path, { token: p.token });
          // The event stream never ends by itself: its scoping has its own test (live-events.test.ts).
          if (res.headers.get('content-type')?.startsWith('text/event-stream')) { await res.body?.cancel(); continue; }
          const body = await res.text();
          for (const l of foreign) expect(body.includes(l.email), `${p.email} GET ${path} shows ${l.email}`).toBe(false);
        }
      }
    }
  });
});

describe('foreign objects answer 404, and actions on them change nothing', () => {
  // The other path parameters get valid values: the route must answer for the :id alone.
  const pathFor = (path: string, id: string) => path.replace(':id', encodeURIComponent(id)).replace(':messageId', '1').replace(':n', '0');

  it('walks every route with an :id for every limited role', async () => {
    const foreignVendors: Record<string, string[]> = { 'super@inmo.cl': ['v2'], 'vera@inmo.cl': ['v2', 'v3'], 'ana@inmo.cl': ['v1', 'v2'] };
    const limited = people.filter((x) => leads.some((l) => !x.sees(l)));
    expect(limited.map((x) => x.role).sort()).toEqual(['gerente', 'supervisor', 'vendedor', 'vendedor']);
    for (const p of limited) {
      const foreign = leads.filter((l) => !p.sees(l));
      const own = leads.find(p.sees)!;
      for (const r of ROUTES.filter((x) => x.path.includes(':id'))) {
        const allowed = r.allow !== 'public' && r.allow.includes(p.role as never);
        const targets = r.path.startsWith('/api/vendors')
          ? (foreignVendors[p.email] ?? []) // a manager sees every vendor (their leads stay scoped)
          : r.path.startsWith('/api/clients')
            ? foreign.filter((l) => l.clientId !== null).slice(0, 3).map((l) => String(l.clientId))
            : foreign.slice(0, 3).map((l) => String(l.id));
        for (const id of targets) {
          const before = await tableDigest(h.app);
          const body = r.method === 'POST' ? validBody(r.path) : undefined;
          const res = await h.call(pathFor(r.path, id), { method: r.method, token: p.token, headers: body ? { 'Content-Type': 'application/json' } : {}, body });
          expect(res.status, `${p.email} ${r.method} ${r.path} on ${id}`).toBe(allowed ? 404 : 403);
          expect(await tableDigest(h.app), `${p.email} ${r.method} ${r.path}`).toBe(before);
        }
        // The same route on the person's own lead is not refused.
        if (allowed && r.method === 'GET' && r.path.startsWith('/api/leads')) {
          const res = await h.call(pathFor(r.path, String(own.id)), { token: p.token });
          // An attachment the email lacks is 404 too, but said of the email, not of the lead's scope.
          if (r.path.includes(':n')) expect(((await res.json()) as { error: string }).error, `${p.email} ${r.path} own`).toMatch(/no tiene el adjunto/);
          else expect(res.status, `${p.email} ${r.path} own`).toBe(200);
        }
      }
    }
  });

  it('routes a role may not use answer 403 and are not offered', async () => {
    const vendor = people.find((p) => p.role === 'vendedor')!;
    for (const path of ['/api/emails', '/api/audit', '/api/users', '/api/parsers']) expect((await h.call(path, { token: vendor.token })).status, path).toBe(403);
    const manager = people.find((p) => p.email === 'gerente.mdv@inmo.cl')!;
    expect((await h.call('/api/parsers', { token: manager.token })).status).toBe(200);
    // A gerente reads the audit trail of her own projects' leads and clients only.
    const trail = (await h.json('/api/audit?limit=200', { token: manager.token })).items as { objectType: string; objectId: string }[];
    for (const e of trail) {
      expect(['lead', 'client']).toContain(e.objectType);
      if (e.objectType === 'lead') expect(leads.find((l) => l.id === Number(e.objectId))?.project).toBe(mdvId);
    }
    const stats = await h.json('/api/stats', { token: vendor.token });
    expect(stats.parserHealth).toBeUndefined();
    expect((await h.json('/api/vendors', { token: vendor.token })).items.map((v: { id: string }) => v.id)).toEqual(['v1']);
  });

  it('a vendor acts on their own lead, recorded with their name', async () => {
    const vera = people.find((p) => p.email === 'vera@inmo.cl')!;
    const own = leads.find((l) => l.owner === 'v1' && l.clientId !== null)!;
    const res = await h.post(`/api/leads/${own.id}/follow-up`, { expectation: 'media', contactType: 'llamada', comment: 'Llamé' }, {}, vera.token);
    expect(res.status, await res.clone().text()).toBe(200);
    const d = await h.json(`/api/leads/${own.id}`, { token: vera.token });
    expect(d.actions[0]).toMatchObject({ action: 'follow_up', actor: 'vera@inmo.cl', actorName: 'vera' });
    const audit = await h.json('/api/audit?user=vera@inmo.cl');
    expect(audit.items[0]).toMatchObject({ action: 'lead.follow_up', actor: 'vera@inmo.cl', objectId: String(own.id) });
    // The gerente of Mirador del Valle sees it only when the lead is hers.
    const manager = people.find((p) => p.email === 'gerente.mdv@inmo.cl')!;
    const hers = (await h.json('/api/audit?user=vera@inmo.cl', { token: manager.token })).items.map((e: { objectId: string }) => e.objectId);
    expect(hers.includes(String(own.id))).toBe(own.project === mdvId);
  });
});

describe('writes without an :id are scoped too: interactions, walk-ins, notifications', () => {
  const extraHash = () => tableDigest(h.app, ['interactions', 'notifications']);
  const clientOf = async (l: Lead) => (await rows<{ id: number; rut: string; name: string; phone: string }>(h.app, 'SELECT id, national_id AS rut, name, phone FROM clients WHERE id = ?', [l.clientId]))[0];
  const projectName = (l: Lead) => value<string>(h.app, 'SELECT name FROM projects WHERE id = ?', [l.project]);

  it('every limited person: a foreign client, a foreign external id or another vendor is refused and changes nothing', async () => {
    const limited = people.filter((x) => leads.some((l) => !x.sees(l)));
    for (const p of limited) {
      const own = leads.find((l) => p.sees(l) && l.clientId !== null && l.project !== null)!;
      const foreign = leads.filter((l) => !p.sees(l) && l.clientId !== null).slice(0, 3);
      for (const f of foreign) {
        const theirs = await clientOf(f);
        const ext = `EXT-${p.email}-${f.id}`;
        expect((await h.post('/api/interactions', { tipo: 'cotizacion', rut: theirs.rut, proyecto: await projectName(f), fecha: '2026-01-10', id: ext, monto: 3000 })).status).toBe(200);
        const before = await extraHash();
        const onForeign = await h.post('/api/interactions', { tipo: 'cotizacion', rut: theirs.rut, proyecto: await projectName(own), fecha: '2026-01-10', monto: 1 }, {}, p.token);
        expect(onForeign.status, `${p.email} interaction on a foreign client`).toBe(400);
        const moved = await h.post('/api/interactions', { tipo: 'cotizacion', rut: (await clientOf(own)).rut, proyecto: await projectName(own), fecha: '2026-01-10', id: ext, monto: 1 }, {}, p.token);
        expect(moved.status, `${p.email} a foreign external id`).toBe(400);
        expect(await moved.text()).toMatch(/no es tuya/);
        expect(await extraHash(), `${p.email} changed nothing`).toBe(before);
      }
      if (p.role === 'vendedor') {
        const before = await extraHash();
        const other = p.email === 'vera@inmo.cl' ? 'v3' : 'v1';
        const res = await h.post('/api/interactions', { tipo: 'cotizacion', rut: (await clientOf(own)).rut, proyecto: await projectName(own), fecha: '2026-01-10', vendedor: other }, {}, p.token);
        expect(res.status, `${p.email} in ${other}'s name`).toBe(400);
        expect(await extraHash()).toBe(before);
      }
    }
  });

  it('a walk-in naming a foreign client answers none of that client', async () => {
    for (const p of people.filter((x) => x.role === 'vendedor' || x.role === 'supervisor')) {
      const f = leads.find((l) => !p.sees(l) && l.clientId !== null && l.project !== null)!;
      const theirs = await clientOf(f);
      const res = await h.post('/api/walk-ins', { name: 'Otra Persona', email: f.email, project: await projectName(f) }, {}, p.token);
      expect(res.status, p.email).toBe(201);
      const text = await res.text();
      expect(JSON.parse(text), p.email).toMatchObject({ clientId: null, leadId: null, clientOfAnotherVendor: true });
      for (const secret of [theirs.name, theirs.phone, theirs.rut]) expect(text, `${p.email} ${secret}`).not.toContain(secret);
    }
  });

  it('a gerente of one project: other projects\' vendors, notifications and walk-ins are not hers', async () => {
    const g = people.find((x) => x.email === 'gerente.mdv@inmo.cl')!;
    const plrLead = leads.find((l) => l.project !== null && l.project !== mdvId)!;
    const mdvLead = leads.find((l) => l.project === mdvId)!;
    const insert = (key: string, l: Lead) => value(h.app, `INSERT INTO notifications (key, kind, lead_id, project_id, vendor_id, recipient, subject, text, status, attempts, next_attempt_at, created_at)
      VALUES (?, 'assignment', ?, ?, ?, 'x@inmo.cl', ?, 'x', 'failed', 5, 0, 1) RETURNING id`, [key, l.id, l.project, l.owner, `Nuevo lead ${l.email}`]);
    const foreignN = await insert('roles:plr', plrLead);
    const ownN = await insert('roles:mdv', mdvLead);
    const list = await h.json('/api/notifications', { token: g.token });
    expect(list.items.map((n: { id: number }) => n.id)).toEqual([ownN]);
    const before = await extraHash();
    expect((await h.call(`/api/notifications/${foreignN}/resend`, { method: 'POST', token: g.token })).status).toBe(404);
    for (const v of ['v1', 'v2']) expect((await h.post(`/api/vendors/${v}/retire`, {}, {}, g.token)).status, `retire ${v}`).toBe(404);
    expect((await h.post('/api/walk-ins', { name: 'Otra Persona', email: 'nueva@correo-prueba.cl', project: PLR }, {}, g.token)).status).toBe(400);
    expect(await extraHash()).toBe(before);
  });
});

describe('customer service (atencion) sees cases, never leads', () => {
  it('every lead, funnel and vendor route answers 403 or nothing of a lead; the own session works', async () => {
    for (const role of ['atencion', 'atencion_supervisor']) {
      const token = await h.addUser(`${role}@inmo.cl`, role);
      expect((await h.json('/api/me', { token })).role).toBe(role);
      const before = await tableDigest(h.app);
      for (const r of ROUTES.filter((x) => x.allow !== 'public' && !x.path.startsWith('/api/me') && !x.path.startsWith('/api/session') && !x.path.startsWith('/api/cases'))) {
        const path = r.path.replace(':id', String(r.path.includes('vendors') ? 'v1' : r.path.includes('clients') ? leads[0].clientId : leads[0].id));
        const body = r.method === 'POST' ? validBody(r.path) : undefined;
        const res = await h.call(path, { method: r.method, token, headers: body ? { 'Content-Type': 'application/json' } : {}, body });
        const text = await res.text();
        if (!r.allow.includes(role as never)) expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
        for (const l of leads) expect(text.includes(l.email), `${role} ${r.method} ${path} shows ${l.email}`).toBe(false);
      }
      expect(await tableDigest(h.app), role).toBe(before);
    }
  });
});

function validBody(path: string): string {
  if (path.endsWith('/edit')) return JSON.stringify({ name: 'Otro Nombre' });
  if (path.endsWith('/follow-up')) return JSON.stringify({ expectation: 'media', contactType: 'llamada', comment: 'x' });
  if (path.endsWith('/abort')) return JSON.stringify({ comment: 'x' });
  if (path.endsWith('/discard')) return JSON.stringify({ reason: 'spam', comment: 'x' });
  if (path.endsWith('/reassign')) return JSON.stringify({ vendorId: 'v1', reason: 'x' });
  if (path.endsWith('/reply')) return JSON.stringify({ text: 'x' });
  if (path.endsWith('/status')) return JSON.stringify({ status: 'resuelto' });
  if (path.endsWith('/visits')) return JSON.stringify({ kind: 'tecnica', scheduledAt: '2025-03-10T10:00', who: 'x' });
  if (path.endsWith('/assign')) return JSON.stringify({ userId: null });
  if (path.endsWith('/category')) return JSON.stringify({ category: 'consulta' });
  return '{}';
}
