// The company's and the portal's own identifiers: a switchboard phone, a RUT or tax ID, a mail
// domain printed in every template. Candidates equal to one of them are never the client's.
import { baseDomain } from './domain.ts';

export interface OwnIdentifiers {
  phones: readonly string[];
  nationalIds: readonly string[];
  domains: readonly string[];
}

export const NO_OWN: OwnIdentifiers = { phones: [], nationalIds: [], domains: [] };

/** Both lists in one (the company's from config, the portal's from its parser). */
export function mergeOwn(...lists: (Partial<OwnIdentifiers> | undefined)[]): OwnIdentifiers {
  const pick = (k: keyof OwnIdentifiers) => lists.flatMap((l) => l?.[k] ?? []);
  return { phones: pick('phones'), nationalIds: pick('nationalIds'), domains: pick('domains') };
}

// Compared on digits: "+56 2 2940 1100" and "(2) 2940-1100" are one number (the last 8 digits
// carry the subscriber number in every country served; the prefix differs by how it was written).
const phoneKey = (s: string) => s.replace(/\D/g, '').slice(-8);
const idKey = (s: string) => s.toUpperCase().replace(/[^0-9K]/g, '').replace(/^0+/, '');

/** Whether `value` (as extracted, any writing) is one of the own identifiers of its field. */
export function isOwn(own: OwnIdentifiers, field: string, value: string | null | undefined): boolean {
  if (!value) return false;
  if (field === 'phone') {
    const k = phoneKey(value);
    return k.length >= 7 && own.phones.some((p) => phoneKey(p) === k);
  }
  if (field === 'nationalId') {
    const k = idKey(value);
    return k.length >= 6 && own.nationalIds.some((p) => idKey(p) === k);
  }
  if (field === 'email') {
    const at = value.lastIndexOf('@');
    if (at < 0) return false;
    const domain = value.slice(at + 1).toLowerCase().trim().replace(/[>)\].,;]+$/, '');
    return own.domains.some((d) => {
      const dd = d.toLowerCase().replace(/^@/, '');
      return domain === dd || domain.endsWith(`.${dd}`) || baseDomain(domain) === baseDomain(dd);
    });
  }
  return false;
}
