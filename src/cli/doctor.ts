import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config.ts';
import { inspectDatabase, type DatabaseInspection } from '../db/sqlite/doctor.ts';
import type { RefreshTokens } from '../mail-auth/refresh-tokens.ts';
import { open, secretKeyFromEnv } from '../mail-auth/secret-box.ts';
import { checkIntake, checkMailbox, checkSmtp } from './doctor-network.ts';

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

export type T = (es: string, pt: string) => string;

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
