import { createApp } from '../app.ts';
import { AppError } from '../errors.ts';
import { retireVendor } from '../leads/ownership.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';

/** `centralizer vendors retire ID`: the vendor's clients move to active vendors of the same type. */
export async function vendorsCommand(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.args;
  if (sub !== 'retire' || !id) throw new UsageError('uso: centralizer vendors retire ID_VENDEDOR');
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const r = await app.store.unitOfWork((tx) => retireVendor(tx, id, 'cli', Date.now()));
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
