import { io, type StoreReads, type StoreTx, type VendorRow, type Work } from '../db/port.ts';
import type { Scope } from '../db/scope.ts';
import { AppError } from '../errors.ts';
import { DAY_MS, SYSTEM_ACTOR } from '../vocabulary.ts';
import type { AssignContext, Assignment, PersistRules } from './record.ts';
import { leadStatus } from './status.ts';

/**
 * Who owns a client, from the seeds: the first registrant keeps it while they show activity;
 * after `reassignAfterDays` without any it may go to another vendor; an inactive owner's leads are
 * handled by another vendor meanwhile ("regla"); a leaving vendor's clients move to vendors of the
 * same type. Round-robin positions live in the database, so they are fair across restarts.
 */
export interface OwnershipSettings {
  reassignAfterDays: number;
}

const OWNER_ACTIONS = ['assign', 'reassign', 'retire-move', 'manual-reassign'] as const;

/** The project's active vendors in their configured order; all active vendors when it has none. */
function* candidates(tx: StoreTx, projectId: number | null): Work<VendorRow[]> {
  if (projectId !== null) {
    const ofProject = yield* io(tx.activeVendors({ projectId }));
    if (ofProject.length) return ofProject;
  }
  return yield* io(tx.activeVendors({}));
}

/** Next vendor in a persistent round-robin; `exclude` is skipped when someone else is available. */
function* roundRobin(tx: StoreTx, key: string, list: VendorRow[], exclude: string | null = null): Work<VendorRow | null> {
  const pool = list.filter((v) => v.id !== exclude);
  const choices = pool.length ? pool : list;
  if (!choices.length) return null;
  const n = yield* io(tx.nextCounter(key));
  return choices[(n - 1) % choices.length];
}

function* setOwner(tx: StoreTx, c: { clientId: number; vendorId: string; at: number; actor: string; action: string; reason: string; from: string | null }): Work<void> {
  yield* io(tx.updateClient(c.clientId, { ownerVendorId: c.vendorId, ownerSince: c.at }));
  yield* io(tx.recordAction({ clientId: c.clientId, actor: c.actor, action: c.action, data: { from: c.from, to: c.vendorId, reason: c.reason }, at: c.at }));
}

/** The owner and contact type for a lead of a client, decided at the lead's arrival `ctx.now`. */
export function* assignOwner(tx: StoreTx, settings: OwnershipSettings, ctx: Omit<AssignContext, 'leadId'>): Work<Assignment> {
  const client = ctx.client;
  const rrKey = ctx.projectId === null ? 'rr:all' : `rr:project:${ctx.projectId}`;
  const pick = function* (exclude: string | null = null) {
    return yield* roundRobin(tx, rrKey, yield* candidates(tx, ctx.projectId), exclude);
  };
  if (ctx.created || !client.ownerVendorId) {
    const v = yield* pick();
    if (v) yield* setOwner(tx, { clientId: client.id, vendorId: v.id, at: ctx.now, actor: SYSTEM_ACTOR, action: 'assign', reason: ctx.created ? 'new client' : 'client without owner', from: null });
    return { ownerVendorId: v?.id ?? null, contactType: ctx.created ? 'nuevo' : 'retorno' };
  }
  const owner = yield* io(tx.getVendor(client.ownerVendorId));
  const since = Math.max(client.lastActivityAt ?? 0, client.ownerSince ?? client.createdAt);
  if (ctx.now - since > settings.reassignAfterDays * DAY_MS) {
    const v = yield* pick(client.ownerVendorId);
    if (v && v.id !== client.ownerVendorId) {
      const reason = `no activity for ${settings.reassignAfterDays} days`;
      yield* setOwner(tx, { clientId: client.id, vendorId: v.id, at: ctx.now, actor: SYSTEM_ACTOR, action: 'reassign', reason, from: client.ownerVendorId });
      return { ownerVendorId: v.id, contactType: 'transferencia' };
    }
  }
  if (owner && (!owner.active || owner.retiredAt)) {
    // The owner keeps the client; another vendor attends this lead meanwhile.
    const v = yield* pick(client.ownerVendorId);
    if (v && v.id !== client.ownerVendorId) return { ownerVendorId: v.id, contactType: 'regla' };
  }
  return { ownerVendorId: client.ownerVendorId, contactType: 'retorno' };
}

/** Where a lead's assignment is announced: the vendor's webhook, then the project's. */
export function* webhookTargets(tx: StoreTx, vendorId: string | null, projectId: number | null, projectWebhooks: ReadonlyMap<number, string>, wantsWebhook: (vendorId: string) => boolean = () => true): Work<string[]> {
  const urls: string[] = [];
  const vendorHook = vendorId && wantsWebhook(vendorId) ? (yield* io(tx.getVendor(vendorId)))?.webhook : null;
  if (vendorHook) urls.push(vendorHook);
  const p = projectId !== null ? projectWebhooks.get(projectId) : undefined;
  if (p && !urls.includes(p)) urls.push(p);
  return urls;
}

/** The ingest hook: assigns the owner and queues the webhooks in the lead's unit of work (the outbox). */
export function ownerAssigner(settings: () => OwnershipSettings, projectWebhooks: () => ReadonlyMap<number, string>, clock = Date.now, wantsWebhook?: (vendorId: string) => boolean): NonNullable<PersistRules['assignOwner']> {
  return function* (tx, ctx) {
    const a = yield* assignOwner(tx, settings(), ctx);
    for (const url of yield* webhookTargets(tx, a.ownerVendorId, ctx.projectId, projectWebhooks(), wantsWebhook)) {
      const body = { event: 'lead.assigned', leadId: ctx.leadId, clientId: ctx.client.id, vendorId: a.ownerVendorId, contactType: a.contactType, receivedAt: new Date(ctx.now).toISOString() };
      yield* io(tx.enqueueWebhook(url, body, clock()));
    }
    return a;
  };
}

