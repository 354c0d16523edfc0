import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt from node:crypto (memory-hard, runs on libuv's pool, never on the event loop). 16 MB per hash. */
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LEN = 32;
export const MIN_PASSWORD_LENGTH = 10;

/** The passwords people pick first; refused whatever their length. */
const COMMON = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', '0000000000', '1234512345', 'qwertyuiop', 'asdfghjkl1',
  'password12', 'password123', 'password1234', 'contrasena', 'contraseña', 'contrasena1', 'contraseña1', 'contrasena123',
  'contraseña123', 'administrador', 'admin12345', 'admin123456', 'iloveyou12', 'qwerty1234', 'qwerty12345', 'abcdefghij',
  'abc1234567', 'changeme123', 'change-me-please', 'bienvenido', 'bienvenido1', 'bienvenido123', 'centralizador', 'centralizer',
  'inmobiliaria', 'vendedor123', 'ventas12345', 'chile12345', 'peru123456', 'brasil1234', 'senha12345', 'senha123456',
  'password!1', 'passw0rd123', 'welcome123', 'letmein1234', 'football123', 'monkey12345', 'dragon12345', '1q2w3e4r5t',
]);

export class WeakPasswordError extends Error {
  readonly code = 'auth.weak_password';
}

/** Throws with a message in Spanish when the password is too short or too common. */
export function assertStrongPassword(password: string, email?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new WeakPasswordError(`la contraseña debe tener al menos ${MIN_PASSWORD_LENGTH} caracteres`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) throw new WeakPasswordError('la contraseña es demasiado común: elige otra');
  if (email && lower === email.toLowerCase()) throw new WeakPasswordError('la contraseña no puede ser el email');
}

function derive(password: string, salt: Buffer, params: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LEN, params, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`, base64url parts: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

let verifications = 0;
/** Password checks (scrypt runs) performed by this process so far: what the sign-in gate caps. */
export const passwordVerifications = (): number => verifications;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  verifications++;
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of a random password: unknown accounts cost the same time as known ones. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword(randomBytes(16).toString('hex')));
}
