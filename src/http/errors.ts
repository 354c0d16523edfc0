import type { ZodError } from 'zod';

/** An answer other than 2xx, with a message safe to show (it names the parameter, never a secret). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** "quality: Invalid option ..." — the first issue, naming the bad parameter. */
export function zodMessage(err: ZodError, where = ''): string {
  const issue = err.issues[0];
  if (!issue) return `${where || 'entrada'}: no válido`;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys.map((k) => k.slice(0, 40));
    const prefix = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${prefix ? `${prefix}.` : ''}${keys.join(', ')}: parámetro desconocido`;
  }
  const at = [where, ...issue.path.map(String)].filter(Boolean).join('.');
  return `${at || 'entrada'}: ${issue.message}`;
}
