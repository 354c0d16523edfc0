/**
 * One application error: a dotted `code` (`area.what`) callers can branch on, the HTTP status it
 * maps to, and a message safe to show (ids and states, never personal data).
 */
export const ERROR_STATUS = {
  'lead.not_found': 404,
  'lead.invalid_value': 400,
  'lead.invalid_transition': 409,
  'client.not_found': 404,
  /** The ficha's new national ID or email is another client's: merging needs a confirmation. */
  'client.conflict': 409,
  'duplicate.not_found': 404,
  'duplicate.decided': 409,
  'client.same_owner': 409,
  /** A scoped manager's move or merge of a client with leads (or an owner) outside her scope. */
  'client.outside_scope': 403,
  'vendor.not_found': 404,
  'vendor.inactive': 409,
  'vendor.no_heir': 409,
  /** The target vendor does not sell the client's projects (within the caller's). */
  'vendor.wrong_project': 409,
  'lease.held': 409,
  /** A write fenced by a lease this daemon no longer holds (another daemon took the mailbox). */
  'lease.lost': 409,
  'db.busy': 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

/** For the HTTP layer: the status and body of an application error, or null for anything else (a 500). */
export function httpErrorOf(err: unknown): { status: number; body: { error: string; code: ErrorCode } } | null {
  return err instanceof AppError ? { status: err.status, body: { error: err.message, code: err.code } } : null;
}
