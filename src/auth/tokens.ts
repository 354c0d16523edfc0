import { createHash, randomBytes } from 'node:crypto';

/** Personal API tokens and session ids: 32 random bytes, only their SHA-256 is stored. */
export const API_TOKEN_PREFIX = 'ctz_';

export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
