import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';
import { sqliteStore } from './helpers/sqlite-store.ts';

// Post-sale mail among sales mail: the 31 emails of fixtures/cases (portal leads that mention
// "entrega inmediata" or "gastos comunes", owners' complaints, questions, suggestions and repair
// requests, in Spanish and Portuguese, plain and HTML) through the real pipeline (worker pool,
// SQLite file): none misfiled, never both a lead and a case, one acknowledgement per case.

const DIR = path.resolve('fixtures/cases');
interface Expected { file: string; expect: 'lead' | 'case'; category?: string; lang: string }
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Expected[];

const PROJECTS = ['Parque Los Robles', 'Mirador del Valle', 'Torre Providencia', 'Los Aromos', 'Edificio Las Encinas', 'Jardins Paulista', 'Moema Prime', 'Torre Paulista', 'Condominio Bosque Nativo'];

let app: App;
let dir: string;
const db = () => sqliteStore(app).sqlite;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cases-recognize-'));
  const yaml = [
    'country: CL',
    'timezone: America/Santiago',
    'projects:',
    ...PROJECTS.map((p) => `  - {name: ${p}, vendors: [{id: v-${p.length}, name: Vendedor ${p}, email: v${p.length}@inmobiliaria-ejemplo.cl}]}`),
    'mailboxes:',
    '  - {name: ventas, host: 127.0.0.1, user: ventas@inmobiliaria-ejemplo.cl, password: x}',
    '  - {name: postventa, host: 127.0.0.1, user: postventa@inmobiliaria-ejemplo.cl, password: x, purpose: servicio}',
    `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`,
    'smtp: {host: 127.0.0.1, port: 2525, from: avisos@inmobiliaria-ejemplo.cl}',
  ].join('\n');
  app = await createApp(parseConfig(yaml, 'test', {}), createLogger('silent'), { dbPath: path.join(dir, 'c.db'), notify: true, syncConfig: true });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...params: unknown[]) => (db().prepare(sql).get(...params) as { n: number }).n;

