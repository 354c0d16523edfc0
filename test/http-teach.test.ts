// The page's teaching view over HTTP: admins only; a parser proposed from stored emails (the same
// engine as `parsers learn`, run in the workers), previewed on the stored mail, saved as a file
// checked like `parsers check`, reloaded and audited; a rule keyed on a sample's value refused.
import type { StoreTx, Work } from '../src/db/port.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './http-fixture.ts';
import { CASAYA, casaYa, rut } from './helpers/learn-samples.ts';

let h: Harness;
let parsersDir: string;
const sample: number[] = [];
let unseen: Buffer;
const fields = { name: CASAYA[0].name, nationalId: rut(CASAYA[0].id), email: CASAYA[0].email, phone: CASAYA[0].phone, project: CASAYA[0].project, message: null };

beforeAll(async () => {
  parsersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teach-parsers-'));
  fs.cpSync('parsers', parsersDir, { recursive: true });
  h = await startHarness({ parsersDir, projects: ['  - name: Parque Los Robles', '    vendors:', '      - {id: v1, name: Vera Díaz}', '  - name: Mirador del Valle', '  - name: Torre Providencia'] });
  for (const i of [0, 1]) sample.push((await h.app.ingestor.ingest(Buffer.from(casaYa(CASAYA[i], i)), { source: 'file' })).rawEmailId);
  unseen = Buffer.from(casaYa(CASAYA[2], 2));
}, 60_000);

afterAll(async () => {
  await h?.close();
  fs.rmSync(parsersDir, { recursive: true, force: true });
});

describe('teaching a parser over HTTP', () => {
  it('answers only admins: a vendedor and a gerente are refused, nothing is written', async () => {
    const vendor = await h.addUser('vendedora@inmo.cl', 'vendedor', { vendorId: 'v1' });
    const manager = await h.addUser('gerente@inmo.cl', 'gerente');
    for (const token of [vendor, manager]) {
      for (const [p, body] of [['/api/teach/suggest', { ids: sample }], ['/api/teach/propose', { ids: sample, id: 'casaya', fields }], ['/api/teach/save', { ids: sample, fields, yaml: 'id: casaya' }]] as const) {
        const r = await h.post(p, body, {}, token);
        expect([403, 404], `${p}`).toContain(r.status);
      }
    }
    expect(fs.existsSync(path.join(parsersDir, 'casaya.yaml'))).toBe(false);
  }, 30_000);

  it('suggests the fields of a stored email with the explanation; an unknown email is 404', async () => {
    const done = h.app.workers.stats.completed;
    const s = await h.json('/api/teach/suggest', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [sample[0]] }) });
    // Read in a worker thread (the pool answered it), never on the server's.
    expect(h.app.workers.stats.completed).toBe(done + 1);
    expect(s.explanation.from).toBe('avisos@mail.casaya.cl');
    expect(s.guesses.email).toBe(CASAYA[0].email);
    expect(s.candidates.some((c: { value: string }) => c.value === CASAYA[0].name)).toBe(true);
    expect((await h.post('/api/teach/suggest', { ids: [987654] })).status).toBe(404);
    expect((await h.post('/api/teach/suggest', { ids: [1, 2, 3, 4] })).status).toBe(400);
  }, 30_000);

  it('proposes a parser from two samples, previews it on the stored mail, saves it, and reads an unseen email right', async () => {
    const p = await h.json('/api/teach/propose', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: sample, id: 'casaya', name: 'CasaYa', fields }) });
    expect(p.exists).toBe(false);
    expect(p.fields).toEqual(expect.arrayContaining(['name', 'nationalId', 'email']));
    for (const v of ['Camila', 'Rojas', '15.432', '8765', 'camila.rojas', 'Ignacio']) expect(p.yaml).not.toContain(v);
    // Both stored samples would be claimed by the new parser.
    expect(p.preview.claimed).toBe(2);
    const saved = await h.post('/api/teach/save', { ids: sample, fields, yaml: p.yaml });
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).toBe(p.yaml);
    // Live at once: the app reloaded its parsers.
    const r = await h.app.ingestor.ingest(unseen, { source: 'file' });
    expect(r.outcome?.parser).toBe('casaya');
    expect(r.outcome?.kind === 'lead' && r.outcome.fields).toMatchObject({ name: CASAYA[2].name, email: CASAYA[2].email, nationalId: rut(CASAYA[2].id).replace(/\./g, '') });
    const audit = await h.json('/api/audit?action=parser.learn');
    expect(JSON.stringify(audit)).toContain('casaya');
  }, 60_000);

  it('a save over an existing parser needs the confirmation, and the proposal shows the diff first', async () => {
    const p = await h.json('/api/teach/propose', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: sample, id: 'casaya', name: 'CasaYa Avisos', fields }) });
    expect(p.exists).toBe(true);
    expect(p.diff).toContain('-name: CasaYa');
    expect(p.diff).toContain('+name: CasaYa Avisos');
    const refused = await h.post('/api/teach/save', { ids: sample, fields, yaml: p.yaml });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatch(/ya existe.*confirma/);
    expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).not.toContain('CasaYa Avisos');
    const ok = await h.post('/api/teach/save', { ids: sample, fields, yaml: p.yaml, confirm: true });
    expect(ok.status).toBe(200);
    expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).toContain('name: CasaYa Avisos');
  }, 60_000);

  it('a save whose audit entry cannot be written puts the file back: no parser change without its person', async () => {
    const p = await h.json('/api/teach/propose', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: sample, id: 'casaya', name: 'CasaYa Sin Auditoría', fields }) });
    const before = fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8');
    // The audit table refuses the entry (a fault in the database, as a full disk would be), on either engine.
    const store = h.app.store;
    const unitOfWork = store.unitOfWork;
    const full = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const failingAudit = (tx: StoreTx) => new Proxy(tx, { get: (t, k) => (k === 'audit' ? full : Reflect.get(t, k)) });
    store.unitOfWork = (<T>(work: (tx: StoreTx) => Work<T>) => unitOfWork.call(store, (tx: StoreTx) => work(failingAudit(tx)))) as typeof unitOfWork;
    try {
      const r = await h.post('/api/teach/save', { ids: sample, fields, yaml: p.yaml, confirm: true });
      expect(r.status).toBe(500);
    } finally {
      store.unitOfWork = unitOfWork;
    }
    expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).toBe(before);
    const r = await h.app.ingestor.ingest(Buffer.from(unseen.toString().replace(/Message-ID: <[^>]+>/i, 'Message-ID: <otra-vez@casaya.cl>')), { source: 'file' });
    expect(r.outcome?.parser).toBe('casaya'); // the parsers as they were, reloaded
  }, 60_000);

  it('refuses a rule that contains a sample\'s value, and an invalid file, in Spanish, writing nothing', async () => {
    const yaml = `id: casaya-malo\nname: CasaYa\nmedium: portales\nmatch:\n  from: casaya.cl\nfields:\n  name:\n    regex: "(Camila Rojas Soto)"\n`;
    const r = await h.post('/api/teach/save', { ids: sample, fields, yaml });
    expect(r.status).toBe(422);
    const error = (await r.json()).error as string;
    expect(error).toMatch(/contiene un valor del correo de ejemplo/);
    expect(error).toContain('Camila Rojas Soto');
    const bad = await h.post('/api/teach/save', { ids: sample, fields, yaml: 'id: casaya-malo\nname: X\nmedium: portales\nmatch: {}\n' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toMatch(/no pasa las comprobaciones/);
    expect(fs.existsSync(path.join(parsersDir, 'casaya-malo.yaml'))).toBe(false);
  }, 30_000);
});
