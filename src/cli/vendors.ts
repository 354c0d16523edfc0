import { createApp } from '../app.ts';
import { AppError } from '../errors.ts';
import { io } from '../db/port.ts';
import { retireVendor } from '../leads/ownership.ts';
import { cliActor, cliAuditEntry } from './audit.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';

/** `centralizer vendors retire ID`: the vendor's clients move to active vendors of the same type. */
export async function vendorsCommand(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.args;
  if (sub !== 'retire' || !id) throw new UsageError('uso: centralizer vendors retire ID_VENDEDOR');
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    // The move and its audit entry (the operator named) in one unit of work, as the page's retire.
    const r = await app.store.unitOfWork(function* (tx) {
      const moved = yield* retireVendor(tx, id, cliActor(), Date.now());
      yield* io(tx.audit(cliAuditEntry('vendor.retire', 'vendor', id, { moved: moved.moved, to: moved.to, retired: moved.retired })));
      return moved;
    });
    ctx.out.write(`vendedor ${id} retirado; ${r.moved} ${r.moved === 1 ? 'cliente traspasado' : 'clientes traspasados'}${r.moved ? `: ${Object.entries(r.to).map(([v, n]) => `${n} a ${v}`).join(', ')}` : ''}\n`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      ctx.err.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    app.close();
  }
}
