import { io, type ClientPatch, type ClientRow, type StoreTx, type Work } from '../db/port.ts';

export interface ContactKeys {
  nationalId: string | null;
  email: string | null;
  phone: string | null;
}

/**
 * The client a lead belongs to: by national ID, then email, then phone. A match by email or phone
 * never takes a person whose record carries another national ID.
 */
export function* findClient(tx: StoreTx, f: ContactKeys): Work<ClientRow | null> {
  if (f.nationalId) {
    const byId = yield* io(tx.clientBy('nationalId', f.nationalId, f.nationalId));
    if (byId) return byId;
  }
  if (f.email) {
    const byEmail = yield* io(tx.clientBy('email', f.email, f.nationalId));
    if (byEmail) return byEmail;
  }
  if (f.phone) return yield* io(tx.clientBy('phone', f.phone, f.nationalId));
  return null;
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
