// The manager's reassignment and the page's live stream over both engines: a reassignment needs a
// reason, shows in the lead's Historial and emails the new owner (a real SMTP receiver); GET
// /api/events carries each person only what their scope sees, and ends when they sign out.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';
import { startSmtp, until, type SmtpReceiver } from './helpers/smtp-receiver.ts';
import { noPostgres } from './helpers/tools.ts';

const PROJECTS = [
  '  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:',
  '      - {id: v1, name: Vera Díaz, email: vera@inmo.cl}', '      - {id: v2, name: Hugo Pérez, email: hugo@inmo.cl}',
  '  - name: Mirador del Valle', '    aliases: [MDV]', '    vendors:', '      - {id: v3, name: Ana Soto, email: ana.soto@inmo.cl}',
];

interface Stream { events: { event: string; data: any }[]; emitter: EventEmitter; done: Promise<void>; close(): void }

/** Reads a server-sent event stream as it comes; `emitter` fires 'event' on each one. */
async function openStream(h: Harness, auth: { token?: string; cookie?: string }): Promise<Stream> {
  const ctrl = new AbortController();
  const headers: Record<string, string> = auth.cookie ? { Cookie: auth.cookie } : {};
  const res = await h.call('/api/events', { token: auth.token ?? null, headers, signal: ctrl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Stream['events'] = [];
  const emitter = new EventEmitter();
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (name && data) {
            events.push({ event: name, data: JSON.parse(data) });
            emitter.emit('event');
          }
        }
      }
    } catch {
      // aborted by the test
    }
    emitter.emit('end');
  })();
  await until('stream ready', emitter, 'event', () => events.some((e) => e.event === 'ready'));
  return { events, emitter, done, close: () => ctrl.abort() };
}

