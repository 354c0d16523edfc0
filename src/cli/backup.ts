import fs from 'node:fs';
import path from 'node:path';
import { backupDatabase, readDaemonLease, restoreDatabase, validateBackup } from '../db/backup.ts';
import { ownerIsDead } from '../daemon/lease.ts';
import { type CommandContext, UsageError } from './context.ts';

const dbFile = (ctx: CommandContext) => path.resolve(ctx.db ?? ctx.config.database.path);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** `centralizer backup FILE`: a consistent copy of the database, safe while the daemon runs. */
export async function backupCommand(ctx: CommandContext): Promise<number> {
  const [dest, extra] = ctx.args;
  if (!dest || extra) throw new UsageError('usage: centralizer backup FILE [--db PATH]');
  if (fs.existsSync(dest)) {
    ctx.err.write(`backup: ${dest} already exists; choose a new file name\n`);
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
      ctx.err.write(`backup: ${Math.floor((done / p.totalPages) * 100)}% (${done} of ${p.totalPages} pages)\n`);
    }
  });
  ctx.out.write(`backup of ${source} written to ${dest} (${mb(r.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return 0;
}

/** `centralizer restore FILE`: the backup replaces the database, the old file is kept aside. */
export async function restoreCommand(ctx: CommandContext): Promise<number> {
  const [backup, extra] = ctx.args;
  if (!backup || extra) throw new UsageError('usage: centralizer restore FILE [--db PATH]');
  const target = dbFile(ctx);
  if (path.resolve(backup) === target) throw new UsageError('restore: the backup file is the database itself');
  const problem = validateBackup(backup);
  if (problem) {
    ctx.err.write(`restore: ${backup} is not a usable backup: ${problem}. Nothing was changed.\n`);
    return 1;
  }
  const lease = readDaemonLease(target);
  if (lease === 'unreadable') {
    ctx.err.write(`restore: warning: ${target} cannot be read, so whether a daemon uses it is unknown; make sure none runs\n`);
  } else if (lease && lease.expiresAt > Date.now() && !ownerIsDead(lease.owner)) {
    ctx.err.write(
      `restore: a daemon (${lease.owner}) is using ${target} (its lease runs until ${new Date(lease.expiresAt).toISOString()}). ` +
        'Stop it first (SIGTERM, or stop the service), then run restore again. Nothing was changed.\n',
    );
    return 1;
  }
  const r = await restoreDatabase(backup, target);
  ctx.out.write(
    `restored ${backup} into ${target} (${mb(r.bytes)})` +
      (r.keptAside ? `; the replaced database is kept as ${r.keptAside}` : '') +
      '. Start the daemon again; it fetches what arrived after the backup from the mailboxes.\n',
  );
  return 0;
}
