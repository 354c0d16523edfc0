// Issue 23's live check end to end: a vendor's page open in Chromium (390x844), a lead delivered
// by a real Dovecot, read by the running daemon, appears at the top of "Por contactar",
// highlighted, without a reload. The page's poll is set to its longest (300 s), so only the event
// stream can bring it within the wait; how fast it comes is the bench's (bench/live-latency.ts).
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { appendAll } from './helpers/daemon-env.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { CHROMIUM, noChromium, noDovecot } from './helpers/tools.ts';
import { row } from './helpers/db-rows.ts';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';

describe.skipIf(noChromium() || noDovecot())('a lead delivered by IMAP reaches the open vendor page', () => {
  let dc: Dovecot;
  let h: Harness;
  let daemon: Daemon;
  let browser: Browser;

  beforeAll(async () => {
    dc = await startDovecot({ users: [{ user: 'ventas@test.local', password: 'secret' }] });
    h = await startHarness({
      projects: ['  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}'],
      adminYaml: ['  pollSeconds: 300'],
      extraYaml: ['mailboxes:', `  - {name: ventas, host: 127.0.0.1, port: ${dc.port}, secure: false, user: ventas@test.local, password: secret, folder: INBOX}`, 'daemon:', "  pollCron: '*/5 * * * * *'"],
    });
    await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
    await h.app.ingestor.ingest(formEmail({ name: 'Bruno Antiguo', rut: rut(16_345_678), email: 'bruno@gmail.com', phone: '+56 9 8111 2233', project: 'PLR' }, { daysAgo: 1 }), { source: 'file' });
    daemon = await startDaemon(h.app, { backoff: { baseMs: 200, maxMs: 1_000 } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await h?.close();
    await dc?.destroy();
  });

  it('at the top of Por contactar, highlighted, while the page stays open', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'es-CL', timezoneId: 'America/Santiago' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(h.base);
    await page.fill('#login-email', 'vera@inmo.cl');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#day-pending .lead-card h3:text("Bruno Antiguo")');
    const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);

    await appendAll(dc, 'ventas@test.local', [formEmail({ name: 'Daniela Imap', rut: rut(18_567_890), email: 'daniela.imap@gmail.com', phone: '+56 9 8333 4455', project: 'PLR' })]);
    await page.waitForSelector('#day-pending .lead-card:first-child.fresh h3:text("Daniela Imap")', { timeout: 30_000 });

    // Stored by the daemon from the mailbox (not replayed), and the page was never reloaded.
    expect(await row(h.app, "select r.source, r.mailbox from leads l join raw_emails r on r.id = l.raw_email_id where l.name = 'Daniela Imap'")).toEqual({ source: 'imap', mailbox: 'ventas' });
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loads);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
