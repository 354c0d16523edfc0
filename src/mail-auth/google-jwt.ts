import { readFileSync } from 'node:fs';
import { createSign } from 'node:crypto';
import { MailAuthError } from './errors.ts';

/** The fields of a Google service account JSON key we use. */
interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');

export function readServiceAccountKey(file: string): ServiceAccountKey {
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServiceAccountKey>;
  } catch (err) {
    throw new MailAuthError('key_file_unreadable', `service account key file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'not JSON'})`, 'keyFileEnv must name a variable holding the path of the JSON key downloaded from the service account');
  }
  if (!key.client_email || !key.private_key) throw new MailAuthError('key_file_invalid', `service account key file ${file} has no client_email or private_key`, 'download a JSON key (not P12) for the service account');
  return key as ServiceAccountKey;
}

/**
 * The signed assertion of the JWT bearer grant (RFC 7523) with domain-wide delegation: issued by
 * the service account, for the token endpoint, acting as `subject`. RS256 with node:crypto.
 */
export function serviceAccountAssertion(key: ServiceAccountKey, opts: { subject: string; scope: string; audience: string; now?: number }): string {
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, sub: opts.subject, scope: opts.scope, aud: opts.audience, iat, exp: iat + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(input).sign(key.private_key);
  } catch {
    throw new MailAuthError('key_file_invalid', 'the service account private key cannot sign', 'download a new JSON key for the service account');
  }
  return `${input}.${b64url(signature)}`;
}
