import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { z } from 'zod';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
function plain(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1] : address;
}

/** One proxy entry: an IPv4 or IPv6 address, or a CIDR block such as `10.0.0.0/8`; null when it is neither. */
function parseEntry(entry: string): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [addr, prefix, ...rest] = entry.trim().split('/');
  if (rest.length) return null;
  const address = plain(addr);
  const v = net.isIP(address);
  if (!v) return null;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) return { address, prefix: null, family };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (v === 4 ? 32 : 128)) return null;
  return { address, prefix: Number(prefix), family };
}

/**
 * `trustProxy` (admin and intake): the addresses of the reverse proxies in front, IPs or CIDR
 * blocks. X-Forwarded-For and X-Forwarded-Proto are read only from a peer in this list; from any
 * other peer they are the client's own writing and ignored. `false` is the empty list; `true`
 * ("any peer") is refused: with the listener reachable directly, anyone could name any address.
 */
export const trustProxySchema = z
  .unknown()
  .optional()
  .transform((value, ctx): string[] => {
    if (value === undefined || value === null || value === false) return [];
    if (value === true) {
      ctx.addIssue({
        code: 'custom',
        message: 'true ya no se acepta (cualquier cliente podría falsificar X-Forwarded-For): escriba las direcciones de los proxies, p. ej. trustProxy: [127.0.0.1] o [10.0.0.0/8]',
      });
      return z.NEVER;
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      ctx.addIssue({ code: 'custom', message: 'se esperaba una lista de direcciones de proxies (IP o bloques CIDR como 10.0.0.0/8)' });
      return z.NEVER;
    }
    const bad = list.filter((x) => !parseEntry(x));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `no es una dirección IP ni un bloque CIDR: ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
      return z.NEVER;
    }
    return list.map((x) => x.trim());
  });

const matchers = new WeakMap<readonly string[], net.BlockList>();

function blockList(proxies: readonly string[]): net.BlockList {
  let list = matchers.get(proxies);
  if (!list) {
    list = new net.BlockList();
    for (const p of proxies) {
      const e = parseEntry(p);
      if (!e) continue; // refused by the schema; a hand-built config simply does not trust it
      if (e.prefix === null) list.addAddress(e.address, e.family);
      else list.addSubnet(e.address, e.prefix, e.family);
    }
    matchers.set(proxies, list);
  }
  return list;
}

/** Whether `address` is one of the trusted proxies. */
export function isTrustedProxy(address: string | undefined, proxies: readonly string[]): boolean {
  if (!address || !proxies.length) return false;
  const a = plain(address);
  const v = net.isIP(a);
  return v !== 0 && blockList(proxies).check(a, v === 4 ? 'ipv4' : 'ipv6');
}

/** Whether the request's TCP peer is a trusted proxy (so its forwarded headers count). */
export function fromTrustedProxy(req: IncomingMessage, proxies: readonly string[]): boolean {
  return isTrustedProxy(req.socket.remoteAddress, proxies);
}

/**
 * The caller's address. From a peer that is not a trusted proxy it is the peer itself, whatever
 * the headers say. From a trusted proxy it is the nearest X-Forwarded-For hop that is not itself a
 * trusted proxy, read from the right: the hops a proxy appended. Earlier hops are whatever the client
 * wrote and prove nothing.
 */
export function clientAddress(req: IncomingMessage, proxies: readonly string[]): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!isTrustedProxy(peer, proxies)) return peer;
  const hops = String(req.headers['x-forwarded-for'] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    address = plain(hops[i]);
    if (!isTrustedProxy(address, proxies)) break;
  }
  return address.slice(0, 64);
}
