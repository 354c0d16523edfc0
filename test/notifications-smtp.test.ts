// Notification emails against a real SMTP server on loopback (nodemailer's smtp-server, never a
// mocked transport): the vendor's assignment email, acknowledgements, an outage, the digest. Every
// wait is on an event (the receiver's 'mail', the sender's 'smtp' or 'sent'), never a sleep.
import { row, rows } from './helpers/db-rows.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { ackRefusal } from '../src/outbox/ack-rules.ts';
import { dayBounds } from '../src/outbox/digest.ts';
import type { SenderSettings } from '../src/outbox/sender.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { closeSharedPools } from '../src/workers/pool.ts';
import { REPO } from './helpers/daemon-env.ts';
import { leadMail } from './helpers/lead-mail.ts';
import { startSmtp, until } from './helpers/smtp-receiver.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function appWith(smtpPort: number, extra: Record<string, unknown> = {}, country = 'CL', sender: Partial<SenderSettings> & { intervalMs?: number } = {}): Promise<{ app: App; n: Notifications }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'notify-test-'));
  const cfg = {
    country,
    timezone: 'America/Santiago',
    parsersDir: path.join(REPO, 'parsers'),
    admin: { publicUrl: 'https://leads.example.cl', token: 'test-token-0123456789abcdef012345' },
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'Centralizador <leads@inmobiliaria.example.cl>' },
    projects: [
      {
        name: 'Parque Los Robles', aliases: ['PLR'], notify: ['gerente@inmobiliaria.example.cl'],
        vendors: [{ id: 'ana', name: 'Ana Vendedora', email: 'ana@inmobiliaria.example.cl' }],
        ack: { enabled: true, from: 'plr@inmobiliaria.example.cl' },
      },
    ],
    ...extra,
  };
  // The engine the run names (CENTRALIZER_TEST_DB=postgres: a fresh database on the run's cluster).
  const pgDb = process.env.CENTRALIZER_TEST_DB === 'postgres' ? await createTestDatabase() : null;
  const config = parseConfig(JSON.stringify(pgDb ? { ...cfg, database: { url: pgDb.url } } : cfg), 'test.yaml', {});
  const app = await createApp(config, createLogger('silent'), { ...(pgDb ? {} : { dbPath: path.join(dir, 'c.db') }), notify: true, syncConfig: true });
  const n = startNotifications(app, createLogger('silent'), { intervalMs: 50, retryBaseMs: 100, retryMaxMs: 300, ...sender });
  cleanups.push(async () => {
    await n.stop();
    await app.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, n };
}

const statuses = (app: App) => rows(app, 'SELECT kind, status, count(*) n FROM notifications GROUP BY kind, status ORDER BY kind, status');

