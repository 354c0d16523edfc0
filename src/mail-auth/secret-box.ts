import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MailAuthError } from './errors.ts';

// AES-256-GCM for refresh tokens at rest. The mailbox name is the associated data, so a
// ciphertext copied to another mailbox's row does not decrypt.

const VERSION = 'v1:';
export const SECRET_KEY_ENV = 'CENTRALIZER_SECRET_KEY';

/**
 * The 32-byte key from CENTRALIZER_SECRET_KEY: base64 or hex of 32 bytes (`openssl rand -base64 32`),
 * or a passphrase of at least 32 characters (hashed with SHA-256).
 */
export function secretKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const v = env[SECRET_KEY_ENV]?.trim();
  if (!v) throw new MailAuthError('secret_key_missing', `${SECRET_KEY_ENV} is not set`, `set ${SECRET_KEY_ENV} (e.g. \`openssl rand -base64 32\`) for the daemon and for \`centralizer mailboxes login\`, the same value for both`);
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex');
  const b64 = Buffer.from(v, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) return b64;
  if (v.length >= 32) return createHash('sha256').update(v, 'utf8').digest();
  throw new MailAuthError('secret_key_invalid', `${SECRET_KEY_ENV} is too short`, 'use 32 random bytes in base64 (`openssl rand -base64 32`)');
}

export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function open(key: Buffer, sealed: string, context: string): string {
  if (!sealed.startsWith(VERSION)) throw new MailAuthError('secret_unreadable', 'stored token has an unknown format', 'run `centralizer mailboxes login` again');
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new MailAuthError('secret_key_mismatch', 'the stored refresh token does not decrypt with this key', `${SECRET_KEY_ENV} differs from the one used at \`centralizer mailboxes login\`: restore it, or log in again`);
  }
}