describe('fixtures/cases: 31 mixed emails', () => {
  it('files every one as expected: a lead or a case of the right category, never both', async () => {
    const misfiled: string[] = [];
    for (const e of manifest) {
      const r = await app.ingestor.ingest(fs.readFileSync(path.join(DIR, e.file)), { source: 'file', file: e.file });
      const leads = count('select count(*) n from leads where raw_email_id = ?', r.rawEmailId);
      const cases = db().prepare('select category, evidence from cases where raw_email_id = ?').all(r.rawEmailId) as { category: string; evidence: string }[];
      const got = leads ? 'lead' : cases.length ? `case/${cases[0].category}` : r.status;
      const want = e.expect === 'lead' ? 'lead' : `case/${e.category}`;
      if (got !== want) misfiled.push(`${e.file}: expected ${want}, got ${got} — ${cases[0]?.evidence ?? JSON.stringify((r.outcome as { service?: { evidence: string[] } } | null)?.service?.evidence)}`);
      if (leads + cases.length !== 1 || r.status !== e.expect) misfiled.push(`${e.file}: ${leads} leads, ${cases.length} cases, status ${r.status}`);
    }
    expect(misfiled).toEqual([]);
    expect(manifest.length).toBe(31);
    expect(new Set(manifest.filter((e) => e.expect === 'case').map((e) => e.category))).toEqual(new Set(['reclamo', 'consulta', 'sugerencia', 'postventa']));
  });

  it('a case has its thread, unit, project and client; its client gets one acknowledgement and no vendor is notified', () => {
    const c = db().prepare("select c.*, p.name project from cases c left join projects p on p.id = c.project_id where c.subject like 'Reclamo: filtración%'").get() as Record<string, unknown>;
    expect(c).toMatchObject({ category: 'reclamo', status: 'abierto', unit: 'depto 1502', project: 'Parque Los Robles', contact_email: 'pedro.morales.c@gmail.com', contact_phone: '+56965432109' });
    expect(c.client_id).not.toBeNull();
    expect(db().prepare('select national_id from clients where id = ?').pluck().get(c.client_id)).toBe('11222333-9');
    expect(c.first_response_due_at as number).toBeGreaterThan(c.created_at as number);
    expect(c.resolution_due_at as number).toBeGreaterThan(c.first_response_due_at as number);
    const caseCount = count('select count(*) n from cases');
    const noAck = db().prepare("select subject, evidence from cases where id not in (select case_id from notifications where kind = 'case_ack')").all();
    expect(noAck).toEqual([]);
    expect(count("select count(*) n from notifications where kind = 'case_ack'")).toBe(caseCount);
    const ack = db().prepare("select * from notifications where case_id = ? and kind = 'case_ack'").get(c.id) as { recipient: string; subject: string; text: string; headers: string };
    expect(ack.recipient).toBe('pedro.morales.c@gmail.com');
    expect(ack.subject).toContain(`[Caso ${c.number}]`);
    expect(ack.text).toMatch(/número de caso \d+/);
    expect(ack.text).toMatch(/dentro de 4 horas hábiles/);
    const headers = JSON.parse(ack.headers) as Record<string, string>;
    expect(headers).toMatchObject({ 'Auto-Submitted': 'auto-replied', 'In-Reply-To': '<caso-fixture-13@correo-prueba.cl>' });
    const thread = db().prepare('select direction, message_id from case_messages where case_id = ? order by id').all(c.id) as { direction: string; message_id: string }[];
    expect(thread).toEqual([{ direction: 'in', message_id: '<caso-fixture-13@correo-prueba.cl>' }, { direction: 'out', message_id: headers['Message-ID'] }]);
    // No vendor heard of any case: the assignment emails are the leads' only.
    const leadCount = count('select count(*) n from leads where owner_vendor_id is not null');
    expect(count("select count(*) n from notifications where kind = 'assignment' and lead_id is null")).toBe(0);
    expect(count("select count(*) n from notifications where kind = 'assignment'")).toBeLessThanOrEqual(leadCount);
    expect(count('select count(*) n from follow_ups f join cases c on c.client_id = f.client_id where c.client_id not in (select client_id from leads where client_id is not null)')).toBe(0);
    const pt = db().prepare("select n.text from notifications n join cases c on c.id = n.case_id where c.subject like 'Reclamação%'").pluck().get() as string;
    expect(pt).toMatch(/número de chamado \d+/);
  });

  it('replaying every email changes nothing', async () => {
    const before = JSON.stringify([count('select count(*) n from cases'), count('select count(*) n from case_messages'), count('select count(*) n from leads'), count('select count(*) n from notifications')]);
    for (const e of manifest) expect((await app.ingestor.ingest(fs.readFileSync(path.join(DIR, e.file)), { source: 'file' })).duplicate).toBe(true);
    expect(JSON.stringify([count('select count(*) n from cases'), count('select count(*) n from case_messages'), count('select count(*) n from leads'), count('select count(*) n from notifications')])).toBe(before);
  });
});

const email = (headers: Record<string, string>, body: string, attachment = false) => {
  const head = Object.entries({ Date: 'Tue, 02 Dec 2025 12:00:00 -0300', 'MIME-Version': '1.0', ...headers }).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  if (!attachment) return Buffer.from(`${head}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`);
  const b = 'XYZ';
  return Buffer.from(`${head}\r\nContent-Type: multipart/mixed; boundary=${b}\r\n\r\n--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n--${b}\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="mancha.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/\r\n--${b}--\r\n`);
};

