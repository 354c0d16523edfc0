import fs from 'node:fs';
import path from 'node:path';
import { backupDatabase, newerThanBackup, readDaemonLease, restoreDatabase, validateBackup } from '../db/sqlite/backup.ts';
import { ownerIsDead } from '../daemon/lease.ts';
import { intakeSpool, spoolName } from '../intake/spool.ts';
import { type CommandContext, UsageError } from './context.ts';

const dbFile = (ctx: CommandContext) => path.resolve(ctx.db ?? ctx.config.database.path);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** `centralizer backup FILE`: a consistent copy of the database, safe while the daemon runs. */
export async function backupCommand(ctx: CommandContext): Promise<number> {
  const [dest, extra] = ctx.args;
  if (!dest || extra) throw new UsageError('uso: centralizer backup ARCHIVO [--db RUTA]');
  if (fs.existsSync(dest)) {
    ctx.err.write(`backup: ${dest} ya existe; elige otro nombre de archivo\n`);
    return 1;
  }
  const source = dbFile(ctx);
  let last = 0;
  const started = Date.now();
  const r = await backupDatabase(source, dest, (p) => {
    // Progress only for copies long enough to wonder about, at most once a second.
    if (p.remainingPages > 0 && Date.now() - last >= 1000 && Date.now() - started >= 1000) {
      last = Date.now();
      const done = p.totalPages - p.remainingPages;
      ctx.err.write(`backup: ${Math.floor((done / p.totalPages) * 100)}% (${done} de ${p.totalPages} páginas)\n`);
    }
  });
  ctx.out.write(`respaldo de ${source} escrito en ${dest} (${mb(r.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return 0;
}

/** `centralizer restore FILE`: the backup replaces the database, the old file is kept aside. */
export async function restoreCommand(ctx: CommandContext): Promise<number> {
  const [backup, extra] = ctx.args;
  if (!backup || extra) throw new UsageError('uso: centralizer restore ARCHIVO [--yes] [--db RUTA]');
  const target = dbFile(ctx);
  if (path.resolve(backup) === target) throw new UsageError('restore: the backup file is the database itself');
  const problem = validateBackup(backup);
  if (problem) {
    ctx.err.write(`restore: ${backup} no es un respaldo utilizable: ${problem}. No se cambió nada.\n`);
    return 1;
  }
  const lease = readDaemonLease(target);
  if (lease === 'unreadable') {
    ctx.err.write(`restore: aviso: no se puede leer ${target}, así que no se sabe si un daemon la usa; asegúrate de que ninguno esté corriendo\n`);
  } else if (lease && lease.expiresAt > Date.now() && !ownerIsDead(lease.owner)) {
    ctx.err.write(
      `restore: a daemon (${lease.owner}) is using ${target} (its lease runs until ${new Date(lease.expiresAt).toISOString()}). ` +
        'Stop it first (SIGTERM, or stop the service), then run restore again. Nothing was changed.\n',
    );
    return 1;
  }
  if (fs.existsSync(target)) {
    ctx.err.write(describeLoss(ctx, target, backup));
    const ok = await confirm(ctx);
    if (!ok) return 1;
  }
  const r = await restoreDatabase(backup, target);
  ctx.out.write(
    `respaldo ${backup} restaurado en ${target} (${mb(r.bytes)})` +
      (r.keptAside ? `; la base reemplazada queda guardada como ${r.keptAside}` : '') +
      '. Inicia el daemon de nuevo: trae de los buzones lo que llegó después del respaldo y vuelve a guardar los leads de intake del spool.\n',
  );
  return 0;
}

/** What the restore would drop, in Spanish, for the person deciding. */
function describeLoss(ctx: CommandContext, target: string, backup: string): string {
  const newer = newerThanBackup(target, backup);
  if (newer === null) return '';
  if (typeof newer === 'string') {
    return `restore: no se pudo comparar ${target} con el respaldo (${newer}); todo lo posterior al respaldo se perdería.\n`;
  }
  const spool = intakeSpool(ctx.config, target);
  const names = spool?.names() ?? new Set<string>();
  const spooled = newer.intakeMessageIds.filter((m) => names.has(spoolName(m))).length;
  const unspooled = newer.intakeMessageIds.length - spooled;
  const lines = [
    `restore: ${target} tiene datos posteriores al respaldo ${backup}; al restaurar quedan fuera de la base:`,
    `  - ${newer.rawEmails} correos y solicitudes recibidos (raw_emails)`,
    `  - ${newer.leads} leads creados`,
    `  - ${newer.changedLeads} leads modificados (esos cambios se pierden)`,
    `  - ${newer.intakeMessageIds.length} leads de intake HTTP: ${spooled} están en el spool${spool ? ` (${spool.dir})` : ''} y se vuelven a guardar al iniciar el daemon` +
      (unspooled ? `; ${unspooled} NO tienen copia en el spool y se pierden` : ''),
    'Los correos se vuelven a leer de los buzones al iniciar el daemon (si siguen ahí, sin duplicados). Las acciones de las personas posteriores al respaldo se pierden.',
  ];
  return `${lines.join('\n')}\n`;
}

/** --yes, or a "s" typed at a terminal; without a terminal (CI, a script) it refuses. */
async function confirm(ctx: CommandContext): Promise<boolean> {
  if (ctx.values.yes === true) return true;
  const input = ctx.input as (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  if (!input?.isTTY) {
    ctx.err.write('restore: falta la confirmación y no hay una terminal para preguntar. Revise lo que se perdería (arriba) y ejecute de nuevo con --yes para restaurar. No se cambió nada.\n');
    return false;
  }
  ctx.err.write('¿Restaurar el respaldo de todos modos? [s/N] ');
  const answer = await readLine(input);
  if (/^\s*(s|si|sí|y|yes)\s*$/i.test(answer ?? '')) return true;
  ctx.err.write('restore: cancelado. No se cambió nada.\n');
  return false;
}

function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (v: string | null) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(v);
    };
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const onEnd = () => done(buf || null);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
