import { z } from 'zod';
import { abortLead, discardLead, editLead, registerFollowUp, type ActionContext, type ActionResult } from '../leads/actions.ts';
import { CONTACT_CHANNELS, DAY_MS, DISCARD_REASONS, EXPECTATIONS, FOLLOW_UP_ACTIONS } from '../vocabulary.ts';
import { HttpError } from './errors.ts';
import { leadIdParam, resolveDate } from './params.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';
import { auditedWork } from './audit.ts';
import type { StoreTx, Work } from '../db/port.ts';

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

export function actionContext(s: Services): ActionContext {
  const ctx = s.app.context();
  // An edit that makes a lead bueno creates its client: owner and webhook as for an ingested one.
  return { country: ctx.country, projects: ctx.projects, rules: s.app.rules() };
}

/** The lead named in the path, if the caller may see it; another person's lead is 404, as if absent. */
async function visibleLead(ctx: RequestContext): Promise<number> {
  const id = leadIdParam(ctx.params.id);
  if (!(await ctx.services.queries.leadVisible(id, callerOf(ctx).scope))) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  return id;
}

const actor = (ctx: RequestContext) => callerOf(ctx).actor;

/**
 * An action as one unit of work with its audit entry. The answer never carries an id outside the
 * caller's scope: an edit that links the lead to another vendor's client (the first to register a
 * client keeps it) answers without that client's id and says so.
 */
async function act(ctx: RequestContext, action: string, work: (tx: StoreTx) => Work<ActionResult>) {
  const r = await auditedWork(ctx, work, (x) => ({ action: `lead.${action}`, objectType: 'lead', objectId: x.leadId, data: { contactState: x.contactState, quality: x.quality } }));
  // Never the lead's data: ids and states only.
  ctx.services.deps.log.info({ leadId: r.leadId, action, contactState: r.contactState, quality: r.quality }, 'lead action');
  // Open pages (the vendor's list, a manager's table) hear of a contact, an abort or a discard at once.
  if (action !== 'edit') ctx.services.app.live.publish({ type: 'contact', leadId: r.leadId });
  const { scope } = callerOf(ctx);
  const foreignClient = r.clientId !== null && !(await ctx.services.queries.clientVisible(r.clientId, scope));
  const json: Record<string, unknown> = { ok: true, ...r, followUpAt: r.followUpAt === null ? null : new Date(r.followUpAt).toISOString() };
  if (foreignClient) {
    Object.assign(json, { clientId: null, followUpAt: null, clientOfAnotherVendor: true, notice: OTHER_VENDOR_NOTICE });
  }
  return { json };
}

/** Said when a lead or walk-in turns out to be a client another vendor registered first. */
export const OTHER_VENDOR_NOTICE = 'El cliente ya está registrado con otro vendedor: el contacto quedó en su ficha, con su responsable.';

export async function edit(ctx: RequestContext<unknown, z.output<typeof editBody>>) {
  const id = await visibleLead(ctx);
  const c = actionContext(ctx.services);
  return act(ctx, 'edit', (tx) => editLead(tx, c, id, ctx.body, actor(ctx), ctx.now));
}

/** A recontact date: not in the past (a day's grace for a bare date), within a year; a bare date means 09:00 local. */
function recontactAt(value: string | undefined, s: Services, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    throw new HttpError(400, 'recontactAt: debe ser una fecha ISO (2024-05-31) o fecha y hora con zona');
  }
  const bareDate = value.length === 10;
  const at = resolveDate(value, s.app.config.timezone, false, 'recontactAt') + (bareDate ? 9 * 3_600_000 : 0);
  if (Number.isNaN(at)) throw new HttpError(400, 'recontactAt: no es una fecha válida');
  if (at < now - (bareDate ? DAY_MS : 60_000)) throw new HttpError(400, 'recontactAt: no puede estar en el pasado');
  if (at > now + 366 * DAY_MS) throw new HttpError(400, 'recontactAt: debe estar dentro de un año');
  return at;
}

export async function followUp(ctx: RequestContext<unknown, z.output<typeof followUpBody>>) {
  const id = await visibleLead(ctx);
  const b = ctx.body;
  if (b.action === 'abortar') return act(ctx, 'abort', (tx) => abortLead(tx, id, b.comment!, actor(ctx), ctx.now));
  const input = { expectation: b.expectation, contactType: b.contactType, comment: b.comment, recontactAt: recontactAt(b.recontactAt, ctx.services, ctx.now) };
  const c = actionContext(ctx.services);
  return act(ctx, 'follow_up', (tx) => registerFollowUp(tx, c, id, input, actor(ctx), ctx.now));
}

export async function abort(ctx: RequestContext<unknown, z.output<typeof abortBody>>) {
  const id = await visibleLead(ctx);
  return act(ctx, 'abort', (tx) => abortLead(tx, id, ctx.body.comment, actor(ctx), ctx.now));
}

export async function discard(ctx: RequestContext<unknown, z.output<typeof discardBody>>) {
  const id = await visibleLead(ctx);
  return act(ctx, 'discard', (tx) => discardLead(tx, id, ctx.body.reason, ctx.body.comment, actor(ctx), ctx.now));
}
