// Before a learned parser goes live: what it would change on the stored emails it would claim.
// Read only; `run` is how the pipeline runs (the worker pool on the admin server, inline in the CLI).
import type { Storage } from './db/port.ts';
import type { PipelineContext, PipelineOutcome } from './pipeline/index.ts';

const RANK: Record<string, number> = { bueno: 3, con_problemas: 2, malo: 1, ignorado: 0 };
const quality = (o: PipelineOutcome) => (o.kind === 'lead' ? o.quality : 'ignorado');
/** The fields a preview compares, as the page names them. */
export const PREVIEW_FIELDS = ['name', 'nationalId', 'email', 'phone', 'project', 'message'] as const;

export interface PreviewChange {
  rawId: number;
  quality: { before: string; after: string };
  fields: { field: string; before: string | null; after: string | null }[];
}

export interface LearnPreview {
  /** Stored emails read (the newest `limit` leads and ignored emails). */
  scanned: number;
  /** Those the learned parser would claim. */
  claimed: number;
  /** Of those, how many read differently (a field or the quality). */
  changed: number;
  worse: number;
  /** "con_problemas → bueno": how many. */
  moves: Record<string, number>;
  /** The first changed emails, field by field. */
  examples: PreviewChange[];
}

export type RunEmail = (raw: Buffer, ctx: PipelineContext) => Promise<PipelineOutcome>;

export async function previewLearned(store: Pick<Storage, 'rawIdsByStatus' | 'getRaw'>, run: RunEmail, before: PipelineContext, after: PipelineContext, id: string, limit = 5000): Promise<LearnPreview> {
  const ids = (await store.rawIdsByStatus(['lead', 'ignored'], null)).slice(-limit);
  const out: LearnPreview = { scanned: 0, claimed: 0, changed: 0, worse: 0, moves: {}, examples: [] };
  for (const rawId of ids) {
    const row = await store.getRaw(rawId);
    if (!row?.raw) continue;
    out.scanned++;
    const next = await run(row.raw, after).catch(() => null);
    if (next?.parser !== id) continue;
    const prev = await run(row.raw, before).catch(() => null);
    if (!prev) continue;
    out.claimed++;
    const [a, b] = [quality(prev), quality(next)];
    if (RANK[b] < RANK[a]) out.worse++;
    if (a !== b) out.moves[`${a} → ${b}`] = (out.moves[`${a} → ${b}`] ?? 0) + 1;
    const value = (o: PipelineOutcome, f: string) => (o.kind === 'lead' ? ((o.fields as unknown as Record<string, string | null>)[f] ?? null) : null);
    const fields = PREVIEW_FIELDS.map((f) => ({ field: f, before: value(prev, f), after: value(next, f) })).filter((d) => d.before !== d.after);
    if (a === b && !fields.length) continue;
    out.changed++;
    if (out.examples.length < 20) out.examples.push({ rawId, quality: { before: a, after: b }, fields });
  }
  return out;
}

/** "3 correos guardados usarían ID: 3 con_problemas → bueno, 0 empeoran". */
export function previewSentence(p: LearnPreview, id: string): string {
  const changes = Object.entries(p.moves).map(([k, n]) => `${n} ${k}`).join(', ') || 'sin cambios de calidad';
  return `${p.claimed} ${p.claimed === 1 ? 'correo guardado usaría' : 'correos guardados usarían'} ${id}: ${changes}, ${p.worse} ${p.worse === 1 ? 'empeora' : 'empeoran'}`;
}
