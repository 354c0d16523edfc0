import { z } from 'zod';
import {
  CONTACT_TYPES, DISCARD_REASONS, EXPECTATIONS, abortLead, discardLead, editLead, registerFollowUp, type ActionDeps, type ActionResult,
} from '../db/lead-actions.ts';
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
const comment = text(2000).refine((s) => s.length > 0, 'is required');

export const editBody = z
  .strictObject({
    name: text(200).optional(),
    nationalId: text(100).optional(),
    email: text(254).optional(),
    phone: text(64).optional(),
    project: text(300).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of name, nationalId, email, phone, project');

export const followUpBody = z.strictObject({
  expectation: z.enum(EXPECTATIONS),
  contactType: z.enum(CONTACT_TYPES),
  recontactAt: z.string().max(40).optional(),
  comment,
});

export const abortBody = z.strictObject({ comment });
export const discardBody = z.strictObject({ reason: z.enum(DISCARD_REASONS), comment });

function actionDeps(s: Services): ActionDeps {
  const ctx = s.app.context();
  // An edit that makes a lead bueno creates its client: owner and webhook as for an ingested one.
  return { store: s.app.store, country: ctx.country, projects: ctx.projects, rules: s.app.rules(), ownership: s.app.ownership };
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

export function edit(ctx: RequestContext<unknown, z.output<typeof editBody>>) {
  const id = visibleLead(ctx);
  return done(ctx, 'edit', editLead(actionDeps(ctx.services), id, ctx.body, actor(ctx), ctx.now));
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
  if (at < now - (bareDate ? 86_400_000 : 60_000)) throw new HttpError(400, 'recontactAt: must not be in the past');
  if (at > now + 366 * 86_400_000) throw new HttpError(400, 'recontactAt: must be within a year');
  return at;
}

export function followUp(ctx: RequestContext<unknown, z.output<typeof followUpBody>>) {
  const id = visibleLead(ctx);
  const b = ctx.body;
  const input = { expectation: b.expectation, contactType: b.contactType, comment: b.comment, recontactAt: recontactAt(b.recontactAt, ctx.services, ctx.now) };
  return done(ctx, 'follow_up', registerFollowUp(actionDeps(ctx.services), id, input, actor(ctx), ctx.now));
}

export function abort(ctx: RequestContext<unknown, z.output<typeof abortBody>>) {
  const id = visibleLead(ctx);
  return done(ctx, 'abort', abortLead(actionDeps(ctx.services), id, ctx.body.comment, actor(ctx), ctx.now));
}

export function discard(ctx: RequestContext<unknown, z.output<typeof discardBody>>) {
  const id = visibleLead(ctx);
  return done(ctx, 'discard', discardLead(actionDeps(ctx.services), id, ctx.body.reason, ctx.body.comment, actor(ctx), ctx.now));
}