describe('notification emails over SMTP', () => {
  afterEach(() => closeSharedPools());

  it('the vendor gets the assignment email with the lead, one-tap links and the page link; the client an RFC 3834 acknowledgement', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { app, n } = await appWith(smtp.port);
    const mail = leadMail('notify', 3);
    const r = await app.ingestor.ingest(mail.raw, { source: 'file', file: 'a.eml' });
    expect(r.leadId).not.toBeNull();
    n.kick();
    await until('two emails', smtp.events, 'mail', () => smtp.mails.length === 2);
    const toVendor = smtp.mails.find((m) => m.text?.includes('Ver el lead'))!;
    expect(toVendor.subject).toMatch(/^\[Bueno\] .+ - Parque Los Robles$/);
    expect((toVendor.to as { text: string }).text).toContain('ana@inmobiliaria.example.cl');
    expect(toVendor.text).toContain(`https://leads.example.cl/?lead=${r.leadId}#contactos`);
    expect(toVendor.text).toMatch(/tel:\+569\d{8}/);
    expect(toVendor.text).toMatch(/https:\/\/wa\.me\/569\d{8}\?text=/);
    expect(toVendor.text).toContain('mailto:');
    expect(toVendor.html).toContain('href="tel:+569');
    expect(toVendor.messageId).toMatch(/^<n\d+\.[0-9a-f]{16}@inmobiliaria\.example\.cl>$/);
    const ack = smtp.mails.find((m) => m !== toVendor)!;
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.text).toContain('Ana Vendedora');
    expect((ack.from as { text: string }).text).toContain('plr@inmobiliaria.example.cl');

    // The same client again within the cooldown: the vendor hears of it ("Retorno"), the client gets no second reply.
    const again = leadMail('notify', 3);
    await app.ingestor.ingest(Buffer.from(again.raw.toString().replace(/Message-ID: <[^>]+>/, 'Message-ID: <again-3@portal.example.cl>').replace('(3)', '(3b)')), { source: 'file', file: 'b.eml' });
    n.kick();
    await until('retorno email', smtp.events, 'mail', () => smtp.mails.length === 3);
    expect(smtp.mails[2].text).toMatch(/Retorno: ya es tu cliente desde \d\d-\d\d-\d{4}/);
    // The receiver has it before the sender has its 250 and records it: wait for the sender too.
    await until('three recorded as sent', n.sender.events, 'sent', () => n.health().sent === 3);
    expect(await statuses(app)).toEqual([{ kind: 'ack', status: 'sent', n: 1 }, { kind: 'assignment', status: 'sent', n: 2 }]);
  });

  it('acknowledgements never answer auto-replies, bounces, lists, no-reply or portal addresses', async () => {
    const human = 'From: Portal <avisos@portal.example.cl>\r\nSubject: x\r\n';
    expect(ackRefusal(human, 'camila@gmail.com')).toBeNull();
    expect(ackRefusal(`${human}Auto-Submitted: auto-replied\r\n`, 'camila@gmail.com')).toMatch(/auto-submitted/);
    expect(ackRefusal(`${human}Precedence: bulk\r\n`, 'camila@gmail.com')).toMatch(/bulk/);
    expect(ackRefusal(`${human}List-Id: <x.lists.example>\r\n`, 'camila@gmail.com')).toMatch(/list/);
    expect(ackRefusal(`${human}Return-Path: <>\r\n`, 'camila@gmail.com')).toMatch(/bounce/);
    expect(ackRefusal('From: MAILER-DAEMON@mx.example\r\n', 'camila@gmail.com')).toMatch(/bounce/);
    expect(ackRefusal(human, 'no-reply@gmail.com')).toMatch(/no-reply/);
    expect(ackRefusal(human, 'contacto@portal.example.cl')).toMatch(/portal/);
  });

  it('a From of 64,000 "<" (quadratic for /<([^>]*)>/, inside the outcome transaction) is read in bounded work', () => {
    expect(ackRefusal(`From: ${'<'.repeat(64_000)}\r\nSubject: x\r\n`, 'camila@gmail.com')).toBeNull();
  }, 3_000); // hang guard: 4.7-18 s with the regex on this machine, a millisecond with indexOf

  /** A port nothing listens on (taken from the OS, then released). */
  async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    return port;
  }
  const oneVendor = { projects: [{ name: 'Parque Los Robles', aliases: ['PLR'], vendors: [{ id: 'ana', name: 'Ana', email: 'ana@inmobiliaria.example.cl' }] }] };

  // The flake of issue 21 item 10 ("Connection pool was closed" instead of the refusal): the sender
  // handed all five rows to the pool at once; the first refusal closed the pool, which failed the
  // other queued sends with that message, and whichever failure came last became the SMTP state.
  // Now one message is in flight at a time, so closing the pool fails nothing else.
  it('SMTP down, then up: the notifications wait in the outbox and are all sent later', async () => {
    const port = await freePort();
    const { app, n } = await appWith(port, oneVendor);
    for (let i = 0; i < 5; i++) await app.ingestor.ingest(leadMail('down', 100 + i).raw, { source: 'file', file: `${i}.eml` });
    const states: (string | null)[] = [n.health().smtp?.error ?? null]; // the start's check may already have run
    n.sender.events.on('smtp', (s) => states.push(s.error));
    await n.sender.tick(); // one whole round: its counts are read at its start and end
    await until('smtp reported down', n.sender.events, 'smtp', () => n.health().smtp?.ok === false && n.health().smtp?.error !== null);
    expect(n.health().smtp!.error).toMatch(/unreachable|ECONNREFUSED/);
    expect(n.health().pending).toBe(5);
    const smtp = await startSmtp({ port });
    cleanups.push(() => smtp.close());
    await until('all five sent', n.sender.events, 'sent', () => n.health().sent === 5);
    expect(n.health()).toMatchObject({ pending: 0, failed: 0, sent: 5 });
    expect(smtp.mails).toHaveLength(5);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(5);
    expect(smtp.maxOpen()).toBe(1); // one message in flight at a time
    const errors = states.filter((e): e is string => e !== null);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(/unreachable|ECONNREFUSED/); // never "Connection pool was closed"
  });

  it('after an outage the queue resumes as soon as a probe finds the server, not when the long backoff ends', async () => {
    const port = await freePort();
    // Backoff from 60 s: without the probe nothing would go out before the test's deadline.
    const { app, n } = await appWith(port, oneVendor, 'CL', { retryBaseMs: 60_000, retryMaxMs: 5 * 60_000, probeMs: 200 });
    for (let i = 0; i < 4; i++) await app.ingestor.ingest(leadMail('probe', 200 + i).raw, { source: 'file', file: `${i}.eml` });
    let probes = 0;
    n.sender.events.on('probe', () => probes++);
    n.kick();
    await until('smtp reported down', n.sender.events, 'smtp', () => n.health().smtp?.ok === false && n.health().smtp?.error !== null);
    // The queue is paused and probing, not sending: two probes fail, the rows stay pending.
    await until('two failed probes', n.sender.events, 'probe', () => probes >= 2);
    expect(n.health()).toMatchObject({ pending: 4, sent: 0 });
    const back = Date.now();
    const smtp = await startSmtp({ port });
    cleanups.push(() => smtp.close());
    await until('the first email after the server is back', smtp.events, 'mail', () => smtp.mails.length >= 1);
    const firstAfterMs = Date.now() - back;
    await until('all four sent', n.sender.events, 'sent', () => n.health().sent === 4);
    expect(n.health()).toMatchObject({ pending: 0, failed: 0, sent: 4, smtp: { ok: true, error: null } });
    expect(firstAfterMs).toBeLessThan(10_000); // the bound; a 200 ms probe is far under it
    const attempts = await rows<{ attempts: number }>(app, 'SELECT attempts FROM notifications ORDER BY id');
    expect(attempts.map((r) => r.attempts)).toEqual([1, 1, 1, 1]); // the outage cost the rows nothing
  });

  it('the digest: today in the company time zone, nothing to someone with nothing due, once per day', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { app, n } = await appWith(smtp.port);
    // 02:30 UTC on 10 January is still 9 January in Santiago (UTC-3 in summer).
    const [start, end] = dayBounds(Date.UTC(2025, 0, 10, 2, 30), 'America/Santiago');
    expect(new Date(start).toISOString()).toBe('2025-01-09T03:00:00.000Z');
    expect(end - start).toBe(24 * 3600_000);
    expect(await n.digest(Date.UTC(2025, 0, 10, 11))).toBe(0); // empty database: nobody gets an email
    const r = await app.ingestor.ingest(leadMail('digest', 7).raw, { source: 'file', file: 'd.eml' });
    const lead = (await row<{ d: number; f: number }>(app, 'SELECT deadline_at d, follow_up_at f FROM leads WHERE id = ?', [r.leadId]))!;
    // On the day the follow-up falls due (in Santiago), the vendor gets it; the manager gets yesterday's counts.
    const [dueDay, nextDay] = dayBounds(lead.f, 'America/Santiago');
    // Both runs after the lead's contact deadline (the managers' "not contacted" list), so what
    // they see does not depend on the hour the test runs at (it failed between 08:00 and 09:00).
    const first = Math.min(Math.max(dueDay + 8 * 3600_000, lead.d + 1000), nextDay - 2000);
    expect(await n.digest(first)).toBeGreaterThanOrEqual(1);
    expect(await n.digest(Math.min(first + 3600_000, nextDay - 1000))).toBe(0); // the same day again: nothing new
    n.kick();
    await until('digest sent', smtp.events, 'mail', () => smtp.mails.some((m) => /Tu día/.test(m.subject ?? '')));
    const d = smtp.mails.find((m) => /Tu día/.test(m.subject ?? ''))!;
    expect(d.text).toContain('Seguimientos para hoy');
    expect(d.text).toContain('Parque Los Robles');
  });
});
