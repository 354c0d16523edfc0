import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { DAY_MS } from '../src/vocabulary.ts';
import { ownerHistory, pendingLeads, reassignClient, registerActivity, retireVendor } from '../src/leads/ownership.ts';
import { WebhookSender, sign, SIGNATURE_HEADER } from '../src/ownership/webhooks.ts';
import { formEmail, rut } from './helpers/mail.ts';

const T0 = Date.parse('2026-01-05T12:00:00Z');
const dateHeader = (t: number) => new Date(t).toUTCString().replace('GMT', '+0000');

function config(vendorsYaml: string, extra = '') {
  return parseConfig(
    `country: CL\nparsersDir: ${process.cwd()}/parsers\nreassignAfterDays: 30\nprojects:\n  - name: Parque Los Robles\n    aliases: [PLR]\n    vendors:\n${vendorsYaml}\n${extra}`,
    'test.yaml',
    {},
  );
}
const TWO = `      - {id: v1, name: Vera, type: licencia_personal}\n      - {id: v2, name: Hugo, type: licencia_personal}`;

let dir: string;
let app: App;
// Reopened with a changed config, as `run` does after an edit: it writes projects and vendors.
const open = (cfg = config(TWO)) => createApp(cfg, createLogger('silent'), { dbPath: path.join(dir, 'o.db'), syncConfig: true });

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'owners-'));
  app = await open();
});
afterEach(() => {
  app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A bueno lead of person `n` arriving at `t`. */
async function leadOf(n: number, t: number) {
  const raw = formEmail({ date: dateHeader(t), lines: { Nombre: `Cliente ${String.fromCharCode(65 + n)}`, RUT: rut(10_000_000 + n * 7919), Correo: `c${n}@correo.cl`, Proyecto: 'PLR' } });
  const r = await app.ingestor.ingest(raw, { source: 'file' });
  const lead = sqliteStore(app).getLead(r.leadId!)!;
  return { clientId: r.clientId!, leadId: r.leadId!, owner: lead.ownerVendorId, contactType: lead.contactType };
}

describe('assignment of new clients', () => {
  it('goes round-robin among the project vendors, fairly across restarts', async () => {
    const owners = [(await leadOf(1, T0)).owner, (await leadOf(2, T0)).owner, (await leadOf(3, T0)).owner];
    expect(owners).toEqual(['v1', 'v2', 'v1']);
    app.close();
    app = await open();
    expect((await leadOf(4, T0)).owner).toBe('v2');
    expect((await leadOf(1, T0 + DAY_MS)).contactType).toBe('retorno');
  });
});

describe('a returning client', () => {
  it('stays with its owner within 30 days of assignment', async () => {
    const first = await leadOf(1, T0);
    const again = await leadOf(1, T0 + 29 * DAY_MS);
    expect(again).toMatchObject({ clientId: first.clientId, owner: first.owner, contactType: 'retorno' });
  });

  it('after 30 days without activity goes to another vendor, recorded with its reason', async () => {
    const first = await leadOf(1, T0);
    const later = await leadOf(1, T0 + 31 * DAY_MS);
    expect(later.contactType).toBe('transferencia');
    expect(later.owner).not.toBe(first.owner);
    const history = await sqliteStore(app).read((r) => ownerHistory(r, first.clientId));
    expect(history.map((h) => [h.action, h.from, h.to])).toEqual([
      ['assign', null, first.owner],
      ['reassign', first.owner, later.owner],
    ]);
    expect(history[1].reason).toMatch(/30 days/);
  });

  it('activity by the owner restarts the 30 days', async () => {
    const first = await leadOf(1, T0);
    await sqliteStore(app).unitOfWork((tx) => registerActivity(tx, first.clientId, T0 + 20 * DAY_MS));
    expect(await leadOf(1, T0 + 45 * DAY_MS)).toMatchObject({ owner: first.owner, contactType: 'retorno' });
    expect(await leadOf(1, T0 + 51 * DAY_MS)).toMatchObject({ contactType: 'transferencia' });
  });

  it('is attended by another vendor while the owner is inactive ("regla"), the owner keeping the client', async () => {
    const first = await leadOf(1, T0);
    app.close();
    const inactive = TWO.replace(`{id: ${first.owner}, name: ${first.owner === 'v1' ? 'Vera' : 'Hugo'}, type: licencia_personal}`, `{id: ${first.owner}, name: X, type: licencia_personal, active: false}`);
    app = await open(config(inactive));
    const during = await leadOf(1, T0 + 5 * DAY_MS);
    expect(during.contactType).toBe('regla');
    expect(during.owner).not.toBe(first.owner);
    const client = sqliteStore(app).sqlite.prepare('select owner_vendor_id o from clients where id = ?').get(first.clientId) as { o: string };
    expect(client.o).toBe(first.owner);
  });
});

describe('vendors leaving, managers reassigning, pending lists', () => {
  it('a retired vendor’s clients move to active vendors of the same type only', async () => {
    app.close();
    app = await open(config(`${TWO}\n      - {id: v3, name: Ana, type: licencia_personal}\n      - {id: j1, name: Joven, type: agente_junior}`));
    const leads = [];
    for (let n = 1; n <= 8; n++) leads.push(await leadOf(n, T0));
    const ofV1 = leads.filter((l) => l.owner === 'v1');
    expect(ofV1.length).toBeGreaterThan(0);
    const r = await sqliteStore(app).unitOfWork((tx) => retireVendor(tx, 'v1', 'test', T0 + DAY_MS));
    expect(r.moved).toBe(ofV1.length);
    const owners = ofV1.map((l) => (sqliteStore(app).sqlite.prepare('select owner_vendor_id o from clients where id = ?').get(l.clientId) as { o: string }).o);
    expect(owners.every((o) => o === 'v2' || o === 'v3')).toBe(true);
    expect((await leadOf(20, T0 + 2 * DAY_MS)).owner).not.toBe('v1');
  });

  it('manual reassignment needs an active vendor and keeps the history', async () => {
    const first = await leadOf(1, T0);
    const other = first.owner === 'v1' ? 'v2' : 'v1';
    await expect(sqliteStore(app).unitOfWork((tx) => reassignClient(tx, first.clientId, 'nobody', 'x', 'mgr', T0))).rejects.toThrow(/no está activo/);
    await sqliteStore(app).unitOfWork((tx) => reassignClient(tx, first.clientId, other, 'cliente pidió otro asesor', 'mgr', T0 + DAY_MS));
    expect((await sqliteStore(app).read((r) => ownerHistory(r, first.clientId))).at(-1)).toMatchObject({ action: 'manual-reassign', to: other, reason: 'cliente pidió otro asesor', actor: 'mgr' });
    expect((await sqliteStore(app).read((r) => pendingLeads(r, other, T0))).map((l) => l.id)).toContain(first.leadId);
  });

  it('the pending list is oldest first and says no_contactado past the deadline', async () => {
    await leadOf(1, T0 + DAY_MS); // v1
    await leadOf(2, T0); // v2
    await leadOf(3, T0); // v1
    const pending = await sqliteStore(app).read((r) => pendingLeads(r, 'v1', T0 + 5.5 * DAY_MS));
    expect(pending.map((l) => l.receivedAt)).toEqual([T0, T0 + DAY_MS]);
    expect(pending.map((l) => l.status)).toEqual(['no_contactado', 'por_contactar']);
  });
});

describe('webhook on every assigned lead', () => {
  it('POSTs signed JSON to a local receiver and retries after a failure', async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    let failFirst = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failFirst) { failFirst = false; res.writeHead(500).end(); return; }
        received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    app.close();
    app = await open(config(`      - {id: v1, name: Vera, type: lp, webhook: "${url}"}`, 'webhooks: {secret: s3cr3t-s3cr3t}'));
    const lead = await leadOf(1, T0);
    const sender = new WebhookSender(sqliteStore(app), () => app.config.webhooks, createLogger('silent'));
    const now = Date.now();
    await sender.tick(now);
    expect(received).toHaveLength(0);
    expect(sender.health()).toMatchObject({ pending: 1, lastError: 'HTTP 500' });
    await sender.tick(now + 60_000);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0].body)).toMatchObject({ event: 'lead.assigned', leadId: lead.leadId, vendorId: 'v1', contactType: 'nuevo' });
    expect(received[0].signature).toBe(sign(received[0].body, 's3cr3t-s3cr3t'));
    expect(sender.health()).toMatchObject({ pending: 0, failed: 0 });
    server.close();
  });
});

describe('vendors listed once at the top level', () => {
  it('are merged into their projects and assigned like per-project vendors', async () => {
    const cfg = parseConfig(`parsersDir: ${process.cwd()}/parsers\nprojects:\n  - {name: Parque Los Robles, aliases: [PLR]}\nvendors:\n  - {id: t1, name: Tere, type: lp, projects: [Parque Los Robles]}\n  - {id: t2, name: Tito, type: lp, projects: [Parque Los Robles]}\n`, 't', {});
    expect(cfg.projects[0].vendors.map((v) => v.id)).toEqual(['t1', 't2']);
    expect(() => parseConfig('projects: []\nvendors: [{id: x, name: X, projects: [Nada]}]\n', 't', {})).toThrow(/vendors\.0\.projects: "Nada" no es un proyecto de projects/);
    app.close();
    app = await open(cfg);
    expect([(await leadOf(1, T0)).owner, (await leadOf(2, T0)).owner]).toEqual(['t1', 't2']);
  });
});
