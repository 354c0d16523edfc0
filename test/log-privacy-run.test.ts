// The log of a real `centralizer run` (a child process, stderr piped: JSON) that takes 50 leads from
// a real Dovecot and sends their notifications to a real SMTP server, which refuses one vendor's
// with a reply quoting a client's address, phone and RUT. The log must hold one info line per
// email and per notification, and no email address, phone number or RUT of any client.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { REPO, testEnv } from './helpers/daemon-env.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { leadMail, rutFor } from './helpers/lead-mail.ts';
import { noDovecot } from './helpers/tools.ts';

const LEADS = 50;
const USER = 'privacy@test.local';

/** What leadMail(tag, n) writes for its client: the values the log must never show. */
function personal(tag: string, n: number): string[] {
  const m = leadMail(tag, n).raw.toString('utf8');
  const email = /^Email: (.+)$/m.exec(m)![1].trim();
  const phone = /^Teléfono: (.+)$/m.exec(m)![1].trim();
  const name = /^Nombre: (.+)$/m.exec(m)![1].trim();
  const rut = rutFor(n);
  const digits = phone.replace(/\D/g, '');
  return [email, phone, digits, `+${digits}`, digits.slice(2), rut, rut.replace(/\./g, ''), name];
}

describe.skipIf(noDovecot())('the log of a run with 50 leads and a refused notification', () => {
  let dc: Dovecot;
  let smtp: SMTPServer;
  let smtpPort = 0;
  const refusals: string[] = [];

  beforeAll(async () => {
    dc = await startDovecot({ users: [{ user: USER, password: 'secret' }] });
    const client = personal('privacy', 1);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 200,
      onRcptTo(address, _session, cb) {
        if (address.address !== 'hugo@test.local') return cb();
        // A hostile server's reply: the recipient and a client's data repeated in free text.
        const text = `mailbox full for <${address.address}>, about client ${client[0]} tel ${client[1]} RUT ${client[5]}`;
        refusals.push(text);
        const err = new Error(text) as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
      },
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await dc?.destroy();
  });

  it('one info line per email and per notification, and no client address, phone or RUT anywhere', async () => {
    dc.seedMaildir(USER, Array.from({ length: LEADS }, (_, i) => leadMail('privacy', i + 1).raw));
    const env = testEnv(dc, [{ name: 'ventas', user: USER }], {
      log: { level: 'info' },
      projects: [
        {
          name: 'Parque Los Robles',
          aliases: ['PLR'],
          vendors: [
            { id: 'vera', name: 'Vera Soto', email: 'vera@test.local', notify: 'email' },
            { id: 'hugo', name: 'Hugo Díaz', email: 'hugo@test.local', notify: 'email' },
          ],
        },
      ],
      smtp: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'centralizer@test.local' },
    });
    const child = spawn(process.execPath, ['bin/centralizer.js', 'run', '--config', env.file, '--db', env.db], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CENTRALIZER_LOG_FORMAT: '' }, // stderr is a pipe: JSON
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let log = '';
    const lines: Record<string, unknown>[] = [];
    const enough = () => lines.filter((l) => l.msg === 'email processed').length >= LEADS && lines.some((l) => l.msg === 'notification refused') && lines.some((l) => l.msg === 'notification sent');
    try {
      // Waits on the log itself (no pause): done when every email and both kinds of notification are in.
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`timed out; log so far:\n${log.slice(-3000)}`)), 50_000);
        let partial = '';
        child.stderr!.on('data', (d: Buffer) => {
          log += d.toString('utf8');
          partial += d.toString('utf8');
          const parts = partial.split('\n');
          partial = parts.pop()!;
          for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
          if (enough()) {
            clearTimeout(deadline);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`the daemon exited (${code}):\n${log.slice(-3000)}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
      env.cleanup();
    }

    // JSON lines with ISO times and pino's level numbers.
    for (const l of lines) {
      expect(typeof l.level).toBe('number');
      expect(String(l.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const processed = lines.filter((l) => l.msg === 'email processed');
    expect(processed).toHaveLength(LEADS);
    for (const p of processed) {
      expect(p).toHaveProperty('parser'); // null: these portal emails are read by the generic extraction
      expect(p).toMatchObject({ level: 30, status: 'lead', quality: expect.stringMatching(/^(bueno|con_problemas|malo)$/) });
      expect(p.rawEmailId).toEqual(expect.any(Number));
      expect(p.leadId).toEqual(expect.any(Number));
      expect(p.ms).toEqual(expect.any(Number));
    }
    const refused = lines.filter((l) => l.msg === 'notification refused');
    expect(refused[0]).toMatchObject({ level: 40, notification: expect.any(Number), kind: expect.any(String) });
    expect(String(refused[0].err)).toContain('mailbox full for'); // the refusal is there, its data masked
    expect(lines.find((l) => l.msg === 'notification sent')).toMatchObject({ level: 30, notification: expect.any(Number), ms: expect.any(Number) });
    expect(refusals.length).toBeGreaterThan(0);

    // No client's email, phone (as written, E.164, national digits) or RUT (with and without dots), nor name.
    for (let n = 1; n <= LEADS; n++) for (const v of personal('privacy', n)) expect(log, `lead ${n}: ${v}`).not.toContain(v);
    // And nothing shaped like one: addresses other than the configured ones, RUTs, Chilean mobiles.
    const addresses = [...log.matchAll(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g)].map((m) => m[0]);
    expect(addresses.filter((a) => !/@test\.local$/.test(a))).toEqual([]);
    expect(log).not.toMatch(/\b\d{1,2}\.\d{3}\.\d{3}-[\dkK]\b|\b\d{7,8}-[\dkK]\b/);
    expect(log).not.toMatch(/\+?56\s?9\s?\d{4}\s?\d{4}|\b9\s?\d{4}\s?\d{4}\b/);
  });
});
