// `centralizer doctor` against a real Dovecot and a real SMTP receiver (smtp-server), never mocks.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { runCli } from './helpers/cli.ts';
import { testEnv } from './helpers/daemon-env.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { leadMail } from './helpers/lead-mail.ts';
import { startSmtp, type SmtpReceiver } from './helpers/smtp-receiver.ts';
import { noDovecot } from './helpers/tools.ts';

/** A port nothing listens on: bound, then closed (connecting to it is refused at once). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A database with every migration applied, as `centralizer run` leaves it. */
async function makeDatabase(configFile: string, db: string): Promise<void> {
  const app = await createApp(loadConfig(configFile).config, createLogger('silent'), { dbPath: db });
  await app.close();
}

const lineOf = (stdout: string, what: RegExp) => stdout.split('\n').filter((l) => what.test(l));

describe.skipIf(noDovecot())('centralizer doctor', () => {
  let dc: Dovecot;
  let smtp: SmtpReceiver;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    dc = await startDovecot({ users: [{ user: 'box1@test.local', password: 'secret' }] });
    smtp = await startSmtp();
  });
  afterAll(async () => {
    for (const c of cleanups) c();
    await smtp?.close();
    await dc?.destroy();
  });

  it('a wrong IMAP password and an unreachable SMTP: a good database line and two failing lines naming the mailbox and the host, exit 1', async () => {
    const port = await closedPort();
    const env = testEnv(dc, [{ name: 'ventas', user: 'box1@test.local', password: 'not-the-password' }], {
      smtp: { host: '127.0.0.1', port, secure: false, from: 'centralizer@test.local' },
    });
    cleanups.push(env.cleanup);
    await makeDatabase(env.file, env.db);

    const { code, stdout } = await runCli(['doctor', '--config', env.file]);
    expect(code).toBe(1);
    const checks = lineOf(stdout, /^\S+ +(base de datos|buzón|SMTP) /);
    expect(checks, stdout).toHaveLength(3);
    const [db, mailbox, sender] = checks;
    expect(db).toMatch(/^ok +base de datos .*centralizer\.db: quick_check ok, \d+ migraciones aplicadas, [\d.]+ GB libres$/);
    expect(mailbox).toMatch(/^FALLA buzón ventas \(box1@test\.local @ 127\.0\.0\.1:\d+\): el servidor rechazó el inicio de sesión/);
    expect(mailbox).toContain('→ qué hacer: revise la contraseña del buzón "ventas"');
    expect(sender).toMatch(new RegExp(`^FALLA SMTP 127\\.0\\.0\\.1:${port}: no responde .*ECONNREFUSED`));
    expect(sender).toContain(`→ qué hacer: revise smtp.host y smtp.port`);
    // Nothing else fails: the config loaded, the clock is at most a warning.
    expect(stdout.split('\n').filter((l) => l.startsWith('FALLA'))).toHaveLength(2);
    expect(lineOf(stdout, /^ok +configuración /)).toHaveLength(1);
  });

  it('a good configuration exits 0, and --send-to gets the test message through the real receiver', async () => {
    await fs.promises.mkdir(dc.maildir('box1@test.local'), { recursive: true });
    dc.seedMaildir('box1@test.local', [leadMail('doctor', 1).raw, leadMail('doctor', 2).raw]);
    const env = testEnv(dc, [{ name: 'ventas', user: 'box1@test.local' }], {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'centralizer@test.local' },
    });
    cleanups.push(env.cleanup);
    await makeDatabase(env.file, env.db);

    const { code, stdout } = await runCli(['doctor', '--config', env.file, '--send-to', 'operador@test.local']);
    expect(stdout).not.toMatch(/^FALLA/m);
    expect(code).toBe(0);
    expect(lineOf(stdout, /^ok +buzón ventas/)[0]).toMatch(/sesión iniciada; INBOX tiene 2 mensajes, 2 sin leer$/);
    expect(lineOf(stdout, /^ok +SMTP/)[0]).toContain('mensaje de prueba aceptado para operador@test.local');
    const mail = smtp.mails.find((m) => m.subject === 'Prueba de centralizer doctor');
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('operador@test.local');

    // --json: the same checks for scripts.
    const json = await runCli(['doctor', '--config', env.file, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; lang: string; checks: { check: string; status: string; target: string | null }[] };
    expect(report).toMatchObject({ ok: true, lang: 'es' });
    expect(report.checks.map((c) => c.check)).toEqual(['config', 'database', 'mailbox', 'smtp', 'clock']);
    expect(report.checks.find((c) => c.check === 'mailbox')).toMatchObject({ status: 'ok', target: 'ventas' });
  });

  it('Portuguese for a BR company; a config that does not load is one failing line', async () => {
    const env = testEnv(dc, [{ name: 'vendas', user: 'box1@test.local', password: 'errada' }], { country: 'BR' });
    cleanups.push(env.cleanup);
    const br = await runCli(['doctor', '--config', env.file]);
    expect(br.code).toBe(1);
    expect(br.stdout).toMatch(/^FALHA caixa vendas .*o servidor recusou o login.* → o que fazer: revise a senha da caixa "vendas"/m);
    expect(br.stdout).toMatch(/^AVISO banco de dados .*: ainda não existe/m); // not created: doctor never creates it

    const bad = path.join(env.dir, 'bad.yaml');
    fs.writeFileSync(bad, 'country: CL\nfollowUpdays: 3\n');
    const res = await runCli(['doctor', '--config', bad]);
    expect(res.code).toBe(1);
    expect(res.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^FALLA configuración: .*bad\.yaml:2:1: followUpdays: clave desconocida "followUpdays"; ¿quiso decir "followUpDays"\? → qué hacer: corrija la clave indicada/)]);
    expect(fs.existsSync(env.db)).toBe(false);
  });
});
