// Before a learned parser goes live: what it would change on the stored emails it would claim.
// Read only; `run` is how the pipeline runs (the worker pool on the admin server, inline in the CLI).
import type { Storage } from '../db/port.ts';
import type { PipelineContext, PipelineOutcome } from '../pipeline/index.ts';

/** Stored emails read at once: their bodies are in memory together. */
const CHUNK = 50;
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
  const value = (o: PipelineOutcome, f: string) => (o.kind === 'lead' ? ((o.fields as unknown as Record<string, string | null>)[f] ?? null) : null);
  // A chunk at a time, each context's runs together: the pool batches them (one context per batch).
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = (await Promise.all(ids.slice(i, i + CHUNK).map((id) => store.getRaw(id)))).filter((r) => r?.raw);
    out.scanned += rows.length;
    const next = await Promise.all(rows.map((r) => run(r!.raw!, after).catch(() => null)));
    const mine = rows.flatMap((r, k) => (next[k]?.parser === id ? [{ rawId: r!.id, raw: r!.raw!, next: next[k]! }] : []));
    const prev = await Promise.all(mine.map((m) => run(m.raw, before).catch(() => null)));
    for (const [k, m] of mine.entries()) {
      const was = prev[k];
      if (!was) continue;
      out.claimed++;
      const [a, b] = [quality(was), quality(m.next)];
      if (RANK[b] < RANK[a]) out.worse++;
      if (a !== b) out.moves[`${a} → ${b}`] = (out.moves[`${a} → ${b}`] ?? 0) + 1;
      const fields = PREVIEW_FIELDS.map((f) => ({ field: f, before: value(was, f), after: value(m.next, f) })).filter((d) => d.before !== d.after);
      if (a === b && !fields.length) continue;
      out.changed++;
      if (out.examples.length < 20) out.examples.push({ rawId: m.rawId, quality: { before: a, after: b }, fields });
    }
  }
  return out;
}

/** "3 correos guardados usarían ID: 3 con_problemas → bueno, 0 empeoran". */
export function previewSentence(p: LearnPreview, id: string): string {
  const changes = Object.entries(p.moves).map(([k, n]) => `${n} ${k}`).join(', ') || 'sin cambios de calidad';
  return `${p.claimed} ${p.claimed === 1 ? 'correo guardado usaría' : 'correos guardados usarían'} ${id}: ${changes}, ${p.worse} ${p.worse === 1 ? 'empeora' : 'empeoran'}`;
}
