import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { io } from '../src/db/port.ts';
import { AppError } from '../src/errors.ts';
import { abortLead, discardLead, registerFollowUp } from '../src/leads/actions.ts';
import { openFollowUp } from '../src/leads/follow-ups.ts';
import { fillGaps, findClient } from '../src/leads/matching.ts';
import { createLogger } from '../src/logger.ts';
import { DAY_MS } from '../src/vocabulary.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

let dir: string;
let app: App;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-'));
  app = await createApp(testConfig(), createLogger('silent'), { dbPath: path.join(dir, 'c.db') });
});
afterEach(() => {
  app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const client = (c: { nationalId?: string; email?: string; phone?: string }) =>
  sqliteStore(app).unitOfWork((tx) => io(tx.insertClient({ nationalId: c.nationalId ?? null, email: c.email ?? null, phone: c.phone ?? null, createdAt: 1 })));
const match = (f: { nationalId?: string; email?: string; phone?: string }) =>
  sqliteStore(app).read((r) => findClient(r as never, { nationalId: f.nationalId ?? null, email: f.email ?? null, phone: f.phone ?? null }));

describe('client matching', () => {
  it('by national ID, then email, then phone; never a person with another national ID', async () => {
    const ana = await client({ nationalId: rut(12345678), email: 'ana@correo.cl', phone: '+56987654321' });
    const noId = await client({ email: 'sin.rut@correo.cl' });
    expect((await match({ nationalId: rut(12345678), email: 'otra@correo.cl' }))?.id).toBe(ana);
    expect((await match({ email: 'ana@correo.cl' }))?.id).toBe(ana);
    expect((await match({ phone: '+56987654321' }))?.id).toBe(ana);
    // Same email or phone, another national ID: another person.
    expect(await match({ nationalId: rut(11111111), email: 'ana@correo.cl' })).toBeNull();
    expect(await match({ nationalId: rut(11111111), phone: '+56987654321' })).toBeNull();
    // A record without a national ID can be the person who now gives one.
    expect((await match({ nationalId: rut(11111111), email: 'sin.rut@correo.cl' }))?.id).toBe(noId);
  });

  it('a returning client fills the record gaps and never overwrites', async () => {
    const record = { nationalId: null, email: 'ana@correo.cl', phone: null, name: 'Ana Soto' };
    const lead = { nationalId: rut(12345678), nationalIdType: 'rut', email: 'otra@correo.cl', phone: '+56987654321', name: 'Otra', firstName: 'Otra', lastName: null };
    expect(fillGaps(record, lead)).toEqual({ nationalId: rut(12345678), nationalIdType: 'rut', phone: '+56987654321' });
  });
});

const lead = async (lines: Record<string, string>) => (await app.ingestor.ingest(formEmail({ lines }), { source: 'file' })).leadId!;

describe('follow-up policy', () => {
  it('one open follow-up per client and project: a later date moves it, an earlier one keeps it', async () => {
    const c = await client({ email: 'x@correo.cl' });
    const [a, b, d] = [await lead({ Mensaje: 'uno' }), await lead({ Mensaje: 'dos' }), await lead({ Mensaje: 'tres' })];
    const open = (leadId: number, dueAt: number) => sqliteStore(app).unitOfWork((tx) => openFollowUp(tx, { clientId: c, leadId, projectId: null, dueAt, now: 1 }));
    await open(a, 10 * DAY_MS);
    await open(b, 12 * DAY_MS);
    await open(d, 11 * DAY_MS);
    expect(sqliteStore(app).sqlite.prepare("select lead_id leadId, due_at dueAt from follow_ups where status = 'open'").all()).toEqual([{ leadId: b, dueAt: 12 * DAY_MS }]);
  });
});

describe('lead state machine', () => {
  const bueno = () => lead({ Nombre: 'Ana Soto', RUT: rut(12345678), Correo: 'ana.soto@correo.cl', Proyecto: 'PLR' });
  const malo = () => lead({ Nombre: 'Sin Contacto', Mensaje: 'hola' });
  const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? `${e.code} ${e.status}` : String(e)));
  const now = Date.now();

  it('por_contactar → contactado → abortado, and abortado is final', async () => {
    const id = await bueno();
    const input = { expectation: 'alta' as const, contactType: 'llamada' as const, comment: 'llamó' };
    expect((await sqliteStore(app).unitOfWork((tx) => registerFollowUp(tx, { rules: app.rules() }, id, input, 'v1', now))).contactState).toBe('contactado');
    expect((await sqliteStore(app).unitOfWork((tx) => abortLead(tx, id, 'no le interesa', 'v1', now))).contactState).toBe('abortado');
    expect(await codeOf(sqliteStore(app).unitOfWork((tx) => registerFollowUp(tx, { rules: app.rules() }, id, input, 'v1', now)))).toBe('lead.invalid_transition 409');
    expect(await codeOf(sqliteStore(app).unitOfWork((tx) => abortLead(tx, id, 'otra vez', 'v1', now)))).toBe('lead.invalid_transition 409');
  });

  it('only a malo or con_problemas lead waiting for contact is discarded; unknown leads are not found', async () => {
    const good = await bueno();
    expect(await codeOf(sqliteStore(app).unitOfWork((tx) => discardLead(tx, good, 'spam', 'x', 'jefe', now)))).toBe('lead.invalid_transition 409');
    const bad = await malo();
    expect((await sqliteStore(app).unitOfWork((tx) => discardLead(tx, bad, 'spam', 'x', 'jefe', now))).contactState).toBe('descartado');
    expect(await codeOf(sqliteStore(app).unitOfWork((tx) => discardLead(tx, bad, 'spam', 'x', 'jefe', now)))).toBe('lead.invalid_transition 409');
    expect(await codeOf(sqliteStore(app).unitOfWork((tx) => discardLead(tx, 999_999, 'spam', 'x', 'jefe', now)))).toBe('lead.not_found 404');
  });

});
