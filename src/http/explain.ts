import { HttpError } from './errors.ts';
import { leadIdParam } from './params.ts';
import type { RequestContext } from './types.ts';

/**
 * `GET /api/emails/:id/explain` (admins): `parsers explain` for a stored email, by its raw email
 * id. The parsing runs in the worker pool: untrusted work never runs on this thread.
 */
export async function explainStored(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const { app } = ctx.services;
  const row = await app.store.getRaw(id);
  if (!row) throw new HttpError(404, `correo ${id} no encontrado`);
  if (!row.raw) throw new HttpError(410, 'el correo original ya no está guardado (retención o tamaño)');
  const explanation = await app.workers.explain(row.raw, app.context(), app.config.workers.deadlineMs);
  return { json: { id, ...explanation } };
}
