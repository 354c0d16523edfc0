// The owner complaint end to end: delivered by a real Dovecot to a sales mailbox, read by
// the daemon, it becomes a reclamo case (no lead, no vendor notification); the client receives
// exactly one acknowledgement over real SMTP naming the case number and the response time, and
// the client's answer to it (by In-Reply-To, with an attachment) joins the case and reopens it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { appendAll, testEnv, waitFor } from './helpers/daemon-env.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { startSmtp, until, type SmtpReceiver } from './helpers/smtp-receiver.ts';
import { sqliteStore } from './helpers/sqlite-store.ts';
import { noDovecot } from './helpers/tools.ts';

const COMPLAINT = fs.readFileSync(path.resolve('fixtures/cases/13-reclamo-filtracion-1502.eml'));

describe.skipIf(noDovecot())('the owner complaint of issue 24, by IMAP and SMTP', () => {
  let dc: Dovecot;
  let smtp: SmtpReceiver;
  let app: App;
  let daemon: Daemon;
  let notifications: Notifications;
  let env: ReturnType<typeof testEnv>;
  const db = () => sqliteStore(app).sqlite;

  beforeAll(async () => {
    dc = await startDovecot({ users: [{ user: 'ventas@test.local', password: 'secret' }] });
    smtp = await startSmtp();
    env = testEnv(dc, [{ name: 'ventas', user: 'ventas@test.local' } as never], {
      timezone: 'America/Santiago',
      projects: [{ name: 'Parque Los Robles', aliases: ['PLR'], notify: ['gerente@inmobiliaria.example.cl'], vendors: [{ id: 'vera', name: 'Vera Díaz', email: 'vera@inmobiliaria.example.cl' }], ack: { enabled: true } }],
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'Atención al cliente <atencion@inmobiliaria.example.cl>' },
    });
    app = await createApp(loadConfig(env.file).config, createLogger('silent'), { dbPath: env.db, notify: true });
    daemon = await startDaemon(app, { backoff: { baseMs: 200, maxMs: 1_000 } });
    notifications = startNotifications(app, createLogger('silent'), { intervalMs: 50 });
  });
  afterAll(async () => {
    await notifications?.stop();
    await daemon?.stop();
    await app?.close();
    await smtp?.close();
    await dc?.destroy();
    env?.cleanup();
  });

  it('becomes a reclamo case with one acknowledgement, and the client\'s answer joins it', async () => {
    await appendAll(dc, 'ventas@test.local', [COMPLAINT]);
    await until('the acknowledgement', smtp.events, 'mail', () => smtp.mails.length >= 1, 30_000);

    const c = db().prepare('select * from cases').get() as Record<string, number | string | null>;
    expect(c).toMatchObject({ category: 'reclamo', status: 'abierto', unit: 'depto 1502', mailbox: 'ventas', contact_email: 'pedro.morales.c@gmail.com' });
    expect(db().prepare('select count(*) from leads').pluck().get()).toBe(0);
    expect(db().prepare('select count(*) from follow_ups').pluck().get()).toBe(0);
    expect(db().prepare("select status from raw_emails").pluck().all()).toEqual(['case']);
    expect(db().prepare("select kind from notifications").pluck().all()).toEqual(['case_ack']);

    const ack = smtp.mails[0];
    expect((ack.to as { text: string }).text).toBe('pedro.morales.c@gmail.com');
    expect(ack.subject).toBe(`[Caso ${c.number}] Recibimos su mensaje: Reclamo: filtración en el baño del depto 1502, Parque Los Robles`);
    expect(ack.text).toContain(`número de caso ${c.number}`);
    expect(ack.text).toMatch(/dentro de 4 horas hábiles, a más tardar el \d{2}-\d{2}-\d{4}/);
    expect(ack.inReplyTo).toBe('<caso-fixture-13@correo-prueba.cl>');
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
    const out = db().prepare("select message_id from case_messages where case_id = ? and direction = 'out'").pluck().get(c.id) as string;
    expect(ack.messageId).toBe(out);

    // The client answers the acknowledgement while the case waits on them.
    await app.store.unitOfWork(function* (tx) {
      yield* io(tx.updateCase(c.id as number, { status: 'en_espera', waitingSince: Date.now() }));
    });
    const reply = Buffer.from([
      'From: Pedro Morales <pedro.morales.c@gmail.com>', 'To: ventas@test.local', `Subject: Re: ${ack.subject}`, 'Date: Fri, 04 Dec 2026 10:00:00 -0300',
      'Message-ID: <respuesta-pedro@gmail.com>', `In-Reply-To: ${ack.messageId}`, `References: <caso-fixture-13@correo-prueba.cl> ${ack.messageId}`,
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
      '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Adjunto foto de la mancha en el techo. Sigue goteando.', '',
      '--b1', 'Content-Type: image/jpeg', 'Content-Disposition: attachment; filename="techo.jpg"', 'Content-Transfer-Encoding: base64', '', '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBD', '--b1--', '',
    ].join('\r\n'));
    await appendAll(dc, 'ventas@test.local', [reply]);
    await waitFor('the reply in the thread', () => db().prepare('select count(*) from case_messages where case_id = ?').pluck().get(c.id) === 3, 30_000);

    const last = db().prepare('select direction, message_id, attachments, text from case_messages where case_id = ? order by id desc limit 1').get(c.id) as { direction: string; message_id: string; attachments: string; text: string };
    expect(last).toMatchObject({ direction: 'in', message_id: '<respuesta-pedro@gmail.com>' });
    expect(last.text).toContain('Sigue goteando');
    expect(JSON.parse(last.attachments)).toEqual([expect.objectContaining({ filename: 'techo.jpg', contentType: 'image/jpeg' })]);
    expect(db().prepare('select status, waiting_since from cases where id = ?').get(c.id)).toEqual({ status: 'abierto', waiting_since: null });
    expect(db().prepare('select count(*) from leads').pluck().get()).toBe(0);
    // Still exactly one email sent: the reply asked for no second acknowledgement, no vendor heard of it.
    expect(db().prepare('select count(*) from notifications').pluck().get()).toBe(1);
    expect(db().prepare("select status from notifications").pluck().get()).toBe('sent');
    expect(smtp.mails.length).toBe(1);
  }, 90_000);
});
