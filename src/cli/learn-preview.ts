import { createApp } from '../app.ts';
import { runPipeline, type PipelineContext } from '../pipeline/index.ts';
import { previewLearned, previewSentence } from '../teach-preview.ts';
import { commandLogger, type CommandContext } from './context.ts';

/**
 * What a learned parser would change on the stored emails it would claim: "3 con_problemas → bueno,
 * 0 worse". Read-only: the database is only read, `reprocess` applies the change once it is live.
 */
export async function previewOnStored(ctx: CommandContext, before: PipelineContext, after: PipelineContext, id: string): Promise<string> {
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    return previewSentence(await previewLearned(app.store, (raw, c) => runPipeline(raw, c), before, after, id), id);
  } finally {
    await app.close();
  }
}
