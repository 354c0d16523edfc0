import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { type Config, loadConfig, type MailboxConfig } from '../config.ts';
import { inspectDatabase, type DatabaseInspection } from '../db/doctor.ts';
import { isMailAuthError } from '../mail-auth/errors.ts';
import { hintFor } from '../mail-auth/providers.ts';
import type { RefreshTokens } from '../mail-auth/refresh-tokens.ts';
import { open, secretKeyFromEnv } from '../mail-auth/secret-box.ts';
import { accessTokenFor } from '../mail-auth/token-source.ts';
import { createTransport } from '../outbox/transport.ts';

// `centralizer doctor`: one line per check, in the operator's language (Spanish; Portuguese when
// the company's country is BR), each failing one with what to do. Exit 1 when any check fails.

export type CheckStatus = 'ok' | 'fail' | 'warn';

export interface CheckResult {
  /** config | database | mailbox | smtp | intake | clock */
  check: string;
  /** The mailbox name, the SMTP host:port, the database file, … */
  target: string | null;
  status: CheckStatus;
  message: string;
  /** What to do, when the check failed or warns. */
  hint: string | null;
}

export interface DoctorOptions {
  configFile: string | undefined;
  db: string | undefined;
  json: boolean;
  sendTo: string | undefined;
  out: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export type Lang = 'es' | 'pt';

/** A disk with less free space than this under the database fails the check; under WARN_FREE it warns. */
const MIN_FREE = 512 * 1024 * 1024;
const WARN_FREE = 2 * 1024 * 1024 * 1024;
const IMAP_TIMEOUT_MS = 15_000;

const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`;

/** Runs every check and prints them; returns the exit code (1 when any failed). */
export async function doctorCommand(opts: DoctorOptions): Promise<number> {
  const { lang, checks } = await runChecks(opts);
  const failed = checks.some((r) => r.status === 'fail');
  if (opts.json) {
    opts.out.write(`${JSON.stringify({ ok: !failed, lang, checks }, null, 2)}\n`);
  } else {
    for (const r of checks) opts.out.write(`${formatLine(r, lang)}\n`);
  }
  return failed ? 1 : 0;
}

function formatLine(r: CheckResult, lang: Lang): string {
  const mark = { ok: 'ok   ', fail: lang === 'pt' ? 'FALHA' : 'FALLA', warn: 'AVISO' }[r.status];
  const todo = lang === 'pt' ? 'o que fazer' : 'qué hacer';
  return `${mark} ${r.message}${r.hint ? ` → ${todo}: ${r.hint}` : ''}`;
}

/** The checks, in order: config first (nothing else can run without it), then the rest side by side. */
export async function runChecks(opts: DoctorOptions): Promise<{ lang: Lang; checks: CheckResult[] }> {
  const env = opts.env ?? process.env;
  let config: Config;
  let file: string | null;
  try {
    ({ config, file } = loadConfig(opts.configFile, env));
  } catch (e) {
    return {
      lang: 'es',
      checks: [
      {
        check: 'config',
        target: opts.configFile ?? null,
        status: 'fail',
        message: `configuración: ${(e as Error).message.split('\n').join('; ')}`,
        hint: 'corrija la clave indicada (config/example.yaml explica cada una) y vuelva a ejecutar centralizer doctor',
      },
      ],
    };
  }
  const lang: Lang = config.country === 'BR' ? 'pt' : 'es';
  const t = (es: string, pt: string) => (lang === 'pt' ? pt : es);
  const results: CheckResult[] = [
    {
      check: 'config',
      target: file,
      status: 'ok',
      message: `${t('configuración', 'configuração')} ${file ?? t('(valores por defecto)', '(valores padrão)')}: ${config.country}, ${config.mailboxes.length} ${t('buzón(es)', 'caixa(s) de correio')}, ${config.projects.length} ${t('proyecto(s)', 'projeto(s)')}`,
      hint: null,
    },
  ];
  const dbFile = opts.db ?? config.database.path;
  let inspection: DatabaseInspection | null = null;
  const dbResult = checkDatabase(dbFile, t, (i) => (inspection = i));
  try {
    // Read-only: a refresh token the provider rotates during the check is not stored (the daemon's stays valid).
    const refreshTokens = (): RefreshTokens => ({
      load: async (mailbox) => {
        const sealed = (inspection as DatabaseInspection | null)?.sealedRefreshToken(mailbox) ?? null;
        return sealed ? open(secretKeyFromEnv(env), sealed, mailbox) : null;
      },
      save: async () => {},
    });
    const rest = await Promise.all([
      ...config.mailboxes.map((m) => checkMailbox(m, t, refreshTokens)),
      checkSmtp(config, opts.sendTo, t),
      ...(config.intake ? [checkIntake(config.intake.host, config.intake.port, t)] : []),
      checkClock(config.timezone, t),
    ]);
    return { lang, checks: [...results, dbResult, ...rest] };
  } finally {
    (inspection as DatabaseInspection | null)?.close();
  }
}

type T = (es: string, pt: string) => string;

function checkDatabase(file: string, t: T, keep: (i: DatabaseInspection) => void): CheckResult {
  const label = `${t('base de datos', 'banco de dados')} ${file}`;
  const fail = (message: string, hint: string): CheckResult => ({ check: 'database', target: file, status: 'fail', message: `${label}: ${message}`, hint });
  const restore = t(`restaure el último respaldo con centralizer restore ARCHIVO --db ${file} (README, Backups and restore)`, `restaure o último backup com centralizer restore ARQUIVO --db ${file} (README, Backups and restore)`);
  let i: DatabaseInspection;
  try {
    i = inspectDatabase(file);
  } catch (e) {
    return fail(`${t('no se puede usar', 'não pode ser usado')}: ${(e as Error).message.split('\n')[0]}`, restore);
  }
  keep(i);
  const free = freeBytes(path.dirname(path.resolve(file)));
  const disk = free === null ? '' : `, ${gb(free)} ${t('libres', 'livres')}`;
  if (free !== null && free < MIN_FREE) {
    return fail(`${t('solo quedan', 'restam só')} ${gb(free)} ${t('libres en', 'livres em')} ${path.dirname(path.resolve(file))}`, t('libere espacio (respaldos antiguos en backup.dir, centralizer purge --before FECHA) o amplíe el disco', 'libere espaço (backups antigos em backup.dir, centralizer purge --before DATA) ou amplie o disco'));
  }
  if (i.missing) {
    if (i.markerFound) return fail(t('falta el archivo, y su marcador dice que existía', 'o arquivo sumiu, e o marcador diz que existia'), restore);
    return { check: 'database', target: file, status: 'warn', message: `${label}: ${t('aún no existe', 'ainda não existe')}${disk}`, hint: t('centralizer run la crea al iniciar; si debía existir, revise database.path o --db', 'centralizer run o cria ao iniciar; se deveria existir, revise database.path ou --db') };
  }
  if (i.quickCheck) return fail(`quick_check: ${i.quickCheck.slice(0, 200)}`, restore);
  if (i.unknownMigrations > 0) {
    return fail(t(`tiene ${i.unknownMigrations} migración(es) que esta versión no conoce (es de una versión más nueva)`, `tem ${i.unknownMigrations} migração(ões) que esta versão não conhece (é de uma versão mais nova)`), t('instale la versión del programa que la creó, o restaure un respaldo de esta versión', 'instale a versão do programa que o criou, ou restaure um backup desta versão'));
  }
  if (i.pendingMigrations.length > 0) {
    return { check: 'database', target: file, status: 'warn', message: `${label}: quick_check ok, ${t('migraciones pendientes', 'migrações pendentes')}: ${i.pendingMigrations.join(', ')}${disk}`, hint: t('se aplican al iniciar centralizer run (haga antes un respaldo: centralizer backup ARCHIVO)', 'são aplicadas ao iniciar centralizer run (faça antes um backup: centralizer backup ARQUIVO)') };
  }
  return { check: 'database', target: file, status: 'ok', message: `${label}: quick_check ok, ${i.appliedMigrations} ${t('migraciones aplicadas', 'migrações aplicadas')}${disk}`, hint: null };
}

/** Free bytes on the file system of `dir` (or its nearest existing parent); null when unknown. */
function freeBytes(dir: string): number | null {
  let d = dir;
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    const s = fs.statfsSync(d);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

async function checkMailbox(m: MailboxConfig, t: T, refreshTokens: () => RefreshTokens): Promise<CheckResult> {
  const label = `${t('buzón', 'caixa')} ${m.name} (${m.user} @ ${m.host}:${m.port})`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'mailbox', target: m.name, status, message: `${label}: ${message}`, hint });
  let auth: { user: string; pass: string } | { user: string; accessToken: string } = { user: m.user, pass: m.password ?? '' };
  if (m.auth) {
    try {
      const t0 = await accessTokenFor(m.auth, { mailbox: m.name, user: m.user, refreshTokens: m.auth.grant === 'refresh_token' ? refreshTokens() : undefined }, { force: true });
      auth = { user: m.user, accessToken: t0.accessToken };
    } catch (e) {
      if (isMailAuthError(e)) return result('fail', `${t('no se obtuvo el token OAuth2', 'o token OAuth2 não foi obtido')} (${e.code}): ${e.message}`, e.hint);
      return result('fail', `${t('no se obtuvo el token OAuth2', 'o token OAuth2 não foi obtido')}: ${(e as Error).message}`, t('revise la red hacia el proveedor y el bloque auth del buzón', 'revise a rede até o provedor e o bloco auth da caixa'));
    }
  }
  const client = new ImapFlow({ host: m.host, port: m.port, secure: m.secure, tls: m.tls, auth, logger: false, connectionTimeout: IMAP_TIMEOUT_MS, greetingTimeout: IMAP_TIMEOUT_MS, socketTimeout: IMAP_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; responseText?: string; message?: string; code?: string };
    if (e.authenticationFailed) {
      const hint = m.auth
        ? hintFor(m.auth, 'imap_refused', m.name)
        : t(
            `revise la contraseña del buzón "${m.name}" (password o la variable de passwordEnv${m.passwordEnv ? ` ${m.passwordEnv}` : ''}); Microsoft 365 y Google Workspace necesitan auth: oauth2 (README)`,
            `revise a senha da caixa "${m.name}" (password ou a variável de passwordEnv${m.passwordEnv ? ` ${m.passwordEnv}` : ''}); Microsoft 365 e Google Workspace precisam de auth: oauth2 (README)`,
          );
      return result('fail', t(`el servidor rechazó el inicio de sesión (${e.responseText ?? 'AUTHENTICATIONFAILED'})`, `o servidor recusou o login (${e.responseText ?? 'AUTHENTICATIONFAILED'})`), hint);
    }
    return result('fail', `${t('no se pudo conectar', 'não foi possível conectar')}: ${e.code ?? ''} ${e.responseText ?? e.message ?? ''}`.trim(), t(`revise host, port y secure del buzón "${m.name}" (993 con secure: true) y que el firewall deje salir`, `revise host, port e secure da caixa "${m.name}" (993 com secure: true) e se o firewall deixa sair`));
  }
  try {
    let exists: number;
    try {
      exists = (await client.mailboxOpen(m.folder, { readOnly: true })).exists;
    } catch (err) {
      const e = err as { responseText?: string; message?: string };
      return result('fail', `${t('no se pudo abrir la carpeta', 'não foi possível abrir a pasta')} ${m.folder}: ${e.responseText ?? e.message}`, t(`revise folder del buzón "${m.name}" (distingue mayúsculas; INBOX por defecto)`, `revise folder da caixa "${m.name}" (diferencia maiúsculas; INBOX por padrão)`));
    }
    const unseen = ((await client.search({ seen: false }, { uid: true })) || []).length;
    if (m.moveTo) {
      const list = await client.list();
      if (!list.some((f) => f.path === m.moveTo)) {
        return result('fail', t(`la carpeta moveTo "${m.moveTo}" no existe`, `a pasta moveTo "${m.moveTo}" não existe`), t('créela en el cliente de correo o corrija moveTo', 'crie-a no cliente de e-mail ou corrija moveTo'));
      }
    }
    return result('ok', t(`sesión iniciada; ${m.folder} tiene ${exists} mensajes, ${unseen} sin leer`, `login feito; ${m.folder} tem ${exists} mensagens, ${unseen} não lidas`));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function checkSmtp(config: Config, sendTo: string | undefined, t: T): Promise<CheckResult> {
  const smtp = config.smtp;
  if (!smtp) {
    return {
      check: 'smtp',
      target: null,
      status: sendTo ? 'fail' : 'warn',
      message: t('SMTP: no configurado; los avisos quedan en la cola (outbox)', 'SMTP: não configurado; as notificações ficam na fila (outbox)'),
      hint: t('agregue el bloque smtp (config/example.yaml) para enviar avisos', 'adicione o bloco smtp (config/example.yaml) para enviar notificações'),
    };
  }
  const where = `${smtp.host}:${smtp.port}`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'smtp', target: where, status, message: `SMTP ${where}: ${message}`, hint });
  if (!smtp.auth && smtp.user && smtp.password === undefined) {
    return result('fail', t('falta la contraseña', 'falta a senha'), smtp.passwordEnv ? t(`defina la variable de entorno ${smtp.passwordEnv} (EnvironmentFile del servicio)`, `defina a variável de ambiente ${smtp.passwordEnv} (EnvironmentFile do serviço)`) : t('agregue smtp.passwordEnv', 'adicione smtp.passwordEnv'));
  }
  const transport = createTransport(smtp);
  try {
    try {
      await transport.verify();
    } catch (err) {
      const e = err as { code?: string; message?: string; response?: string };
      if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'EOAUTH2') {
        return result('fail', `${t('rechazó el inicio de sesión de', 'recusou o login de')} ${smtp.user ?? '(sin usuario)'}: ${e.response ?? e.message}`, t('revise smtp.user y la contraseña (smtp.passwordEnv) o el bloque smtp.auth', 'revise smtp.user e a senha (smtp.passwordEnv) ou o bloco smtp.auth'));
      }
      return result('fail', `${t('no responde', 'não responde')} (${e.code ?? ''} ${e.message ?? ''})`.replace(' )', ')'), t(`revise smtp.host y smtp.port (587 con STARTTLS, 465 con secure: true) y que el firewall deje salir hacia ${where}`, `revise smtp.host e smtp.port (587 com STARTTLS, 465 com secure: true) e se o firewall deixa sair para ${where}`));
    }
    if (!sendTo) return result('ok', t('conexión e inicio de sesión correctos', 'conexão e login corretos'));
    try {
      const info = await transport.sendMail({
        from: smtp.from,
        to: sendTo,
        subject: t('Prueba de centralizer doctor', 'Teste do centralizer doctor'),
        text: t(`Mensaje de prueba enviado por centralizer doctor el ${new Date().toISOString()}. Si lo recibe, los avisos por correo funcionan.\n`, `Mensagem de teste enviada pelo centralizer doctor em ${new Date().toISOString()}. Se a recebeu, as notificações por e-mail funcionam.\n`),
      });
      return result('ok', t(`mensaje de prueba aceptado para ${sendTo} (${info.response ?? ''})`, `mensagem de teste aceita para ${sendTo} (${info.response ?? ''})`));
    } catch (err) {
      const e = err as { message?: string; response?: string };
      return result('fail', `${t('rechazó el mensaje de prueba', 'recusou a mensagem de teste')}: ${e.response ?? e.message}`, t('revise smtp.from (el servidor puede exigir que sea la cuenta de smtp.user) y la dirección de --send-to', 'revise smtp.from (o servidor pode exigir a conta de smtp.user) e o endereço de --send-to'));
    }
  } finally {
    transport.close();
  }
}

/** The intake port is either free (the daemon will open it) or already answered by an HTTP server (the daemon's). */
async function checkIntake(host: string, port: number, t: T): Promise<CheckResult> {
  const where = `${host}:${port}`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'intake', target: where, status, message: `intake ${where}: ${message}`, hint });
  if (port === 0) return result('ok', t('puerto elegido al iniciar (port: 0)', 'porta escolhida ao iniciar (port: 0)'));
  const bind = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e));
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
  if (!bind) return result('ok', t('puerto libre; centralizer run lo abrirá', 'porta livre; centralizer run a abrirá'));
  if (bind.code === 'EACCES') return result('fail', t('sin permiso para usar el puerto', 'sem permissão para usar a porta'), t('use un puerto sobre 1024 detrás del proxy TLS', 'use uma porta acima de 1024 atrás do proxy TLS'));
  if (bind.code === 'EADDRNOTAVAIL') return result('fail', t('la dirección no es de esta máquina', 'o endereço não é desta máquina'), t('revise intake.host (0.0.0.0 o una IP local)', 'revise intake.host (0.0.0.0 ou um IP local)'));
  if (bind.code !== 'EADDRINUSE') return result('fail', `${bind.code ?? ''} ${bind.message}`.trim(), t('revise intake.host e intake.port', 'revise intake.host e intake.port'));
  const answers = await new Promise<boolean>((resolve) => {
    const req = http.get({ host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port, path: '/intake/health', timeout: 3000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
  return answers
    ? result('ok', t('en uso y responde por HTTP (el daemon ya escucha)', 'em uso e responde por HTTP (o daemon já escuta)'))
    : result('fail', t('otro programa ocupa el puerto y no responde por HTTP', 'outro programa ocupa a porta e não responde por HTTP'), t('libere el puerto o cambie intake.port', 'libere a porta ou mude intake.port'));
}

function ntpSynchronized(): Promise<boolean | null> {
  return new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      if (err) return resolve(null);
      const v = stdout.trim();
      resolve(v === 'yes' ? true : v === 'no' ? false : null);
    });
  });
}

async function checkClock(timezone: string, t: T): Promise<CheckResult> {
  const now = new Date();
  let local: string;
  try {
    local = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'shortOffset' }).format(now);
  } catch {
    return { check: 'clock', target: timezone, status: 'fail', message: `${t('zona horaria', 'fuso horário')}: "${timezone}" ${t('no existe', 'não existe')}`, hint: t('use un nombre IANA, p. ej. timezone: America/Santiago', 'use um nome IANA, p. ex. timezone: America/Sao_Paulo') };
  }
  const system = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const label = `${t('reloj', 'relógio')}: ${local} ${timezone} (${t('sistema', 'sistema')}: ${system}, UTC ${now.toISOString().slice(11, 19)})`;
  const ntp = await ntpSynchronized();
  if (ntp === false) {
    return { check: 'clock', target: timezone, status: 'warn', message: `${label}, ${t('sin sincronizar por NTP', 'sem sincronizar por NTP')}`, hint: t('active la sincronización: timedatectl set-ntp true (horas de llegada y plazos de seguimiento dependen del reloj)', 'ative a sincronização: timedatectl set-ntp true (horários de chegada e prazos dependem do relógio)') };
  }
  return { check: 'clock', target: timezone, status: 'ok', message: `${label}${ntp ? `, ${t('sincronizado por NTP', 'sincronizado por NTP')}` : ''}`, hint: null };
}
