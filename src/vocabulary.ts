/**
 * The product's words, declared once. zod schemas (`z.enum(QUALITIES)`), drizzle's column enums,
 * the API, the page and the export all read these arrays; the types derive from them.
 */

/** Supported countries: the list lives in the registry of country modules (src/countries/). */
export { COUNTRY_CODES as COUNTRIES, type Country } from './countries/index.ts';

/** Arrival medium (medio de llegada). */
export const MEDIUMS = ['portales', 'web', 'otros'] as const;
export type Medium = (typeof MEDIUMS)[number];

/** Classification, best first (the order lists and messages show). */
export const QUALITIES = ['bueno', 'con_problemas', 'malo'] as const;
export type Quality = (typeof QUALITIES)[number];
/** Higher is better: an upgrade goes up. */
export const qualityRank = (q: Quality): number => QUALITIES.length - 1 - QUALITIES.indexOf(q);

/** What a person registered on a lead; every lead arrives `por_contactar`. */
export const CONTACT_STATES = ['por_contactar', 'contactado', 'abortado', 'descartado'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

/** The managers' funnel: a contact state, with `por_contactar` split by the contact deadline. */
export const LEAD_STATUSES = ['por_contactar', 'no_contactado', 'contactado', 'abortado', 'descartado'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** How a lead relates to its client's owner. */
export const CONTACT_TYPES = ['nuevo', 'retorno', 'transferencia', 'regla'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

/** How a vendor reached (or tried to reach) the person; `sin_respuesta` reached nobody. */
export const CONTACT_CHANNELS = ['llamada', 'whatsapp', 'email', 'visita', 'videollamada', 'otro', 'sin_respuesta'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const EXPECTATIONS = ['alta', 'media', 'baja'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

export const DISCARD_REASONS = ['sin_datos_de_contacto', 'datos_falsos', 'duplicado', 'spam', 'prueba', 'otro'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

export const FOLLOW_UP_ACTIONS = ['continuar', 'abortar'] as const;
export type FollowUpAction = (typeof FOLLOW_UP_ACTIONS)[number];

export const FOLLOW_UP_STATUSES = ['open', 'done', 'aborted'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** `http`: a lead posted to the intake listener (src/intake), stored as a synthetic message. */
export const EMAIL_SOURCES = ['imap', 'file', 'http'] as const;
export type EmailSource = (typeof EMAIL_SOURCES)[number];

/** A stored raw email's processing state. */
export const EMAIL_STATUSES = ['pending', 'lead', 'case', 'ignored', 'error', 'too_large', 'duplicate', 'timeout'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export const WEBHOOK_STATUSES = ['pending', 'sent', 'failed'] as const;

/** The actor recorded for what the program does by itself. */
export const SYSTEM_ACTOR = 'centralizador';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The managers' status, the one rule: waiting for contact (por_contactar) past the deadline is
 * no_contactado. Leads and quotes follow it; each storage adapter writes its SQL once.
 */
export function overdueStatus<S extends string>(state: S, overdue: boolean | number): S | 'no_contactado' {
  return state === 'por_contactar' && overdue ? 'no_contactado' : state;
}

/** A lead's status at `now` (overdueStatus with its deadline). */
export function leadStatus(contactState: ContactState, deadlineAt: number, now: number): LeadStatus {
  return overdueStatus(contactState, deadlineAt < now);
}