describe('what only the database knows', () => {
  it("the client's reply joins the case by In-Reply-To, reopens it, keeps the attachment, and makes no lead", async () => {
    const c = db().prepare("select id, number from cases where unit = 'depto 1502' and category = 'reclamo'").get() as { id: number; number: number };
    const ackId = db().prepare("select message_id from case_messages where case_id = ? and direction = 'out'").pluck().get(c.id) as string;
    await app.store.unitOfWork(function* (tx) {
      yield* io(tx.updateCase(c.id, { status: 'en_espera', waitingSince: Date.now() - 3_600_000 }));
    });
    const leadsBefore = count('select count(*) n from leads');
    const r = await app.ingestor.ingest(email({ From: 'Pedro Morales <pedro.morales.c@gmail.com>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: `Re: [Caso ${c.number}] Recibimos su mensaje`, 'Message-ID': '<respuesta-1@correo-prueba.cl>', 'In-Reply-To': ackId, References: `<caso-fixture-13@correo-prueba.cl> ${ackId}` }, 'Les mando una foto de la mancha. Hoy sigue goteando.', true), { source: 'file' });
    expect(r).toMatchObject({ status: 'case', caseId: c.id, leadId: null });
    expect(count('select count(*) n from leads')).toBe(leadsBefore);
    const after = db().prepare('select status, waiting_since, paused_minutes from cases where id = ?').get(c.id) as { status: string; waiting_since: number | null; paused_minutes: number };
    expect(after).toMatchObject({ status: 'abierto', waiting_since: null });
    const last = db().prepare('select direction, attachments, text from case_messages where case_id = ? order by id desc limit 1').get(c.id) as { direction: string; attachments: string; text: string };
    expect(last.direction).toBe('in');
    expect(last.text).toContain('sigue goteando');
    expect(JSON.parse(last.attachments)).toEqual([expect.objectContaining({ filename: 'mancha.jpg', contentType: 'image/jpeg' })]);
    expect(count("select count(*) n from notifications where case_id = ? and kind = 'case_ack'", c.id)).toBe(1);
  });

  it("a client's answer to a closed case reopens it: someone must read it", async () => {
    const c = db().prepare("select id, number from cases where unit = 'depto 1502' and category = 'reclamo'").get() as { id: number; number: number };
    const ackId = db().prepare("select message_id from case_messages where case_id = ? and direction = 'out'").pluck().get(c.id) as string;
    await app.store.unitOfWork(function* (tx) {
      yield* io(tx.updateCase(c.id, { status: 'cerrado', closedAt: Date.now() - 60_000 }));
    });
    const r = await app.ingestor.ingest(email({ From: 'Pedro Morales <pedro.morales.c@gmail.com>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: `Re: [Caso ${c.number}] Recibimos su mensaje`, 'Message-ID': '<respuesta-cerrado@correo-prueba.cl>', 'In-Reply-To': ackId }, 'La mancha volvió a aparecer esta semana.'), { source: 'file' });
    expect(r).toMatchObject({ status: 'case', caseId: c.id, leadId: null });
    expect(db().prepare('select status, closed_at from cases where id = ?').get(c.id)).toEqual({ status: 'abierto', closed_at: null });
  });

  it('"[Caso N]" in the subject joins from the case\'s client only', async () => {
    const c = db().prepare("select id, number from cases where unit = 'depto 1502' and category = 'reclamo'").get() as { id: number; number: number };
    const own = await app.ingestor.ingest(email({ From: 'pedro.morales.c@gmail.com', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: `[Caso ${c.number}] otra consulta`, 'Message-ID': '<respuesta-2@correo-prueba.cl>' }, 'Hola, ¿a qué hora vendría el técnico?'), { source: 'file' });
    expect(own.caseId).toBe(c.id);
    const stranger = await app.ingestor.ingest(email({ From: 'otra.persona@gmail.com', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: `[Caso ${c.number}] me interesa cotizar`, 'Message-ID': '<respuesta-3@correo-prueba.cl>' }, 'Hola, me interesa cotizar un departamento en Parque Los Robles. Mi teléfono +56 9 8888 7777.'), { source: 'file' });
    expect(stranger.caseId ?? null).toBeNull();
    expect(stranger.status).toBe('lead');
  });

  it('an existing client past promesa (a minuta on record) writing a neutral email opens a case', async () => {
    const clientId = db().prepare("select client_id from leads where email = 'camila.fuentes@gmail.com'").pluck().get() as number;
    const projectId = app.store.projectId('Parque Los Robles');
    await app.store.unitOfWork(function* (tx) {
      yield* io(tx.upsertInteraction({ key: 'test:minuta:1', externalId: 'M-1', kind: 'minuta', clientId, projectId, at: Date.now() - 86_400_000, product: 'Depto 2D', model: null, amount: 3000, source: 'api', state: null, deadlineAt: null, leadId: null, ownerVendorId: null, actor: 'test' }, Date.now()));
    });
    const r = await app.ingestor.ingest(email({ From: 'Camila Fuentes <camila.fuentes@gmail.com>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: 'Reunión de copropietarios', 'Message-ID': '<minuta-1@correo-prueba.cl>' }, 'Hola, ¿saben cuándo es la primera reunión del comité?'), { source: 'file' });
    expect(r.status).toBe('case');
    const ev = JSON.parse(db().prepare('select evidence from cases where id = ?').pluck().get(r.caseId) as string) as string[];
    expect(ev.join('\n')).toMatch(/minuta/);
    // The same client asking to buy another unit is a lead again.
    const again = await app.ingestor.ingest(email({ From: 'Camila Fuentes <camila.fuentes@gmail.com>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: 'Otro departamento', 'Message-ID': '<minuta-2@correo-prueba.cl>' }, 'Hola, me interesa cotizar otro departamento para inversión, ¿qué precios y disponibilidad tienen?'), { source: 'file' });
    expect(again.status).toBe('lead');
  });

  it('a service mailbox makes a case of everything it receives', async () => {
    const raw = email({ From: 'Hugo Tapia <hugo.tapia@gmail.com>', To: 'postventa@inmobiliaria-ejemplo.cl', Subject: 'Hola', 'Message-ID': '<servicio-1@correo-prueba.cl>' }, 'Buenas, me interesa saber el precio de los estacionamientos extra.');
    const r = await app.ingestor.ingest(raw, { source: 'imap', mailbox: 'postventa', uidValidity: 1, uid: 1 });
    expect(r.status).toBe('case');
    expect(db().prepare('select evidence from cases where id = ?').pluck().get(r.caseId)).toMatch(/buzón de servicio/);
  });

  it('a service mailbox makes one case of a message naming several people, never a lead each', async () => {
    const raw = fs.readFileSync(path.resolve('fixtures/digests/01-text-digest-three.eml'));
    const r = await app.ingestor.ingest(raw, { source: 'imap', mailbox: 'postventa', uidValidity: 1, uid: 2 });
    expect(r.status).toBe('case');
    expect(count('select count(*) n from leads where raw_email_id = ?', r.rawEmailId)).toBe(0);
    expect(count('select count(*) n from cases where raw_email_id = ?', r.rawEmailId)).toBe(1);
    // The case keeps the whole message, every person in it.
    const text = db().prepare('select text from case_messages where case_id = ?').pluck().get(r.caseId) as string;
    for (const name of ['Valentina Fuentes', 'Matías Herrera']) expect(text).toContain(name);
  });

  it('no acknowledgement to an auto-reply or a no-reply address', async () => {
    const r = await app.ingestor.ingest(email({ From: 'Rosa Vidal <rosa.vidal@gmail.com>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: 'Reclamo: filtración en bodega 3', 'Message-ID': '<noreply-1@correo-prueba.cl>', 'X-Auto-Response-Suppress': 'All' }, 'Reclamo: filtración en la bodega 3 de mi departamento, nadie vino.'), { source: 'file' });
    const n = await app.ingestor.ingest(email({ From: 'no-reply@edificio-admin.cl', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: 'Reclamo: humedad en depto 101', 'Message-ID': '<noreply-2@correo-prueba.cl>' }, 'Reclamo de la propietaria del depto 101: humedad en el muro, nadie vino a revisar.'), { source: 'file' });
    expect(n.status).toBe('case');
    // A colleague's note with no client address: the company never acknowledges itself.
    const own = await app.ingestor.ingest(email({ From: 'Juan Vendedor <juan@inmobiliaria-ejemplo.cl>', To: 'ventas@inmobiliaria-ejemplo.cl', Subject: 'Reclamo de un propietario', 'Message-ID': '<own-1@correo-prueba.cl>' }, 'Llamó el propietario del depto 708: filtración en la cocina, nadie vino a revisar.'), { source: 'file' });
    expect(own.status).toBe('case');
    expect(count('select count(*) n from notifications where case_id = ?', own.caseId)).toBe(0);
    expect(db().prepare('select evidence from cases where id = ?').pluck().get(own.caseId)).toMatch(/company's own/);
    expect(count('select count(*) n from notifications where case_id = ?', n.caseId)).toBe(0);
    expect(r.status).toBe('case');
    expect(count('select count(*) n from notifications where case_id = ?', r.caseId)).toBe(0);
    expect(db().prepare('select evidence from cases where id = ?').pluck().get(r.caseId)).toMatch(/sin acuse de recibo/);
  });
});

describe('parsers explain says case or lead, and why', () => {
  it('names the evidence on both sides', async () => {
    const { explainEmail, formatExplanation } = await import('../src/parsers/explain.ts');
    const complaint = formatExplanation(await explainEmail(fs.readFileSync(path.join(DIR, '13-reclamo-filtracion-1502.eml')), app.context()));
    expect(complaint).toMatch(/caso o lead: un caso de postventa \(reclamo\), unidad depto 1502/);
    expect(complaint).toMatch(/palabras de reclamo: .*"nadie vino"/);
    const listing = formatExplanation(await explainEmail(fs.readFileSync(path.join(DIR, '02-portal-entrega-inmediata.eml')), app.context()));
    expect(listing).toMatch(/caso o lead: un lead de venta/);
    expect(listing).toMatch(/palabras de venta: .*"entrega inmediata"/);
    expect(listing).toMatch(/lo envía un portal o un aviso \(portal-inmobiliario\): −4/);
  });
});
