import { createApp } from '../app.ts';
import { runPipeline, type PipelineContext, type PipelineOutcome } from '../pipeline/index.ts';
import { commandLogger, type CommandContext } from './context.ts';

const RANK: Record<string, number> = { bueno: 3, con_problemas: 2, malo: 1, ignorado: 0 };
const quality = (o: PipelineOutcome) => (o.kind === 'lead' ? o.quality : 'ignorado');

/**
 * What a learned parser would change on the stored emails it would claim: "3 con_problemas → bueno,
 * 0 worse". Read-only: the database is only read, `reprocess` applies the change once it is live.
 */
export async function previewOnStored(ctx: CommandContext, before: PipelineContext, after: PipelineContext, id: string): Promise<string> {
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const ids = await app.store.rawIdsByStatus(['lead', 'ignored'], null);
    const moves = new Map<string, number>();
    let claimed = 0;
    let worse = 0;
    for (const rawId of ids.slice(-5000)) {
      const row = await app.store.getRaw(rawId);
      if (!row?.raw) continue;
      const next = await runPipeline(row.raw, after).catch(() => null);
      if (next?.parser !== id) continue;
      const prev = await runPipeline(row.raw, before).catch(() => null);
      if (!prev) continue;
      claimed++;
      const [a, b] = [quality(prev), quality(next)];
      if (RANK[b] < RANK[a]) worse++;
      if (a !== b) moves.set(`${a} → ${b}`, (moves.get(`${a} → ${b}`) ?? 0) + 1);
    }
    const changes = [...moves].map(([k, n]) => `${n} ${k}`).join(', ') || 'sin cambios de calidad';
    return `${claimed} ${claimed === 1 ? 'correo guardado usaría' : 'correos guardados usarían'} ${id}: ${changes}, ${worse} ${worse === 1 ? 'empeora' : 'empeoran'}`;
  } finally {
    app.close();
  }
}
