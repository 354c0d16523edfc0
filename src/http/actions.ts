import { z } from 'zod';
import { abortLead, discardLead, editLead, registerFollowUp, type ActionContext, type ActionResult } from '../leads/actions.ts';
import { CONTACT_CHANNELS, DAY_MS, DISCARD_REASONS, EXPECTATIONS, FOLLOW_UP_ACTIONS } from '../vocabulary.ts';
import { HttpError } from './errors.ts';
import { leadIdParam, resolveDate } from './params.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';
import { audited } from './audit.ts';

/** Free text typed by staff: trimmed, bounded, no control characters except newlines and tabs. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => s.trim())
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'must not contain control characters');
const comment = text(2000).refine((s) => s.length > 0, 'es obligatorio');

export const editBody = z
  .strictObject({
    name: text(200).optional(),
    nationalId: text(100).optional(),
    email: text(254).optional(),
    phone: text(64).optional(),
    project: text(300).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of name, nationalId, email, phone, project');

/** `action: abortar` declines the follow-up (a comment is required); `continuar` is the default. */
export const followUpBody = z
  .strictObject({
    expectation: z.enum(EXPECTATIONS),
    contactType: z.enum(CONTACT_CHANNELS),
    action: z.enum(FOLLOW_UP_ACTIONS).default('continuar'),
    recontactAt: z.string().max(40).optional(),
    comment: text(2000).optional(),
  })
  .refine((b) => b.action !== 'abortar' || Boolean(b.comment), { message: 'es obligatorio para abortar', path: ['comment'] });

export const abortBody = z.strictObject({ comment });
export const discardBody = z.strictObject({ reason: z.enum(DISCARD_REASONS), comment });

function actionContext(s: Services): ActionContext {
  const ctx = s.app.context();
  // An edit that makes a lead bueno creates its client: owner and webhook as for an ingested one.
  return { country: ctx.country, projects: ctx.projects, rules: s.app.rules() };
}

/** The lead named in the path, if the caller may see it; another person's lead is 404, as if absent. */
function visibleLead(ctx: RequestContext): number {
  const id = leadIdParam(ctx.params.id);
  if (!ctx.services.queries.leadVisible(id, callerOf(ctx).scope)) throw new HttpError(404, `lead ${id} not found`);
  return id;
}

const actor = (ctx: RequestContext) => callerOf(ctx).actor;

function done(ctx: RequestContext, action: string, r: ActionResult) {
  // Never the lead's data: ids and states only.
  ctx.services.deps.log.info({ leadId: r.leadId, action, contactState: r.contactState, quality: r.quality }, 'lead action');
  audited(ctx, `lead.${action}`, 'lead', r.leadId, { contactState: r.contactState, quality: r.quality });
  return { json: { ok: true, ...r, followUpAt: r.followUpAt === null ? null : new Date(r.followUpAt).toISOString() } };
}

export async function edit(ctx: RequestContext<unknown, z.output<typeof editBody>>) {
  const id = visibleLead(ctx);
  const c = actionContext(ctx.services);
  return done(ctx, 'edit', await ctx.services.app.store.unitOfWork((tx) => editLead(tx, c, id, ctx.body, actor(ctx), ctx.now)));
}

/** A recontact date: not in the past (a day's grace for a bare date), within a year; a bare date means 09:00 local. */
function recontactAt(value: string | undefined, s: Services, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    throw new HttpError(400, 'recontactAt: must be an ISO date (2024-05-31) or date-time with a zone');
  }
  const bareDate = value.length === 10;
  const at = resolveDate(value, s.app.config.timezone, false, 'recontactAt') + (bareDate ? 9 * 3_600_000 : 0);
  if (Number.isNaN(at)) throw new HttpError(400, 'recontactAt: not a valid date');
  if (at < now - (bareDate ? DAY_MS : 60_000)) throw new HttpError(400, 'recontactAt: must not be in the past');
  if (at > now + 366 * DAY_MS) throw new HttpError(400, 'recontactAt: must be within a year');
  return at;
}

export async function followUp(ctx: RequestContext<unknown, z.output<typeof followUpBody>>) {
  const id = visibleLead(ctx);
  const b = ctx.body;
  const { store } = ctx.services.app;
  if (b.action === 'abortar') return done(ctx, 'abort', await store.unitOfWork((tx) => abortLead(tx, id, b.comment!, actor(ctx), ctx.now)));
  const input = { expectation: b.expectation, contactType: b.contactType, comment: b.comment, recontactAt: recontactAt(b.recontactAt, ctx.services, ctx.now) };
  const c = actionContext(ctx.services);
  return done(ctx, 'follow_up', await store.unitOfWork((tx) => registerFollowUp(tx, c, id, input, actor(ctx), ctx.now)));
}

export async function abort(ctx: RequestContext<unknown, z.output<typeof abortBody>>) {
  const id = visibleLead(ctx);
  return done(ctx, 'abort', await ctx.services.app.store.unitOfWork((tx) => abortLead(tx, id, ctx.body.comment, actor(ctx), ctx.now)));
}

export async function discard(ctx: RequestContext<unknown, z.output<typeof discardBody>>) {
  const id = visibleLead(ctx);
  return done(ctx, 'discard', await ctx.services.app.store.unitOfWork((tx) => discardLead(tx, id, ctx.body.reason, ctx.body.comment, actor(ctx), ctx.now)));
}
