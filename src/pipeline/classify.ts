import type { Normalized } from './normalize.ts';

export type Quality = 'bueno' | 'con_problemas' | 'malo';

export interface Classification {
  quality: Quality;
  problems: string[];
  /** The client record (ficha) is created or reused. */
  createsClient: boolean;
  /** A `continuar` follow-up is due at arrival + followUpDays. */
  createsFollowUp: boolean;
}

/**
 * The rules of the centralizer (DESIGN table): bueno needs name, national ID, email and a known
 * project; malo has no usable contact at all; everything between is con_problemas, with a client
 * record only when the contact data is complete and just the project failed.
 */
export function classify(n: Normalized): Classification {
  const f = n.fields;
  const problems = [...n.problems];
  if (!f.email && !f.phone) {
    problems.push('contact.missing');
    return { quality: 'malo', problems, createsClient: false, createsFollowUp: false };
  }
  const complete = Boolean(f.name && f.nationalId && f.email);
  if (complete && f.project) return { quality: 'bueno', problems, createsClient: true, createsFollowUp: true };
  return { quality: 'con_problemas', problems, createsClient: complete, createsFollowUp: false };
}
