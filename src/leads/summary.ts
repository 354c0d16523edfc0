import { io, type StoreReads, type Work } from '../db/port.ts';

export interface EmailSummary {
  messageId: string | null;
  status: string;
  parser: string | null;
  quality: string | null;
  ignored: string | null;
  error: string | null;
  fields: { name: string | null; nationalId: string | null; email: string | null; phone: string | null; project: string | null; message: string | null };
  problems: string[];
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  contactType: string | null;
  ownerVendorId: string | null;
  /** The post-sale case the email opened or joined instead of a lead (status `case`). */
  case: { id: number; number: number; category: string } | null;
  /** Leads the email gave: 1, or one per person of a digest (the fields above are the first person's). */
  people: number;
  /** Each of those leads' quality, in the email's order. */
  qualities: string[];
}

/** What replay reports for a stored email, read back from the database. */
export function* emailSummary(r: StoreReads, rawEmailId: number): Work<EmailSummary | null> {
  const row = yield* io(r.emailRecord(rawEmailId));
  if (!row) return null;
  const { raw, lead } = row;
  const joined = raw.status === 'case' ? yield* io(r.caseOfRaw(rawEmailId)) : null;
  const c = joined ? yield* io(r.getCase(joined.caseId)) : null;
  // A case keeps the contact's name, email and phone; the national ID is on its client's record.
  const caseClient = !lead && c?.clientId ? yield* io(r.getClient(c.clientId)) : null;
  return {
    messageId: raw.messageId,
    status: raw.status,
    parser: lead?.parser ?? raw.parser ?? null,
    quality: lead?.quality ?? null,
    ignored: raw.status === 'ignored' ? raw.ignoredReason : null,
    error: raw.error,
    fields: {
      name: lead?.name ?? c?.contactName ?? null,
      nationalId: lead?.nationalId ?? caseClient?.nationalId ?? null,
      email: lead?.email ?? c?.contactEmail ?? null,
      phone: lead?.phone ?? c?.contactPhone ?? null,
      project: row.project ?? (c?.projectId ? yield* io(r.projectName(c.projectId)) : null),
      message: lead?.message ?? null,
    },
    problems: lead ? (JSON.parse(lead.problems) as string[]) : [],
    leadId: lead?.id ?? null,
    clientId: lead?.clientId ?? c?.clientId ?? null,
    followUpAt: lead?.followUpAt ?? null,
    contactType: lead?.contactType ?? null,
    ownerVendorId: lead?.ownerVendorId ?? null,
    case: c ? { id: c.id, number: c.number, category: c.category } : null,
    ...(yield* peopleOf(r, rawEmailId, lead !== null)),
  };
}

/** The leads of an email (a digest gives one per person) and their qualities. */
function* peopleOf(r: StoreReads, rawEmailId: number, hasLead: boolean): Work<{ people: number; qualities: string[] }> {
  if (!hasLead) return { people: 0, qualities: [] };
  const qualities: string[] = [];
  for (const { id } of yield* io(r.leadsOfRaw(rawEmailId))) {
    const l = yield* io(r.getLead(id));
    if (l) qualities.push(l.quality);
  }
  return { people: qualities.length, qualities };
}

