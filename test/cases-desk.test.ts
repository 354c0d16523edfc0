// The cases desk's API on both engines against a real SMTP receiver: scope in SQL (a foreign case
// is 404, vendors read-only), filters and breaches, a reply that reaches the client in the thread
// (In-Reply-To, References, [Caso N]), en_espera pausing the clock, resolving sending the survey,
// the survey click recorded once (a tampered link refused), visits, escalation once to the
// supervisor, statistics and the Excel export.
import ExcelJS from 'exceljs';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesSchema } from '../src/cases/config.ts';
import { addBusinessMinutes } from '../src/cases/sla.ts';
import { calendarFor, initialDueTimes } from '../src/cases/targets.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { startHarness, type Harness } from './http-fixture.ts';
import { startSmtp, until, type SmtpReceiver } from './helpers/smtp-receiver.ts';
import { noPostgres } from './helpers/tools.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const PROJECTS = [
  `  - name: ${PLR}`, '    vendors:', '      - {id: v1, name: Vera Díaz}',
  `  - name: ${MDV}`, '    vendors:', '      - {id: v3, name: Ana Soto}',
];
const DAY = 86_400_000;
const engines: ('sqlite' | 'postgres')[] = ['sqlite', ...(noPostgres() ? [] : ['postgres' as const])];

