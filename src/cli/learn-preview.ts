import { createApp, type App } from '../app.ts';
import { runPipeline, type PipelineContext, type PipelineOutcome } from '../pipeline/index.ts';
import { previewLearned, previewSentence } from '../parsers/teach-preview.ts';
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

export const DIFF_FIELDS = ['name', 'nationalId', 'email', 'phone', 'project'] as const;

export interface FieldChange { rawEmailId: number; field: string; before: string | null; after: string | null }

export interface StoredDiff {
  /** Stored emails the parser claims before or after the change. */
  claimed: number;
  /** Of those, emails with at least one field read differently. */
  changed: number;
  byField: Record<string, number>;
  changes: FieldChange[];
}

/**
 * Field by field, what a changed parser reads differently on the stored emails of that parser (the
 * latest 5000 leads and ignored emails): each email through the old and the new parsers in the
 * worker pool (stored emails are untrusted), n/total on `progress`. Read-only.
 */
export async function fieldDiffOnStored(app: App, before: PipelineContext, after: PipelineContext, id: string, progress?: (done: number, total: number) => void): Promise<StoredDiff> {
  const ids = (await app.store.rawIdsByStatus(['lead', 'ignored'], null)).slice(-5000);
  const diff: StoredDiff = { claimed: 0, changed: 0, byField: {}, changes: [] };
  const deadlineMs = app.config.workers.deadlineMs;
  const run = (raw: Buffer, ctx: PipelineContext) => app.workers.run(raw, ctx, { deadlineMs }).catch(() => null);
  const batch = Math.max(1, app.workers.size * 4);
  for (let i = 0; i < ids.length; i += batch) {
    await Promise.all(ids.slice(i, i + batch).map(async (rawId) => {
      const row = await app.store.getRaw(rawId);
      if (!row?.raw) return;
      const [prev, next] = await Promise.all([run(row.raw, before), run(row.raw, after)]);
      if (prev?.parser !== id && next?.parser !== id) return;
      diff.claimed++;
      const read = (o: PipelineOutcome | null, f: string) => (o?.kind === 'lead' ? ((o.fields as unknown as Record<string, string | null>)[f] ?? null) : null);
      const moved = DIFF_FIELDS.filter((f) => read(prev, f) !== read(next, f));
      if (!moved.length) return;
      diff.changed++;
      for (const f of moved) {
        diff.byField[f] = (diff.byField[f] ?? 0) + 1;
        diff.changes.push({ rawEmailId: rawId, field: f, before: read(prev, f), after: read(next, f) });
      }
    }));
    progress?.(Math.min(i + batch, ids.length), ids.length);
  }
  diff.changes.sort((a, b) => a.rawEmailId - b.rawEmailId || a.field.localeCompare(b.field));
  return diff;
}
