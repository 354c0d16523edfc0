// Moving a misfiled email between the sales and the post-sale sides (admin only, audited in the
// same unit of work): POST /api/leads/:id/to-case and POST /api/cases/:id/to-lead.
import { z } from 'zod';
import { CASE_CATEGORIES } from '../case-vocabulary.ts';
import { caseToLead, leadToCase, MoveError } from '../cases/move.ts';
import type { PipelineOutcome } from '../pipeline/index.ts';
import { text } from './actions.ts';
import { auditedWork } from './audit.ts';
import { HttpError } from './errors.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

/** `category` left out: what the email's text says (the recognizer's category). */
export const toCaseBody = z.strictObject({ category: z.enum(CASE_CATEGORIES).optional(), comment: text(2000).optional() });
export const toLeadBody = z.strictObject({ comment: text(2000).optional() });

const refusal = (e: unknown): never => {
  if (e instanceof MoveError) throw new HttpError(e.status, e.message);
  throw e;
};

export async function leadToCaseRoute(ctx: RequestContext<unknown, z.output<typeof toCaseBody>>) {
  const id = leadIdParam(ctx.params.id);
  const c = callerOf(ctx);
  if (!(await ctx.services.queries.leadVisible(id, c.scope))) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  const app = ctx.services.app;
  const cfg = app.config;
  // The email is read again in a worker: its subject, unit, language and (when not given) category.
  const lead = await app.store.getLead(id);
  const raw = lead ? (await app.store.getRaw(lead.rawEmailId))?.raw : null;
  const outcome = raw ? await app.ingestor.outcome(raw).catch(() => null) : null;
  // The client hears of the case when this app sends notifications (the daemon's does).
  const acknowledge = app.rules().onLead !== undefined;
  const move = { leadId: id, category: ctx.body.category, comment: ctx.body.comment ?? '', outcome, acknowledge };
  const r = await auditedWork(ctx, (tx) => leadToCase(tx, cfg, move, c.actor, ctx.now), (x) => [
    { action: 'lead.to_case', objectType: 'lead', objectId: x.leadId, data: { caseId: x.caseId, number: x.number, category: x.category, comment: ctx.body.comment ?? null } },
    { action: 'case.from_lead', objectType: 'case', objectId: x.caseId, data: { leadId: x.leadId, number: x.number } },
  ]).catch(refusal);
  ctx.services.deps.log.info({ leadId: r.leadId, caseId: r.caseId }, 'lead moved to a case');
  return { json: { ok: true, ...r } };
}

export async function caseToLeadRoute(ctx: RequestContext<unknown, z.output<typeof toLeadBody>>) {
  const id = leadIdParam(ctx.params.id);
  const c = callerOf(ctx);
  const app = ctx.services.app;
  if (!(await app.reads.cases.visible(id, c.caseScope))) throw new HttpError(404, `Caso no encontrado o fuera de su alcance (caso ${id})`);
  const found = await app.store.getCase(id);
  // The email is read again as a lead in a worker (untrusted work never runs here).
  let outcome: PipelineOutcome | null = null;
  if (found && found.fromLeadId === null && found.toLeadId === null && found.rawEmailId !== null) {
    const raw = (await app.store.getRaw(found.rawEmailId))?.raw;
    if (raw) outcome = await app.ingestor.outcome(raw);
  }
  const rules = app.rules();
  const r = await auditedWork(ctx, (tx) => caseToLead(tx, id, outcome, rules, c.actor, ctx.now), (x) => [
    { action: 'case.to_lead', objectType: 'case', objectId: x.caseId, data: { leadId: x.leadId, number: x.number, comment: ctx.body.comment ?? null } },
    { action: 'lead.from_case', objectType: 'lead', objectId: x.leadId, data: { caseId: x.caseId, number: x.number } },
  ]).catch(refusal);
  ctx.services.deps.log.info({ caseId: r.caseId, leadId: r.leadId }, 'case moved to a lead');
  return { json: { ok: true, ...r } };
}
