// What a person reads in a notification email, received by a real SMTP server on loopback: portals
// by their declared names ("TocToc", "Formulario web", "Sin portal"), problems in Spanish with the
// country's ID name ("RUT inválido"), hours 00-23 even for a deadline just after midnight. And the
// same names and texts reach the page through /api/options (one source).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { closeSharedPools } from '../src/workers/pool.ts';
import { REPO } from './helpers/daemon-env.ts';
import { startSmtp, until } from './helpers/smtp-receiver.ts';
import { rut, startHarness } from './http-fixture.ts';

/** An instant whose wall-clock time in Santiago is 00:40, a day or two ago (the deadline lands at 00:40 too). */
function santiagoMidnightForty(): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Santiago', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
  for (let t = Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000; ; t -= 60_000) if (parts.format(t) === '00:40') return t;
}

function mail(from: string, subject: string, lines: string[], at: number, id: string): Buffer {
  return Buffer.from([
    `From: ${from}`, 'To: ventas@inmobiliaria.example.cl', `Subject: ${subject}`, `Message-ID: <${id}-${process.pid}@example.cl>`,
    `Date: ${new Date(at).toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...lines, '',
  ].join('\r\n'));
}

describe('notification emails speak Spanish to people', () => {
  let app: App;
  let n: Notifications;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let dir: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    dir = mkdtempSync(path.join(os.tmpdir(), 'notify-texts-'));
    const config = parseConfig(JSON.stringify({
      country: 'CL', timezone: 'America/Santiago', parsersDir: path.join(REPO, 'parsers'),
      admin: { publicUrl: 'https://leads.example.cl', token: 'test-token-0123456789abcdef012345' },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'Centralizador <leads@inmobiliaria.example.cl>' },
      projects: [{ name: 'Parque Los Robles', aliases: ['PLR'], notify: ['gerente@inmobiliaria.example.cl'], vendors: [{ id: 'ana', name: 'Ana Vendedora', email: 'ana@inmobiliaria.example.cl' }] }],
    }), 'test.yaml', {});
    app = await createApp(config, createLogger('silent'), { dbPath: path.join(dir, 'c.db'), notify: true, syncConfig: true });
    n = startNotifications(app, createLogger('silent'), { intervalMs: 50, retryBaseMs: 100, retryMaxMs: 300 });
  });
  afterAll(async () => {
    await n?.stop();
    app?.close();
    await smtp?.close();
    closeSharedPools();
    rmSync(dir, { recursive: true, force: true });
  });

  it('portal names, problem texts and 00-23 hours; no raw id, no code', async () => {
    const at = santiagoMidnightForty();
    const leads = [
      // TocToc, with a RUT whose check digit is wrong: con_problemas, "RUT inválido".
      mail('TocToc <notificaciones@toctoc.com>', 'Nuevo contacto', ['Nombre: Tomás Torres Tapia', 'RUT: 12.345.678-0', 'Email: tomas.torres@gmail.com', 'Teléfono: +56 9 7111 2233', 'Proyecto: PLR'], at, 'toctoc'),
      mail('Web <formulario@inmobiliaria-ejemplo.cl>', 'Formulario de contacto', ['Nombre: Wanda Web Soto', `RUT: ${rut(14_567_890)}`, 'Email: wanda.web@gmail.com', 'Teléfono: +56 9 7222 3344', 'Proyecto: PLR'], at, 'web'),
      mail('Alguien <alguien@dominio-desconocido.cl>', 'Consulta', ['Nombre: Gino Genérico Paz', `RUT: ${rut(13_456_789)}`, 'Email: gino.generico@gmail.com', 'Teléfono: +56 9 7333 4455', 'Proyecto: PLR'], at, 'generic'),
    ];
    const parsers: (string | null)[] = [];
    for (const raw of leads) {
      const r = await app.ingestor.ingest(raw, { source: 'file' });
      expect(r.leadId).not.toBeNull();
      parsers.push(r.outcome?.kind === 'lead' ? r.outcome.parser : null);
    }
    expect(parsers).toEqual(['toctoc', 'web-form', null]);
    n.kick();
    await until('three emails', smtp.events, 'mail', () => smtp.mails.length >= 3);
    const texts = smtp.mails.map((m) => `${m.subject}\n${m.text}\n${m.html}`);
    const all = texts.join('\n');
    // No hour 24 or more anywhere ("24:40" is how es-CL with hour12 false writes 00:40).
    expect(all.match(/\b(2[4-9]|[3-9]\d):[0-5]\d\b/g)).toBeNull();
    expect(all).toMatch(/Contactar antes de: \d\d-\d\d-\d{4},? 00:40/);
    // No raw portal id, no "-" for no portal, no problem code.
    expect(all).not.toMatch(/Portal: (toctoc|web-form|-|_generic)\b/);
    expect(all).not.toMatch(/\b(toctoc|web-form|_generic)\b/);
    expect(all).not.toMatch(/\b(name|nationalId|email|phone|project|contact)\.(missing|invalid|unmatched)\b/);
    expect(all).toContain('Portal: TocToc');
    expect(all).toContain('Portal: Formulario web');
    expect(all).toContain('Portal: Sin portal');
    expect(all).toContain('Problemas: RUT inválido');

    // The managers' digest the next day: dates as Chile writes them, portals and qualities by name.
    const before = smtp.mails.length;
    expect(await n.digest(at + 24 * 3_600_000)).toBeGreaterThan(0);
    n.kick();
    await until('the digest', smtp.events, 'mail', () => smtp.mails.slice(before).some((m) => /Resumen de leads/.test(m.subject ?? '')));
    const digest = smtp.mails.slice(before).find((m) => /Resumen de leads/.test(m.subject ?? ''))!;
    expect(digest.subject).toMatch(/^Resumen de leads del \d\d-\d\d-\d{4}$/);
    expect(digest.text).toContain('- TocToc: 1');
    expect(digest.text).toContain('- Formulario web: 1');
    expect(digest.text).toContain('- Sin portal: 1');
    expect(digest.text).toContain('- Con problemas: 1');
    expect(digest.text).toMatch(/- Ana Vendedora: \d/);
    expect(`${digest.text}${digest.html}`).not.toMatch(/\b(toctoc|web-form|_generic|con_problemas)\b|\b(2[4-9]|[3-9]\d):[0-5]\d\b/);
  });
});

describe('the page reads the same names and texts from /api/options', () => {
  it('portal names (with "Sin portal") and problem texts with the country ID name, in Portuguese for BR', async () => {
    const cl = await startHarness({ logLevel: 'silent' });
    const br = await startHarness({ logLevel: 'silent', country: 'BR' });
    try {
      const o = await cl.json('/api/options');
      expect(o.portals).toMatchObject({ toctoc: 'TocToc', 'web-form': 'Formulario web', _generic: 'Sin portal' });
      expect(o.problemTexts['nationalId.invalid']).toBe('RUT inválido');
      const p = await br.json('/api/options');
      expect(p.problemTexts['nationalId.invalid']).toBe('CPF inválido');
      expect(p.problemTexts['email.missing']).toBe('Falta o e-mail');
      expect(p.portals._generic).toBe('Sem portal');
    } finally {
      await cl.close();
      await br.close();
    }
  });
});