describe.each(engines)('cases desk on %s', (engine) => {
  let h: Harness;
  let smtp: SmtpReceiver;
  let n: Notifications;
  const tokens: Record<string, string> = {};
  const ids = { a: 0, b: 0, c: 0 };
  const numbers = { a: 0, b: 0, c: 0 };

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness({
      engine,
      projects: PROJECTS,
      extraYaml: [
        'smtp:', '  host: 127.0.0.1', `  port: ${smtp.port}`, '  secure: false', '  from: "Inmobiliaria <avisos@inmo.cl>"',
        'mailboxes:', '  - {name: servicio, host: 127.0.0.1, user: postventa@inmo.cl, password: x}',
        'cases:', '  sla:', '    reclamo: {firstResponseHours: 4, resolutionHours: 18}',
      ],
    });
    n = startNotifications(h.app, createLogger('silent'), { intervalMs: 50, retryBaseMs: 100, retryMaxMs: 300 });
    const people: [string, string, { vendorId?: string; projects?: string[]; team?: string[] }][] = [
      ['pilar@inmo.cl', 'atencion', {}], ['jefa@inmo.cl', 'atencion_supervisor', {}], ['vera@inmo.cl', 'vendedor', { vendorId: 'v1' }],
      ['ana@inmo.cl', 'vendedor', { vendorId: 'v3' }], ['gerente.mdv@inmo.cl', 'gerente', { projects: [MDV] }], ['super@inmo.cl', 'supervisor', { team: ['v1'] }],
    ];
    for (const [email, role, opts] of people) tokens[email] = await h.addUser(email, role, { name: email.split('@')[0], ...opts });
    const store = h.app.store;
    const plr = store.projectId(PLR);
    const mdv = store.projectId(MDV);
    const cfg = casesSchema.parse({ sla: { reclamo: { firstResponseHours: 4, resolutionHours: 18 } } });
    const cal = calendarFor(cfg, 'CL', 'America/Santiago');
    const now = Date.now();
    await store.unitOfWork(function* (tx) {
      const pedro = yield* io(tx.insertClient({ name: 'Pedro Rojas', email: 'pedro@correo.cl', createdAt: 1 }));
      const marta = yield* io(tx.insertClient({ name: 'Marta Soto', email: 'marta@correo.cl', createdAt: 1 }));
      yield* io(tx.updateClient(pedro, { ownerVendorId: 'v1', ownerSince: 1 }));
      yield* io(tx.updateClient(marta, { ownerVendorId: 'v3', ownerSince: 1 }));
      const add = function* (key: 'a' | 'b' | 'c', row: Record<string, unknown>, createdAt: number) {
        const number = yield* io(tx.nextCounter('case_number'));
        const category = row.category as string;
        const id = yield* io(tx.insertCase({
          number, status: 'abierto', country: 'CL', createdAt, updatedAt: createdAt, ...initialDueTimes(cfg, cal, category, createdAt), ...row,
        } as never));
        ids[key] = id;
        numbers[key] = number;
        return id;
      };
      const a = yield* add('a', { category: 'reclamo', subject: 'Reclamo: filtración en el baño del depto 1502', clientId: pedro, projectId: plr, unit: 'depto 1502', contactName: 'Pedro Rojas', contactEmail: 'pedro@correo.cl', mailbox: 'servicio' }, now - 10 * DAY);
      yield* io(tx.insertCaseMessage({ caseId: a, direction: 'in', messageId: '<in1@correo.cl>', fromAddr: 'pedro@correo.cl', subject: 'Reclamo: filtración en el baño del depto 1502', text: 'Ya llamé dos veces y nadie vino', at: now - 10 * DAY }));
      yield* io(tx.insertCaseMessage({ caseId: a, direction: 'out', messageId: '<ack1@inmo.cl>', inReplyTo: '<in1@correo.cl>', subject: '[Caso 1] Recibimos su reclamo', text: 'Le responderemos', at: now - 10 * DAY + 1000 }));
      yield* add('b', { category: 'consulta', subject: 'Gastos comunes de marzo', clientId: marta, projectId: mdv, contactName: 'Marta Soto', contactEmail: 'marta@correo.cl' }, now);
      yield* add('c', { category: 'sugerencia', subject: 'Más estacionamientos de visitas', contactEmail: 'anonimo@correo.cl' }, now);
    });
  });
  afterAll(async () => {
    await n?.stop();
    await h?.close();
    await smtp?.close();
  });

  const as = (email: string) => ({ token: tokens[email] });
  const list = async (email: string, q = '') => (await h.json(`/api/cases${q}`, as(email))).items as { id: number; number: number; breached: { firstResponse: boolean; resolution: boolean }; status: string }[];
  const post = (path: string, body: unknown, email = 'pilar@inmo.cl') => h.post(path, body, {}, tokens[email]);
  const mailTo = (to: string, subject: RegExp) => smtp.mails.find((m) => m.to && JSON.stringify(m.to).includes(to) && subject.test(m.subject ?? ''));
  const waitMail = async (to: string, subject: RegExp): Promise<ParsedMail> => {
    await until(`a mail to ${to}`, smtp.events, 'mail', () => Boolean(mailTo(to, subject)));
    return mailTo(to, subject) as ParsedMail;
  };

  it('each person sees the cases of their scope, in SQL; a foreign case is 404; vendors cannot write', async () => {
    const all = [ids.a, ids.b, ids.c].sort((x, y) => x - y);
    expect((await list('pilar@inmo.cl')).map((c) => c.id).sort((x, y) => x - y)).toEqual(all);
    expect((await list('jefa@inmo.cl')).length).toBe(3);
    expect((await list('gerente.mdv@inmo.cl')).map((c) => c.id)).toEqual([ids.b]);
    expect((await list('vera@inmo.cl')).map((c) => c.id)).toEqual([ids.a]);
    expect((await list('super@inmo.cl')).map((c) => c.id)).toEqual([ids.a]);
    expect((await list('ana@inmo.cl')).map((c) => c.id)).toEqual([ids.b]);
    expect((await h.call(`/api/cases/${ids.a}`, as('ana@inmo.cl'))).status).toBe(404);
    expect((await h.call(`/api/cases/${ids.a}`, as('gerente.mdv@inmo.cl'))).status).toBe(404);
    expect((await h.call(`/api/cases/${ids.a}`, as('vera@inmo.cl'))).status).toBe(200);
    expect((await post(`/api/cases/${ids.a}/reply`, { text: 'hola' }, 'vera@inmo.cl')).status).toBe(403);
    expect((await post(`/api/cases/${ids.a}/reply`, { text: 'hola' }, 'gerente.mdv@inmo.cl')).status).toBe(404);
    // Stats and the options are scoped the same way.
    expect((await h.json('/api/cases/stats', as('gerente.mdv@inmo.cl'))).total).toBe(1);
    expect((await h.json('/api/cases/options', as('gerente.mdv@inmo.cl'))).projects).toEqual([MDV]);
  });

  it('filters: category, status, project, breached, a case number; bad values are a Spanish 400', async () => {
    const a = (await list('pilar@inmo.cl')).find((c) => c.id === ids.a)!;
    expect(a.breached).toEqual({ firstResponse: true, resolution: true });
    expect((await list('pilar@inmo.cl', '?breached=true')).map((c) => c.id)).toEqual([ids.a]);
    expect((await list('pilar@inmo.cl', '?breached=false')).map((c) => c.id).sort()).toEqual([ids.b, ids.c].sort());
    expect((await list('pilar@inmo.cl', '?category=consulta,sugerencia')).length).toBe(2);
    expect((await list('pilar@inmo.cl', `?project=${encodeURIComponent(MDV)}`)).map((c) => c.id)).toEqual([ids.b]);
    expect((await list('pilar@inmo.cl', `?q=${numbers.c}`)).map((c) => c.id)).toEqual([ids.c]);
    expect((await list('pilar@inmo.cl', '?q=filtraci')).map((c) => c.id)).toEqual([ids.a]);
    expect((await list('pilar@inmo.cl', '?responsible=ninguno')).length).toBe(3);
    const bad = await h.call('/api/cases?status=perdido', as('pilar@inmo.cl'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/no es un estado/);
    expect((await h.call('/api/cases?project=Nada', as('pilar@inmo.cl'))).status).toBe(400);
  });

  it('a breach escalates once, by email, to the atencion supervisor', async () => {
    expect(await n.escalate(Date.now())).toBe(1);
    const mail = await waitMail('jefa@inmo.cl', new RegExp(`\\[Caso ${numbers.a}\\] Plazo de primera respuesta vencido`));
    expect(mail.text).toContain('depto 1502');
    expect(await n.escalate(Date.now())).toBe(0);
    const detail = await h.json(`/api/cases/${ids.a}`, as('pilar@inmo.cl'));
    expect(detail.escalatedAt).not.toBeNull();
    expect(smtp.mails.filter((m) => /Plazo de/.test(m.subject ?? '')).length).toBe(1);
  });

  it('a reply reaches the client in the thread: [Caso N], In-Reply-To, References; en_espera pauses the clock', async () => {
    const res = await post(`/api/cases/${ids.a}/reply`, { text: 'Hola Pedro:\n\nEl técnico irá el lunes a las 10:00.', waitForClient: true });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ ok: true, status: 'en_espera', firstResponse: true });
    const mail = await waitMail('pedro@correo.cl', new RegExp(`^Re: \\[Caso ${numbers.a}\\] Reclamo: filtración`));
    expect(mail.inReplyTo).toBe('<ack1@inmo.cl>');
    expect(mail.references).toEqual(['<in1@correo.cl>', '<ack1@inmo.cl>']);
    expect(mail.messageId).toBe(r.messageId);
    expect(mail.replyTo?.text).toContain('postventa@inmo.cl');
    expect(mail.text).toContain('El técnico irá el lunes');
    const d = await h.json(`/api/cases/${ids.a}`, as('pilar@inmo.cl'));
    expect(d).toMatchObject({ status: 'en_espera', paused: true, due: { resolution: null } });
    expect(d.firstResponseAt).not.toBeNull();
    expect(d.messages.at(-1)).toMatchObject({ direction: 'out', messageId: r.messageId, to: 'pedro@correo.cl', byStaff: true });
    // Whoever answers a case nobody holds takes it.
    expect(d.responsible.name).toBe('pilar');
    const audit = await h.json('/api/audit?action=case.reply');
    expect(audit.items[0]).toMatchObject({ actor: 'pilar@inmo.cl', objectType: 'case', objectId: String(ids.a) });
    // A second reply answers the last message of the thread.
    const again = await (await post(`/api/cases/${ids.a}/reply`, { text: 'Confirmamos la visita.' })).json();
    await until('the second reply', smtp.events, 'mail', () => smtp.mails.some((m) => m.messageId === again.messageId));
    const m2 = smtp.mails.find((m) => m.messageId === again.messageId)!;
    expect(m2.inReplyTo).toBe(r.messageId);
    expect(m2.references).toEqual(['<in1@correo.cl>', '<ack1@inmo.cl>', r.messageId]);
    expect(again.firstResponse).toBe(false);
  });

  it('visits: a return visit only after resolution; resolving sends the survey; a click is recorded once, a tampered link refused', async () => {
    const early = await post(`/api/cases/${ids.a}/visits`, { kind: 'regreso', scheduledAt: '2025-03-10T10:00', who: 'Técnico Juan' });
    expect(early.status).toBe(409);
    expect((await early.json()).error).toMatch(/después de resolver/);
    expect((await post(`/api/cases/${ids.a}/visits`, { kind: 'tecnica', scheduledAt: '2025-03-10T10:00', who: 'Técnico Juan', outcome: 'Sellado del shower' })).status).toBe(200);
    const st = await (await post(`/api/cases/${ids.a}/status`, { status: 'resuelto' })).json();
    expect(st).toMatchObject({ from: 'en_espera', status: 'resuelto', surveyQueued: true });
    expect((await post(`/api/cases/${ids.a}/visits`, { kind: 'regreso', scheduledAt: '2025-03-12T10:00', doneAt: '2025-03-12T10:30', who: 'Técnico Juan', outcome: 'Sin filtración' })).status).toBe(200);
    const survey = await waitMail('pedro@correo.cl', new RegExp(`\\[Caso ${numbers.a}\\] ¿Cómo atendimos tu caso\\?`));
    const links = [...(survey.text ?? '').matchAll(/\/survey\/([\w.-]+)/g)].map((m) => m[1]);
    expect(links).toHaveLength(5);
    const four = links.find((t) => t.split('.')[1] === '4')!;
    const opened = await h.call(`/survey/${four}`, { token: null });
    expect(await opened.text()).toContain(`Tu nota para la atención del caso ${numbers.a}: 4 de 5.`);
    const click = await h.call(`/survey/${four}`, { method: 'POST', token: null });
    expect(click.status).toBe(200);
    expect(await click.text()).toContain(`nota 4 de 5 para el caso ${numbers.a}`);
    const replay = await h.call(`/survey/${four}`, { method: 'POST', token: null });
    expect(replay.status).toBe(200);
    const [c, , e, sig] = four.split('.');
    const tampered = await h.call(`/survey/${[c, '5', e, sig].join('.')}`, { method: 'POST', token: null });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('no es válido');
    const d = await h.json(`/api/cases/${ids.a}`, as('pilar@inmo.cl'));
    expect(d.satisfaction.score).toBe(4);
    expect(d.visits.map((v: { kind: string }) => v.kind)).toEqual(['tecnica', 'regreso']);
    expect((await h.json('/api/audit?action=case.satisfaction')).items).toHaveLength(1);
    expect((await h.json('/api/audit?action=case.visit')).items[0]).toMatchObject({ actor: 'pilar@inmo.cl' });
  });

  it('a case is given to a person of customer service, or to nobody; anyone else is refused', async () => {
    const people = (await h.json('/api/cases/options', as('pilar@inmo.cl'))).people as { id: number; name: string }[];
    const jefa = people.find((p) => p.name === 'jefa')!;
    expect(people.map((p) => p.name)).not.toContain('vera');
    const r = await (await post(`/api/cases/${ids.b}/assign`, { userId: jefa.id })).json();
    expect(r).toMatchObject({ ok: true, from: null, to: jefa.id, changed: true });
    expect((await list('pilar@inmo.cl', `?responsible=${jefa.id}`)).map((c) => c.id)).toEqual([ids.b]);
    const vera = await h.json('/api/users');
    const veraId = vera.items.find((u: { email: string }) => u.email === 'vera@inmo.cl').id;
    expect((await post(`/api/cases/${ids.b}/assign`, { userId: veraId })).status).toBe(400);
    expect((await post(`/api/cases/${ids.b}/assign`, { userId: null })).status).toBe(200);
    expect((await h.json(`/api/cases/${ids.b}`, as('pilar@inmo.cl'))).responsible).toBeNull();
    expect((await h.json('/api/audit?action=case.assign')).items).toHaveLength(2);
  });

  it('a misfiled category is corrected: the stored due times follow the new targets, audited; an unknown one is refused', async () => {
    const stored = async () => (await h.app.store.getCase(ids.b))!;
    const before = await stored();
    expect(before.category).not.toBe('reclamo');
    const r = await (await post(`/api/cases/${ids.b}/category`, { category: 'reclamo' })).json();
    expect(r).toMatchObject({ ok: true, from: before.category, to: 'reclamo', changed: true });
    const after = await stored();
    expect(after.category).toBe('reclamo');
    // reclamo's 4 h / 18 h, counted from the case's start in business hours.
    const cal = calendarFor(casesSchema.parse({}), 'CL', 'America/Santiago');
    const due = initialDueTimes(casesSchema.parse({ sla: { reclamo: { firstResponseHours: 4, resolutionHours: 18 } } }), cal, 'reclamo', after.createdAt);
    if (after.firstResponseAt === null) expect(after.firstResponseDueAt).toBe(due.firstResponseDueAt);
    expect(after.resolutionDueAt).toBe(addBusinessMinutes(cal, new Date(after.createdAt), 18 * 60 + after.pausedMinutes).getTime());
    expect((await h.json(`/api/cases/${ids.b}`, as('pilar@inmo.cl'))).businessMinutes.targets).toMatchObject({ firstResponseMinutes: 4 * 60, resolutionMinutes: 18 * 60 });
    expect((await post(`/api/cases/${ids.b}/category`, { category: 'otra' })).status).toBe(400);
    expect((await post(`/api/cases/${ids.b}/category`, { category: before.category }, 'vera@inmo.cl')).status).toBe(403);
    // A gerente of Mirador del Valle acts on its case only: another project's case is not there for her.
    const other = (await h.app.store.getCase(ids.a))!;
    expect((await post(`/api/cases/${ids.a}/category`, { category: 'reclamo' }, 'gerente.mdv@inmo.cl')).status).toBe(404);
    expect((await h.app.store.getCase(ids.a))!.category).toBe(other.category);
    // Back as it was (the statistics below count it there); the same value again changes nothing.
    expect(await (await post(`/api/cases/${ids.b}/category`, { category: before.category })).json()).toMatchObject({ changed: true, to: before.category });
    expect(await (await post(`/api/cases/${ids.b}/category`, { category: before.category })).json()).toMatchObject({ changed: false });
    expect((await stored()).resolutionDueAt).toBe(before.resolutionDueAt);
    const audit = (await h.json('/api/audit?action=case.category')).items;
    expect(audit[audit.length - 1]).toMatchObject({ actor: 'pilar@inmo.cl', objectType: 'case', objectId: String(ids.b) });
  });

  it('statistics by category, project, status, person and month; satisfaction; the Excel export', async () => {
    const s = await h.json('/api/cases/stats', as('pilar@inmo.cl'));
    expect(s.total).toBe(3);
    expect(s.byCategory).toEqual({ reclamo: 1, consulta: 1, sugerencia: 1 });
    expect(s.byStatus).toMatchObject({ resuelto: 1, abierto: 2 });
    expect(s.byProject.map((p: { project: string | null }) => p.project).sort()).toEqual([MDV, PLR, null].sort());
    expect(s.satisfaction).toMatchObject({ answers: 1, average: 4 });
    const months = s.byMonth.reduce((t: number, m: { cases: number }) => t + m.cases, 0);
    expect(months).toBe(3);
    // Case A was answered after ~10 days: its first response is measured and late.
    const pilar = s.byPerson.find((p: { key: string | null }) => p.key === 'pilar');
    expect(pilar.firstResponse).toMatchObject({ measured: 1, decided: 1, withinTarget: 0, compliance: 0 });
    const res = await h.call('/api/cases/export.xlsx', as('vera@inmo.cl'));
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = book.getWorksheet('Casos')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('Caso');
    expect(sheet.rowCount).toBe(2); // the vendor's one case
    expect(sheet.getRow(2).getCell(1).value).toBe(numbers.a);
    expect(sheet.getRow(2).getCell(3).value).toBe('Resuelto');
  });
  it('escalates again when the resolution due time passes after a first-response escalation, once', async () => {
    const d = await h.json(`/api/cases/${ids.b}`, as('pilar@inmo.cl'));
    const first = Date.parse(d.due.firstResponse);
    const resolution = Date.parse(d.due.resolution);
    expect(first).toBeLessThan(resolution);
    // The clock moved forward: what the escalation audited for this case, in order.
    const breaches = async () => ((await h.json('/api/audit?action=case.escalate&limit=50')).items as { objectId: string; data: { breach: string } }[])
      .filter((e) => e.objectId === String(ids.b)).map((e) => e.data.breach).reverse();
    await n.escalate(first + 60 * 60_000);
    expect(await breaches()).toEqual(['first']);
    await n.escalate(first + 2 * 60 * 60_000);
    expect(await breaches()).toEqual(['first']);
    // A day later (a due time at closing hour is past on the business clock only the next morning).
    await n.escalate(resolution + DAY);
    expect(await breaches()).toEqual(['first', 'resolution']);
    await n.escalate(resolution + DAY + 60_000);
    expect(await breaches()).toEqual(['first', 'resolution']);
  });
});
