import { io, type ClientLookup, type ClientPatch, type ClientRow, type StoreTx, type Work } from '../db/port.ts';
import { fold } from '../pipeline/text.ts';

export interface ContactKeys {
  nationalId: string | null;
  email: string | null;
  phone: string | null;
  /** The same person's other national IDs (the country's samePerson: an AR DNI and its CUIT/CUIL). */
  samePerson?: readonly string[];
}

/**
 * The client a lead belongs to: by national ID (or the same person's other ID), then email, then
 * phone. A match by email or phone never takes a person whose record carries another person's ID.
 */
export function* findClient(tx: StoreTx, f: ContactKeys & { name?: string | null }): Work<ClientRow | null> {
  return (yield* matchClient(tx, f)).client;
}

/**
 * Matching with the phone's doubt made explicit: two people may share a phone (a family, an office),
 * so a client found by phone alone is taken only when nothing else about them disagrees. Otherwise
 * `conflict` names that client and the lead gets its own record, marked "posible duplicado".
 */
export function* matchClient(tx: StoreTx, f: ContactKeys & { name?: string | null }): Work<{ client: ClientRow | null; conflict: ClientRow | null }> {
  const same = f.nationalId ? (f.samePerson ?? []) : [];
  // Every question at once (one round trip), answered in the matching order.
  const ids = f.nationalId ? [f.nationalId, ...same] : [];
  const lookups: ClientLookup[] = ids.map((id) => ({ key: 'nationalId', value: id, nationalId: id }));
  if (f.email) lookups.push({ key: 'email', value: f.email, nationalId: f.nationalId, samePerson: same });
  if (f.phone) lookups.push({ key: 'phone', value: f.phone, nationalId: f.nationalId, samePerson: same });
  const found = yield* io(tx.clientsBy(lookups));
  const byIdOrEmail = found.slice(0, ids.length + (f.email ? 1 : 0)).find((c) => c !== null);
  if (byIdOrEmail) return { client: byIdOrEmail, conflict: null };
  const byPhone = f.phone ? found[found.length - 1] : null;
  if (!byPhone) return { client: null, conflict: null };
  return phoneOnlyDisagrees(byPhone, f) ? { client: null, conflict: byPhone } : { client: byPhone, conflict: null };
}

const words = (name: string | null | undefined) => new Set(fold(name ?? '').split(/\s+/).filter((w) => w.length >= 3));

/** Another person's national ID: both known, different, and not the same person's other ID. */
export function otherPersonsId(recorded: string | null, f: { nationalId: string | null; samePerson?: readonly string[] }): boolean {
  return Boolean(f.nationalId && recorded && f.nationalId !== recorded && !f.samePerson?.includes(recorded));
}

/** Does a client found only by phone disagree with the lead on email, national ID or name? */
export function phoneOnlyDisagrees(client: Pick<ClientRow, 'email' | 'nationalId' | 'name'>, f: { email: string | null; nationalId: string | null; samePerson?: readonly string[]; name?: string | null }): boolean {
  if (f.email && client.email && f.email !== client.email) return true;
  if (otherPersonsId(client.nationalId, f)) return true;
  const a = words(f.name);
  const b = words(client.name);
  return a.size > 0 && b.size > 0 && ![...a].some((w) => b.has(w));
}

/** A returning client's data fills the record's gaps; what the record has is never overwritten. */
export function fillGaps(
  client: Pick<ClientRow, 'nationalId' | 'email' | 'phone' | 'name'>,
  f: ContactKeys & { nationalIdType: string | null; name: string | null; firstName: string | null; lastName: string | null },
): ClientPatch {
  const fill: ClientPatch = {};
  if (!client.nationalId && f.nationalId) Object.assign(fill, { nationalId: f.nationalId, nationalIdType: f.nationalIdType });
  if (!client.email && f.email) fill.email = f.email;
  if (!client.phone && f.phone) fill.phone = f.phone;
  if (!client.name && f.name) Object.assign(fill, { name: f.name, firstName: f.firstName, lastName: f.lastName });
  return fill;
}
