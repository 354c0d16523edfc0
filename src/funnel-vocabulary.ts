/**
 * The sales funnel's words (client-manager-funnel-es.txt): what happens to a client after the lead,
 * where it came in, and a separación's states. Declared once: schema, API, import and page read them.
 */

/** Funnel stages after the lead, in order; `lead` rows only record how a hand-registered lead came in. */
export const INTERACTION_KINDS = ['lead', 'cotizacion', 'separacion', 'minuta', 'desembolso'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/** The funnel's stages, top to bottom. */
export const STAGES = ['lead', 'cotizacion', 'separacion', 'minuta', 'desembolso'] as const;
export type Stage = (typeof STAGES)[number];

/** Tipo de ingreso: where the contact came in. */
export const INTAKE_SOURCES = ['sala_de_ventas', 'centralizador', 'cotizador_web', 'api'] as const;
export type IntakeSource = (typeof INTAKE_SOURCES)[number];

/** The seed's states of a separación (reservation). */
export const SEPARATION_STATES = [
  'emitida', 'aprobada', 'cancelada', 'caducada', 'rechazada', 'modificada', 'modificada_en_minuta', 'fuera_de_plazo', 'inconclusa', 'pendiente',
] as const;
export type SeparationState = (typeof SEPARATION_STATES)[number];

/** A cotización's follow-up, as a lead's: por_contactar turns no_contactado past its deadline. */
export const QUOTE_CONTACT_STATES = ['por_contactar', 'contactado', 'abortado'] as const;
export type QuoteContactState = (typeof QUOTE_CONTACT_STATES)[number];
export const QUOTE_STATUSES = ['por_contactar', 'no_contactado', 'contactado', 'abortado'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** byPortal key of interactions whose client never arrived through a lead (sales room, ERP only). */
export const NO_LEAD = '_sin_lead';
