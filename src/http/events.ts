import type { Caller } from '../auth/scope.ts';
import type { LiveEvent } from '../live/bus.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';

/** A comment line every so often keeps proxies from closing an idle stream; the session is checked again then. */
export const HEARTBEAT_MS = 15_000;

/** The open streams of one server, by session, so a sign-out ends its stream at once. */
export class LiveStreams {
  private readonly bySession = new Map<number, Set<() => void>>();

  add(sessionId: number | undefined, end: () => void): () => void {
    if (sessionId === undefined) return () => {};
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(end);
    return () => {
      set.delete(end);
      if (!set.size) this.bySession.delete(sessionId);
    };
  }

  /** Ends every stream of a session (signed out or revoked). */
  endSession(sessionId: number | undefined): void {
    if (sessionId === undefined) return;
    for (const end of [...(this.bySession.get(sessionId) ?? [])]) end();
  }
}

/**
 * What of an event this caller may see, checked in SQL with the caller's scope; null when nothing.
 * A lead event reaches a page only when the lead is in its scope; an assignment carries only the
 * leads and the vendor the caller may see.
 */
export async function scopedEvent(s: Services, caller: Caller, e: LiveEvent): Promise<Record<string, unknown> | null> {
  const { scope } = caller;
  if (e.type === 'lead' || e.type === 'contact') return (await s.queries.leadVisible(e.leadId, scope)) ? { type: e.type, leadId: e.leadId } : null;
  if (!(await s.queries.clientVisible(e.clientId, scope))) return null;
  const leadIds: number[] = [];
  for (const id of e.leadIds) if (await s.queries.leadVisible(id, scope)) leadIds.push(id);
  const vendorSeen = scope.vendorIds === null || scope.vendorIds.includes(e.vendorId);
  return { type: 'assignment', clientId: e.clientId, leadIds, ...(vendorSeen ? { vendorId: e.vendorId, mine: caller.vendorId === e.vendorId } : {}) };
}

/**
 * `GET /api/events`: server-sent events for the open page (new leads, reassignments, contacts),
 * each checked against the caller's scope before it is written. The stream ends on sign-out, when
 * the session expires or is revoked (checked at every heartbeat), and when the server closes.
 */
export function events(ctx: RequestContext): void {
  const caller = callerOf(ctx);
  const { services: s, req, res } = ctx;
  const heartbeatMs = s.deps.liveHeartbeatMs ?? HEARTBEAT_MS;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
  // Events are written in order, one scope check at a time.
  let chain = Promise.resolve();
  let open = true;
  const write = (name: string, data: unknown) => {
    if (open) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const unsubscribe = s.app.live.subscribe((e) => {
    chain = chain.then(async () => {
      if (!open) return;
      const seen = await scopedEvent(s, caller, e);
      if (seen) write(String(seen.type), seen);
    }).catch((err) => s.deps.log.warn({ err: (err as Error).message }, 'live event not sent'));
  });
  const end = (reason?: string) => {
    if (!open) return;
    if (reason) write('end', { reason });
    open = false;
    clearInterval(timer);
    unsubscribe();
    forget();
    res.end();
  };
  const forget = s.live.add(caller.sessionId, () => end('signed_out'));
  const timer = setInterval(() => {
    chain = chain.then(async () => {
      if (!open) return;
      // The person is asked for again: an expired, revoked or disabled one loses the stream.
      const still = await s.auth.identify(req, ctx.address, '/api/events').catch(() => null);
      if (!still || still.userId !== caller.userId || still.role !== caller.role) return end('expired');
      res.write(': ping\n\n');
    });
  }, heartbeatMs);
  timer.unref();
  req.on('close', () => end());
}
