import { z } from 'zod';
import { langOf } from '../outbox/templates.ts';
import { publicUser } from '../auth/accounts.ts';
import { HttpError } from './errors.ts';
import { iso, withoutForeignIds } from './leads.ts';
import { isLimited } from '../auth/scope.ts';
import { resolveDate } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

export const signInBody = z.strictObject({
  email: z.string().min(1, 'es obligatorio').max(254),
  password: z.string().min(1, 'es obligatoria').max(1024),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function meView(ctx: RequestContext) {
  const c = callerOf(ctx);
  const { app } = ctx.services;
  return { email: c.email, name: c.name, role: c.role, vendorId: c.vendorId, via: c.via, csrf: c.csrf ?? null, country: app.config.country, lang: langOf(app.config.country) };
}

/**
 * Sign-in: repeated failures for an account or from an address are slowed down (a growing delay
 * before the check), never locked; the right password always gets in.
 */
export async function signIn(ctx: RequestContext<unknown, z.output<typeof signInBody>>) {
  const { accounts, auth, now } = ctx.services;
  if (!auth.sameOrigin(ctx.req)) throw new HttpError(403, 'solicitud rechazada: origen no válido');
  const email = ctx.body.email.trim().toLowerCase();
  const keys = [`account:${email}`, `address:${ctx.address}`];
  // The gate caps password checks per address, per account and for the server, before the delay:
  // what does not fit is answered at once, never queued without bound.
  const gate = auth.passwordChecks;
  const admission = gate.admit(ctx.address, email.slice(0, 254), gate.standing(ctx.address, auth.signIns.failedRecently(`address:${ctx.address}`, now())), now());
  if (!admission.ok) {
    // From a busy address the next check comes after its sign-in delay at the earliest.
    const ms = admission.reason === 'address' ? Math.max(admission.retryAfterMs, auth.signIns.delay(keys, now())) : admission.retryAfterMs;
    const seconds = Math.ceil(ms / 1000);
    ctx.services.deps.log.debug({ address: ctx.address, reason: admission.reason }, 'sign-in refused: too many password checks');
    throw new HttpError(429, `demasiados intentos de inicio de sesión: espera ${seconds} s y vuelve a intentarlo`, { 'Retry-After': String(seconds) });
  }
  let result: Awaited<ReturnType<typeof accounts.signIn>>;
  try {
    const wait = auth.signIns.delay(keys, now());
    if (wait > 0) await sleep(wait);
    await admission.turn;
    result = await accounts.signIn(email, ctx.body.password, ctx.address, now());
  } finally {
    admission.release();
  }
  if (!result) {
    auth.signIns.fail(keys, now());
    ctx.services.deps.log.warn({ address: ctx.address }, 'failed sign-in');
    throw new HttpError(401, 'email o contraseña incorrectos');
  }
  auth.signIns.succeed(keys);
  gate.vouch(ctx.address);
  admission.succeeded();
  const maxAge = ctx.services.app.config.admin.sessionMaxDays * 86_400;
  const u = result.user;
  return {
    headers: { 'Set-Cookie': auth.sessionCookie(result.token, maxAge, ctx.req) },
    json: { email: u.email, name: u.name, role: u.role, vendorId: u.vendorId, csrf: result.csrf },
  };
}

export async function signOut(ctx: RequestContext) {
  const caller = callerOf(ctx);
  await ctx.services.accounts.signOut(caller, ctx.address, ctx.now);
  ctx.services.live.endSession(caller.sessionId);
  return { headers: { 'Set-Cookie': ctx.services.auth.clearCookie(ctx.req) }, json: { ok: true } };
}

export function me(ctx: RequestContext) {
  return { json: meView(ctx) };
}

export const auditQuery = z.strictObject({
  user: z.string().max(254).optional(),
  action: z.string().regex(/^[a-z_.-]{1,40}$/, 'debe ser un nombre de acción').optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'debe ser una fecha (2026-05-31)').optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'debe ser una fecha (2026-05-31)').optional(),
  before: z.string().regex(/^[1-9]\d{0,14}$/, 'debe ser un id').transform(Number).optional(),
  limit: z.string().regex(/^\d{1,3}$/).transform(Number).refine((n) => n >= 1 && n <= 200, 'de 1 a 200').optional(),
});

/** The audit trail, newest first: admins all of it, gerentes their leads' and clients'. */
export async function audit(ctx: RequestContext<z.output<typeof auditQuery>>) {
  const { users } = ctx.services;
  const q = ctx.query;
  let userId: number | undefined;
  if (q.user) {
    const u = await users.byEmail(q.user.trim().toLowerCase());
    if (!u) throw new HttpError(400, `user: no existe el usuario ${q.user.slice(0, 60)}`);
    userId = u.id;
  }
  // Whole days in the company's time zone; `to` includes its day.
  const tz = ctx.services.app.config.timezone;
  const from = q.from ? resolveDate(q.from, tz, false, 'from') : undefined;
  const to = q.to ? resolveDate(q.to, tz, true, 'to') : undefined;
  if (from !== undefined && to !== undefined && to <= from) throw new HttpError(400, 'to: debe ser posterior a from');
  // A gerente reads what was done to the leads and clients of her projects; an admin, everything.
  const caller = callerOf(ctx);
  const scope = caller.role === 'admin' ? undefined : caller.scope;
  const page = await users.auditPage({ userId, action: q.action, from, to, beforeId: q.before, limit: q.limit ?? 100, scope });
  // Ids the entry names beside its object (the leads a reassignment moved) may be other managers'.
  const data = scope && isLimited(scope) ? withoutForeignIds : (d: unknown) => d;
  return { json: { items: page.rows.map((r) => ({ ...r, at: iso(r.at), data: data(r.data) })), nextBefore: page.nextBefore } };
}

/** Every user (admins); never a password hash. */
export async function listUsers(ctx: RequestContext) {
  return { json: { items: (await ctx.services.accounts.list()).map(publicUser) } };
}
