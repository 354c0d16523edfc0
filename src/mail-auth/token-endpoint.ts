import { MailAuthError } from './errors.ts';

/** A successful token response (RFC 6749 5.1). */
export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
}

/** Codes where retrying soon cannot help: the grant or the client was refused. */
const REFUSED = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'access_denied', 'invalid_request', 'expired_token']);
const TIMEOUT_MS = 15_000;

export interface PostOptions {
  /** Client authentication with HTTP Basic instead of the body. */
  basic?: { clientId: string; clientSecret: string };
  hint?: (code: string) => string;
  /** A device authorization request answers JSON without an access token. */
  anyJson?: boolean;
}

/**
 * POSTs a form to a token endpoint and returns the JSON answer. A refusal becomes a permanent
 * MailAuthError with the provider's code; network errors, timeouts and 5xx are transient.
 */
export async function postForm<T = TokenResponse>(url: string, form: Record<string, string | undefined>, opts: PostOptions = {}): Promise<T> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (opts.basic) {
    const enc = (s: string) => encodeURIComponent(s); // RFC 6749 2.3.1: form-encode before Basic
    headers.authorization = `Basic ${Buffer.from(`${enc(opts.basic.clientId)}:${enc(opts.basic.clientSecret)}`).toString('base64')}`;
  }
  const host = safeHost(url);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new MailAuthError('token_endpoint_unreachable', `token endpoint ${host} unreachable (${cause})`, 'check the network and the token URL', false);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported below by status
  }
  if (res.ok && typeof json.access_token === 'string') return json as T;
  if (res.ok && opts.anyJson && !('error' in json)) return json as T;
  const code = typeof json.error === 'string' ? json.error : `http_${res.status}`;
  // Descriptions are the provider's own words (AADSTS codes); first line, bounded, never the request.
  const description = typeof json.error_description === 'string' ? json.error_description.split(/\r?\n/)[0].slice(0, 300) : '';
  const permanent = REFUSED.has(code) || (res.status >= 400 && res.status < 500 && !('error' in json) && res.status !== 429);
  const message = `token endpoint ${host} refused: ${code}${description ? ` (${description})` : ''}`;
  throw new MailAuthError(code, message, opts.hint?.(code) ?? 'check the mailbox auth block', permanent && res.status !== 429);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(bad URL)';
  }
}
