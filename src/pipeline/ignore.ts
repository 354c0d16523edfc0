import type { ParsedEmail } from './mime.ts';

/**
 * Mail that is not an enquiry: delivery reports, bounces, complaints, read receipts, auto-replies and
 * mailing-list traffic. Returns the reason, or null for mail that may be a lead.
 */
export function notALeadReason(mail: ParsedEmail): string | null {
  const h = mail.headers;
  const ct = mail.contentType.toLowerCase();
  const types = mail.partTypes;
  if (types.includes('message/feedback-report') || /report-type=("?)feedback-report/.test(ct)) return 'complaint-report';
  if (ct.startsWith('multipart/report') || types.some((t) => t === 'message/delivery-status' || t === 'message/global-delivery-status')) {
    return /disposition-notification/.test(ct) || types.includes('message/disposition-notification') ? 'read-receipt' : 'delivery-report';
  }
  if (types.includes('message/disposition-notification')) return 'read-receipt';
  const from = mail.from?.address ?? '';
  if (/^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i.test(from) || /^mail delivery (system|subsystem)/i.test(mail.from?.name ?? '')) return 'bounce';
  if (h['x-failed-recipients']) return 'bounce';
  const subject = mail.subject;
  if (/^(undeliverable|undelivered mail|delivery status notification|returned mail|mail delivery failed|failure notice|delivery failure|no se pudo entregar|não entregue)/i.test(subject)) return 'bounce';
  // RFC 3834: auto-replied is a reply; auto-generated is also what portals' notifications carry.
  const auto = (h['auto-submitted'] ?? '').toLowerCase().trim();
  if (auto.startsWith('auto-replied')) return 'auto-reply';
  if (h['x-autoreply'] || h['x-autorespond'] || /^(oof|autoreply|all)$/i.test(h['x-auto-response-suppress'] ?? '') && /^(automatic reply|respuesta automática|resposta automática|out of office|fuera de la oficina)/i.test(subject)) return 'auto-reply';
  if (/^(automatic reply|auto[- ]?reply|respuesta automática|resposta automática|out of office|fuera de (la )?oficina|ausente|ausência)\b/i.test(subject)) return 'auto-reply';
  return null;
}

/**
 * Mailing-list or bulk mail. Portals send through bulk services that add these headers too, so the
 * pipeline ignores such mail only when no portal parser claims it and no form labels were found.
 */
export function bulkReason(mail: ParsedEmail): string | null {
  const h = mail.headers;
  const auto = (h['auto-submitted'] ?? '').toLowerCase().trim();
  if (auto && auto !== 'no') return 'automated';
  const precedence = (h['precedence'] ?? '').toLowerCase().trim();
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') return 'mailing-list';
  // mailparser folds the List-* headers into one `list` header.
  if (h['list'] || h['list-id'] || h['list-unsubscribe'] || h['list-post']) return 'mailing-list';
  return null;
}

/** A file with no message headers at all (a script, a database, a JSON file) is not an email. */
export function notAnEmail(mail: ParsedEmail): boolean {
  const h = mail.headers;
  return !h['from'] && !h['date'] && !h['subject'] && !h['message-id'] && !h['received'] && !h['to'] && !h['return-path'];
}
