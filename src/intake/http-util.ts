import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** The body, refused with 413 past the limit (announced or streamed) without reading the rest. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > limit) return Promise.reject(new HttpError(413, `body over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: Error) => {
      req.removeAllListeners('data');
      req.resume(); // drain, so the 413 reaches the client before the socket closes
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) fail(new HttpError(413, `body over ${limit} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => size <= limit && resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Constant-time comparison of two secrets (lengths may differ). */
export function sameSecret(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256=<hex>` of the raw body with the secret, as Meta and our signed forms send it. */
export function validSignature(header: string | string[] | undefined, body: Buffer, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return sameSecret(header.trim().toLowerCase(), expected);
}

export { clientAddress } from '../client-address.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** A small page for a plain HTML form with no thanksUrl. */
export function sendThanks(res: ServerResponse): void {
  const html = '<!doctype html><meta charset="utf-8"><title>Gracias</title><p>Gracias, recibimos tus datos. Te contactaremos pronto.</p>';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
  res.end(html);
}

/**
 * Fixed one-minute windows per address, in a Map bounded by `maxKeys`: when full, the oldest
 * entries go first (Map keeps insertion order), so a flood of addresses cannot grow memory.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { windowStart: number; count: number }>();
  constructor(private readonly perMinute: number, private readonly maxKeys = 10_000, private readonly now = () => Date.now()) {}

  /** Seconds to wait when over the limit, or 0 when the hit is allowed. */
  hit(key: string): number {
    const now = this.now();
    let e = this.hits.get(key);
    if (!e || now - e.windowStart >= 60_000) {
      this.hits.delete(key);
      while (this.hits.size >= this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
      e = { windowStart: now, count: 0 };
      this.hits.set(key, e);
    }
    e.count++;
    return e.count > this.perMinute ? Math.max(1, Math.ceil((e.windowStart + 60_000 - now) / 1000)) : 0;
  }

  get size(): number {
    return this.hits.size;
  }
}
