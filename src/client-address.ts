import type { IncomingMessage } from 'node:http';

/**
 * The caller's address. Behind a proxy the config trusts, it is the last X-Forwarded-For hop: the
 * one that proxy appended. Earlier hops are whatever the client wrote and prove nothing.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const hops = String(req.headers['x-forwarded-for'] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return (hops[hops.length - 1] ?? peer).slice(0, 64);
}