const leadIds = (s: Stream, type = 'lead') => s.events.filter((e) => e.event === type).map((e) => e.data.leadId as number);

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && noPostgres())(`reassignment and live events (${engine})`, () => {
    let h: Harness;
    let smtp: SmtpReceiver;
    let n: Notifications;
    const tokens: Record<string, string> = {};
    let n0 = 0;
    const ingest = async (name: string, project: string) => (await h.app.ingestor.ingest(formEmail({ name, rut: rut(12_000_000 + ++n0 * 7_919), email: `c${n0}@gmail.com`, phone: `+56 9 8000 ${String(1000 + n0)}`, project }), { source: 'file' })).leadId!;

    beforeAll(async () => {
      smtp = await startSmtp();
      h = await startHarness({
        engine, projects: PROJECTS, logLevel: 'silent', liveHeartbeatMs: 200,
        extraYaml: ['smtp:', '  host: 127.0.0.1', `  port: ${smtp.port}`, '  secure: false', "  from: 'Centralizador <leads@inmo.cl>'"],
      });
      n = startNotifications(h.app, createLogger('silent'), { intervalMs: 50 });
      tokens.v1 = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
      tokens.v2 = await h.addUser('hugo@inmo.cl', 'vendedor', { vendorId: 'v2' });
      tokens.v3 = await h.addUser('ana.soto@inmo.cl', 'vendedor', { vendorId: 'v3' });
      tokens.gerente = await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
      tokens.gerentePlr = await h.addUser('gerente.plr@inmo.cl', 'gerente', { projects: ['Parque Los Robles'] });
    });
    afterAll(async () => {
      await n?.stop();
      await h?.close();
      await smtp?.close();
    });

    it('a vendor hears of their own new leads only; a manager of all', async () => {
      const streams: Record<string, Stream> = {};
      for (const v of ['v1', 'v2', 'v3']) streams[v] = await openStream(h, { token: tokens[v] });
      const boss = await openStream(h, { token: tokens.gerente });
      const owned: Record<string, number[]> = { v1: [], v2: [], v3: [] };
      const all: number[] = [];
      // Two rounds; each stream handles events in order, so once a vendor has heard the second
      // round's lead of theirs, every earlier lead (theirs or not) was already judged.
      for (const round of [1, 2]) {
        for (const project of ['PLR', 'MDV', 'PLR']) {
          const id = await ingest(`Ronda ${round} ${project}`, project);
          const owner = (await h.json(`/api/leads/${id}`)).lead.ownerVendorId as string;
          owned[owner].push(id);
          all.push(id);
        }
      }
      for (const v of ['v1', 'v2', 'v3']) await until(`${v} hears its leads`, streams[v].emitter, 'event', () => owned[v].every((id) => leadIds(streams[v]).includes(id)));
      await until('the manager hears them all', boss.emitter, 'event', () => all.every((id) => leadIds(boss).includes(id)));
      for (const v of ['v1', 'v2', 'v3']) expect(leadIds(streams[v]), v).toEqual(owned[v]);
      expect(owned.v3).toHaveLength(2);
      expect(owned.v1.length + owned.v2.length).toBe(4);
      for (const s of [...Object.values(streams), boss]) s.close();
    });

    it('a reassignment needs a reason, shows in Historial, emails the new owner and reaches their page', async () => {
      const lead = await ingest('Cliente Reasignado', 'PLR');
      const detail = await h.json(`/api/leads/${lead}`, { token: tokens.gerente });
      const clientId = detail.lead.clientId as number;
      const from = detail.lead.ownerVendorId as string;
      const to = from === 'v1' ? 'v2' : 'v1';
      for (const reason of [undefined, '', '   ']) {
        const res = await h.post(`/api/clients/${clientId}/reassign`, { vendorId: to, ...(reason === undefined ? {} : { reason }) }, {}, tokens.gerente);
        expect(res.status, String(reason)).toBe(400);
      }
      const stream = await openStream(h, { token: tokens[to] });
      const res = await h.post(`/api/clients/${clientId}/reassign`, { vendorId: to, reason: 'Vacaciones de Vera' }, {}, tokens.gerente);
      expect(res.status).toBe(200);
      const after = await h.json(`/api/leads/${lead}`, { token: tokens.gerente });
      expect(after.lead.ownerVendorId).toBe(to);
      const moved = after.actions.find((a: any) => a.action === 'manual-reassign');
      expect(moved).toMatchObject({ actor: 'jefa@inmo.cl', actorName: 'Jefa Ventas', data: { from, to, reason: 'Vacaciones de Vera' } });
      // The new owner's email, through the outbox, to the real SMTP receiver.
      const address = to === 'v1' ? 'vera@inmo.cl' : 'hugo@inmo.cl';
      await until('the reassignment email', smtp.events, 'mail', () => smtp.mails.some((m) => m.subject?.includes('Cliente Reasignado')));
      const mail = smtp.mails.find((m) => m.subject?.includes('Cliente Reasignado'))!;
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain(address);
      expect(mail.subject).toBe('Cliente reasignado a ti: Cliente Reasignado - Parque Los Robles');
      expect(mail.text).toContain('Motivo: Vacaciones de Vera');
      expect(mail.text).toContain('Reasignado por: Jefa Ventas');
      expect(mail.text).not.toMatch(/\b(2[4-9]|[3-9]\d):\d\d\b/);
      // And their open page hears of it, with the lead that moved.
      await until('assignment event', stream.emitter, 'event', () => stream.events.some((e) => e.event === 'assignment'));
      expect(stream.events.find((e) => e.event === 'assignment')!.data).toMatchObject({ clientId, vendorId: to, mine: true, leadIds: [lead] });
      // The vendor it left no longer sees the lead: no id of it reaches them.
      const gone = await h.call(`/api/leads/${lead}`, { token: tokens[from] });
      expect(gone.status).toBe(404);
      stream.close();
    });

    it('a lead whose client has an open possible-duplicate mark says so in the list and the detail', async () => {
      const first = (await h.app.ingestor.ingest(formEmail({ name: 'Ignacio Fuentes', rut: rut(22_777_777), email: 'ignacio@gmail.com', phone: '+56 9 8777 7777', project: 'MDV' }), { source: 'file' })).leadId!;
      const second = (await h.app.ingestor.ingest(formEmail({ name: 'Josefa Lagos', email: 'josefa@hotmail.com', phone: '+56 9 8777 7777', project: 'MDV' }), { source: 'file' })).leadId!;
      const items = (await h.json('/api/leads?limit=100', { token: tokens.v3 })).items as { id: number; possibleDuplicate: boolean }[];
      expect(items.filter((l) => l.possibleDuplicate).map((l) => l.id).sort()).toEqual([first, second].sort());
      expect((await h.json(`/api/leads/${second}`, { token: tokens.v3 })).client.possibleDuplicate).toBe(true);
      const [mark] = (await h.json('/api/duplicates')).items;
      await h.post(`/api/duplicates/${mark.id}/dismiss`, {});
      expect((await h.json(`/api/leads/${second}`, { token: tokens.v3 })).client.possibleDuplicate).toBe(false);
      // A dismissal taken back: the mark is open again, audited; only a dismissed mark reopens.
      expect((await h.post(`/api/duplicates/${mark.id}/reopen`, {}, {}, tokens.v3)).status).toBe(403);
      // A gerente of another project does not see these clients: as if the mark did not exist.
      expect((await h.post(`/api/duplicates/${mark.id}/reopen`, {}, {}, tokens.gerentePlr)).status).toBe(404);
      expect((await h.json(`/api/leads/${second}`, { token: tokens.v3 })).client.possibleDuplicate).toBe(false);
      expect((await h.post(`/api/duplicates/${mark.id}/reopen`, {})).status).toBe(200);
      expect((await h.json(`/api/leads/${second}`, { token: tokens.v3 })).client.possibleDuplicate).toBe(true);
      expect((await h.json('/api/duplicates')).items).toContainEqual(expect.objectContaining({ id: mark.id, status: 'open', decidedBy: null }));
      expect((await h.post(`/api/duplicates/${mark.id}/reopen`, {})).status).toBe(409);
      expect((await h.json('/api/audit?action=client.reopen_duplicate')).items).toHaveLength(1);
      await h.post(`/api/duplicates/${mark.id}/dismiss`, {});
    });

    it('the audit trail filters by person, action and date range in SQL', async () => {
      const all = (await h.json('/api/audit?limit=200')).items as { action: string; actor: string; at: string }[];
      expect(all.some((r) => r.action === 'client.reassign')).toBe(true);
      const reassigns = (await h.json('/api/audit?action=client.reassign&user=jefa@inmo.cl')).items as typeof all;
      expect(reassigns.length).toBeGreaterThan(0);
      for (const r of reassigns) expect([r.action, r.actor]).toEqual(['client.reassign', 'jefa@inmo.cl']);
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Santiago' }).format(new Date());
      expect((await h.json(`/api/audit?action=client.reassign&from=${day}&to=${day}`)).items).toHaveLength(reassigns.length);
      expect((await h.json('/api/audit?action=client.reassign&from=2020-01-01&to=2020-01-31')).items).toEqual([]);
      const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Santiago' }).format(new Date(Date.now() - 86_400_000));
      expect((await h.json(`/api/audit?to=${yesterday}`)).items).toEqual([]);
      const bad = await h.call(`/api/audit?from=${day}&to=2020-01-01`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toBe('to: debe ser posterior a from');
      // A gerente reads what was done to her leads and clients: the reassigns, never sign-ins or users.
      const hers = (await h.json('/api/audit?limit=200', { token: tokens.gerente })).items as { action: string; objectType: string }[];
      expect(hers.some((r) => r.action === 'client.reassign')).toBe(true);
      for (const r of hers) expect(['lead', 'client']).toContain(r.objectType);
    });

    it.skipIf(engine !== 'postgres')('a lead stored by another daemon on the same PostgreSQL reaches the open page', async () => {
      const other = await createApp(h.app.config, createLogger('silent'));
      try {
        const streams = { v3: await openStream(h, { token: tokens.v3 }), v1: await openStream(h, { token: tokens.v1 }) };
        const r = await other.ingestor.ingest(formEmail({ name: 'Desde Otro Daemon', rut: rut(19_123_456), email: 'otro.daemon@gmail.com', phone: '+56 9 8555 6677', project: 'MDV' }), { source: 'file' });
        await until('v3 hears the other daemon’s lead', streams.v3.emitter, 'event', () => leadIds(streams.v3).includes(r.leadId!));
        // The next lead of v1's, from this daemon: v1's stream judged the other one first and skipped it.
        const mine = await ingest('Lead Propio Vera', 'PLR');
        const owner = (await h.json(`/api/leads/${mine}`)).lead.ownerVendorId as 'v1' | 'v2';
        if (owner === 'v1') await until('v1 hears its own lead', streams.v1.emitter, 'event', () => leadIds(streams.v1).includes(mine));
        expect(leadIds(streams.v1)).not.toContain(r.leadId);
        expect(leadIds(streams.v3).filter((id) => id === r.leadId)).toHaveLength(1);
        for (const s of Object.values(streams)) s.close();
      } finally {
        await other.close();
      }
    });

    it('a stream ends at the next heartbeat once its credential is revoked', async () => {
      const token = await h.accounts.createToken('hugo@inmo.cl', 'pantalla', { userId: null, actor: 'cli' });
      const s = await openStream(h, { token });
      await h.accounts.revokeToken('hugo@inmo.cl', 'pantalla', { userId: null, actor: 'cli' });
      await s.done;
      expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'expired' } });
    });

    it('a signed-in page’s stream ends when the person signs out', async () => {
      const login = await h.call('/api/session', { token: null, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'vera@inmo.cl', password: PASSWORD }) });
      expect(login.status).toBe(200);
      const { csrf } = await login.json();
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const s = await openStream(h, { cookie });
      const out = await h.call('/api/session', { token: null, method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
      expect(out.status).toBe(200);
      await s.done;
      expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'signed_out' } });
      expect((await h.call('/api/events', { token: null, headers: { Cookie: cookie } })).status).toBe(401);
    });
  });
}
