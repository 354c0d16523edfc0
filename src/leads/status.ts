import type { ContactState, LeadStatus } from '../vocabulary.ts';

/** The managers' funnel status: a lead waiting for contact past its deadline is no_contactado. */
export function leadStatus(contactState: ContactState, deadlineAt: number, now: number): LeadStatus {
  return contactState === 'por_contactar' && deadlineAt < now ? 'no_contactado' : contactState;
}
