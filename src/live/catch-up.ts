import { io, type Storage } from '../db/port.ts';
import type { LiveBus } from './bus.ts';

/** Ids a later commit may still fill below the newest one seen (sequence values taken, committed late). */
const LOOKBACK = 50;
const BATCH = 200;

/**
 * Several daemons on one PostgreSQL: leads another daemon stored never pass this one's bus. One
 * cheap query per interval for the whole daemon (not per open page) finds the lead ids this bus has
 * not published and publishes them; each stream still checks its caller's scope. Returns stop().
 */
export function catchUpLeads(store: Storage, bus: LiveBus, everyMs: number, onError: (e: unknown) => void = () => {}): () => void {
  const seen = new Set<number>();
  const remember = (id: number) => {
    seen.add(id);
    if (seen.size > 5_000) seen.delete(seen.values().next().value!);
  };
  const unsubscribe = bus.subscribe((e) => {
    if (e.type === 'lead') remember(e.leadId);
  });
  let newest: number | null = null;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      if (newest === null) {
        // What is already stored when the daemon starts is not news.
        const start = await store.read((r) => io(r.newestLeadIds(0, LOOKBACK + 1)));
        for (const id of start) remember(id);
        newest = start[0] ?? 0;
        return;
      }
      const ids = await store.read((r) => io(r.newestLeadIds(Math.max(0, newest! - LOOKBACK), BATCH)));
      for (const id of ids.reverse()) {
        if (seen.has(id)) continue;
        remember(id);
        bus.publish({ type: 'lead', leadId: id });
      }
      if (ids.length) newest = Math.max(newest!, ...ids);
    } catch (e) {
      onError(e);
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
