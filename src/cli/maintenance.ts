import { createApp } from '../app.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';
import { reprocess } from '../reprocess.ts';
import { io } from '../db/port.ts';
import { cliAuditEntry } from './audit.ts';
import { QUALITIES } from '../vocabulary.ts';

function parseDate(value: unknown, option: string): number {
  const t = Date.parse(String(value));
  if (typeof value !== 'string' || Number.isNaN(t)) throw new UsageError(`--${option}: "${String(value)}" is not a date (use YYYY-MM-DD)`);
  return t;
}

/** `centralizer reprocess`: stored emails through today's parsers and projects. */
export async function reprocessCommand(ctx: CommandContext): Promise<number> {
  const qualities = String(ctx.values.quality ?? 'con_problemas,malo').split(',').map((q) => q.trim()).filter(Boolean);
  const allowed: string[] = [...QUALITIES, 'error'];
  const bad = qualities.find((q) => !allowed.includes(q));
  if (bad) throw new UsageError(`--quality: "${bad}" is not one of ${allowed.join(', ')}`);
  const since = ctx.values.since ? parseDate(ctx.values.since, 'since') : null;
  const notify = Boolean(ctx.values.notify);
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db, notify });
  try {
    const r = await reprocess(app, { qualities, since, notify });
    ctx.out.write(`${r.examined} revisados, ${r.upgraded} mejorados, ${r.changed} cambiados, ${r.unchanged} sin cambios, ${r.errors} con error\n`);
  } finally {
    app.close();
  }
  return 0;
}

/** `centralizer purge --before DATE`: raw bodies go, leads stay. */
export async function purgeCommand(ctx: CommandContext): Promise<number> {
  if (!ctx.values.before) throw new UsageError('purge needs --before DATE');
  const before = parseDate(ctx.values.before, 'before');
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const n = await app.store.unitOfWork(function* (tx) {
      const purged = yield* io(tx.purgeRawBefore(before, Date.now()));
      yield* io(tx.audit(cliAuditEntry('raw.purge', 'raw_emails', null, { before: new Date(before).toISOString(), purged })));
      return purged;
    });
    ctx.out.write(`${n} ${n === 1 ? 'correo original borrado' : 'correos originales borrados'} (recibidos antes del ${new Date(before).toISOString().slice(0, 10)}); los leads se conservan\n`);
  } finally {
    app.close();
  }
  return 0;
}
