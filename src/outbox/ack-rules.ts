/**
 * RFC 3834 and common sense for the client acknowledgement: answer a person, never a machine.
 * The incoming email's headers (the portal's notification) and the client's address decide.
 */

/** Header fields of a stored header block, lower-cased names, unfolded values (first occurrence). */
export function parseHeaders(block: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!block) return out;
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

const MACHINE_LOCAL = /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|auto[-_.]?reply|notifica(tion|cion|cao)e?s?|alerts?|listserv|majordomo|owner-.*|.*-request)(\+.*)?$/i;

/** RFC 5321's longest path, with room: past it a value is no address (and no regex walks it whole). */
const MAX_ADDRESS_CHARS = 320;

/** The address in `Name <a@b>` (or the whole value). indexOf, not a regex: a header of many "<" made /<([^>]*)>/ quadratic. */
function addressIn(v: string | undefined): string {
  if (!v) return '';
  const open = v.indexOf('<');
  const close = open >= 0 ? v.indexOf('>', open) : -1;
  return (close > open ? v.slice(open + 1, close) : v).slice(0, MAX_ADDRESS_CHARS).trim().toLowerCase();
}
const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1);

/** Why no acknowledgement may be sent, or null when one may. */
export function ackRefusal(incomingHeaders: string | null, clientEmail: string | null): string | null {
  if (!clientEmail || !clientEmail.includes('@')) return 'no client address';
  const to = clientEmail.trim().toLowerCase();
  const h = parseHeaders(incomingHeaders);
  const machine = machineRefusal(h, to);
  if (machine) return machine;
  const from = addressIn(h.get('from'));
  if (from && (to === from || domainOf(to) === domainOf(from))) return "client address is the portal's";
  return null;
}

/**
 * A post-sale case's acknowledgement: the same rules, except that the client wrote the email
 * themselves, so answering the sender is the point (a lead's ack never answers the portal).
 */
export function caseAckRefusal(incomingHeaders: string | null, clientEmail: string | null): string | null {
  if (!clientEmail || !clientEmail.includes('@')) return 'no client address';
  return machineRefusal(parseHeaders(incomingHeaders), clientEmail.trim().toLowerCase());
}

/** RFC 3834: no answer to auto-replies, lists, bounces, or a no-reply/system address. */
function machineRefusal(h: Map<string, string>, to: string): string | null {
  const auto = h.get('auto-submitted');
  if (auto && auto.toLowerCase() !== 'no') return 'incoming email is auto-submitted';
  if (/^(bulk|list|junk|auto_reply)$/i.test(h.get('precedence') ?? '')) return 'incoming email is bulk or list mail';
  if (h.has('list-id') || h.has('x-autoreply') || h.has('x-autorespond') || h.has('x-auto-response-suppress') && /all|autoreply/i.test(h.get('x-auto-response-suppress')!)) return 'incoming email is list mail or an auto-reply';
  if (h.get('return-path')?.trim() === '<>' || /multipart\/report/i.test(h.get('content-type') ?? '')) return 'incoming email is a bounce';
  const from = addressIn(h.get('from'));
  // Portals send from no-reply addresses all the time; only a bounce's sender disqualifies the email.
  if (/^(mailer[-_.]?daemon|postmaster)$/i.test(from.split('@')[0] ?? '')) return 'incoming email comes from a mail system (bounce)';
  if (MACHINE_LOCAL.test(to.split('@')[0] ?? '')) return 'client address is a no-reply or system address';
  return null;
}