/** Activity by the owner (follow-up, contact, edit) restarts the reassignment clock. */
export function* registerActivity(tx: StoreTx, clientId: number, at: number): Work<void> {
  yield* io(tx.touchClient(clientId, at));
}

/**
 * What a caller limited to some projects may do when a vendor leaves: move only `clientIds` (the
 * vendor's clients of those projects, chosen in SQL by the caller's scope), to heirs that sell
 * those projects, and retire the vendor only when they sell nothing else.
 */
export interface RetireWithin {
  clientIds: number[];
  heir: (v: VendorRow) => boolean;
  retire: boolean;
}

export interface RetireResult { moved: number; to: Record<string, number>; retired: boolean }

/** A vendor leaves: their clients move round-robin to active vendors of the same type. */
export function* retireVendor(tx: StoreTx, vendorId: string, actor: string, now: number, within?: RetireWithin): Work<RetireResult> {
  const vendor = yield* io(tx.getVendor(vendorId));
  if (!vendor) throw new AppError('vendor.not_found', `no existe el vendedor "${vendorId}"`);
  const retire = within ? within.retire : true;
  if (retire) yield* io(tx.retireVendor(vendorId, now));
  const heirs = (yield* io(tx.activeVendors({ type: vendor.type }))).filter((v) => v.id !== vendorId && (!within || within.heir(v)));
  const owned = within ? within.clientIds : yield* io(tx.clientIdsOwnedBy(vendorId));
  if (owned.length && !heirs.length) throw new AppError('vendor.no_heir', `no hay un vendedor activo del tipo "${vendor.type}" que reciba ${owned.length} ${owned.length === 1 ? 'cliente' : 'clientes'}`);
  const to: Record<string, number> = {};
  for (const clientId of owned) {
    const v = (yield* roundRobin(tx, `rr:type:${vendor.type}`, heirs))!;
    yield* setOwner(tx, { clientId, vendorId: v.id, at: now, actor, action: 'retire-move', reason: `vendor ${vendorId} retired`, from: vendorId });
    yield* io(tx.moveWaitingLeads(clientId, v.id, now, vendorId));
    to[v.id] = (to[v.id] ?? 0) + 1;
  }
  return { moved: owned.length, to, retired: retire };
}

/**
 * A manager of some projects or a team moves, merges or unmerges only a client wholly in her
 * scope (every lead of it, and for a team its owner): the rest of it is another manager's.
 */
export function* requireWholeClients(tx: StoreReads, scope: Scope, ...clientIds: number[]): Work<void> {
  for (const clientId of clientIds) {
    if (yield* io(tx.clientWithin(clientId, scope))) continue;
    throw new AppError('client.outside_scope', `el cliente ${clientId} tiene leads de proyectos o vendedores que no gestionas: pide a un administrador que lo haga`);
  }
}

/** A manager moves a client to another vendor; the reason is required and recorded. `sells`: the target must sell one of the client's projects the caller manages. */
export function* reassignClient(tx: StoreTx, clientId: number, vendorId: string, reason: string, actor: string, now: number, sells?: (vendorId: string) => boolean): Work<{ from: string | null; leadIds: number[] }> {
  const client = yield* io(tx.getClient(clientId));
  if (!client) throw new AppError('client.not_found', `no existe el cliente ${clientId}`);
  const v = yield* io(tx.getVendor(vendorId));
  if (!v || !v.active || v.retiredAt) throw new AppError('vendor.inactive', `el vendedor "${vendorId}" no está activo`);
  if (sells && !sells(vendorId)) throw new AppError('vendor.wrong_project', `el vendedor "${vendorId}" no vende los proyectos de este cliente`);
  if (client.ownerVendorId === vendorId) throw new AppError('client.same_owner', `el cliente ${clientId} ya es de ${vendorId}`);
  // The leads still waiting for a first contact move with the client (the new owner is told of them).
  const waiting: number[] = [];
  for (const id of yield* io(tx.clientLeadIds(clientId))) if ((yield* io(tx.getLead(id)))?.contactState === 'por_contactar') waiting.push(id);
  yield* setOwner(tx, { clientId, vendorId, at: now, actor, action: 'manual-reassign', reason, from: client.ownerVendorId });
  yield* io(tx.moveWaitingLeads(clientId, vendorId, now));
  return { from: client.ownerVendorId, leadIds: waiting };
}

export interface OwnerChange {
  at: number;
  action: string;
  actor: string;
  from: string | null;
  to: string;
  reason: string;
}

/** Every owner a client had, oldest first. */
export function* ownerHistory(tx: StoreReads, clientId: number): Work<OwnerChange[]> {
  const rows = yield* io(tx.actionsOf(clientId, OWNER_ACTIONS));
  return rows.map((a) => ({ at: a.at, action: a.action, actor: a.actor, ...(JSON.parse(a.data) as { from: string | null; to: string; reason: string }) }));
}

/** A vendor's leads with no registered contact yet, oldest first, with their funnel status. */
export function* pendingLeads(tx: StoreReads, vendorId: string, now: number) {
  const rows = yield* io(tx.pendingLeads(vendorId));
  return rows.map((l) => ({ ...l, status: leadStatus('por_contactar', l.deadlineAt, now) }));
}
