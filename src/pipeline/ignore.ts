import type { ParsedEmail } from './mime.ts';
import { recognizeCase } from './recognize-case.ts';

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

/**
 * Link-heavy mail with no form data (SEO offers, phishing, "see these listings"): many links for
 * little text. Only asked when no parser claims the mail and no labelled person data was found,
 * so a person's enquiry with a link or two is never ignored.
 */
export function linkSpamReason(mail: ParsedEmail, bodyText: string): string | null {
  const urls = new Set<string>();
  for (const m of (mail.html ?? '').slice(0, 500_000).matchAll(/href\s*=\s*["']?(https?:\/\/[^"'\s>]{1,500})/gi)) urls.add(m[1]);
  for (const m of `${mail.text ?? ''}\n${bodyText}`.slice(0, 500_000).matchAll(/https?:\/\/[^\s<>"')]{1,500}/gi)) urls.add(m[0]);
  if (urls.size < 5) return null;
  const words = bodyText.replace(/https?:\/\/\S+/g, ' ').split(/\s+/).filter((w) => /\p{L}{2}/u.test(w)).length;
  return words / urls.size < 40 ? 'link-spam' : null;
}

/** A file with no message headers at all (a script, a database, a JSON file) is not an email. */
export function notAnEmail(mail: ParsedEmail): boolean {
  const h = mail.headers;
  return !h['from'] && !h['date'] && !h['subject'] && !h['message-id'] && !h['received'] && !h['to'] && !h['return-path'];
}

// A portal's or a supplier's own mail to the company: statements, invoices, payment reminders,
// account and publication notices. Read from the subject and the sender's mailbox name, never from
// the body (which carries the company's RUT, a phone and a project name like any lead).
const ACCOUNT_SUBJECT = new RegExp([
  '\\b(factura|facturas|boleta|nota de cr[eé]dito|estado de cuenta|recordatorio de pago|comprobante de pago|aviso de (pago|cobro|cobranza|vencimiento)|cobranza|cobro|pago (pendiente|recibido|rechazado|confirmado|vencido|exitoso)|saldo pendiente)\\b',
  '\\b(tu|su) (plan|suscripci[oó]n|cuenta|contrato|membres[ií]a)\\b',
  '\\b(renueva|renovaci[oó]n|cambio de plan|plan (vence|vencido|expira|actualizado))\\b',
  '\\b(publicaci[oó]n|aviso|anuncio|avisos|publicaciones|anuncios|plan)\\b[^\\n]{0,80}\\b(vence|vencen|vencer[aá]n?|vencid[oa]s?|expira|expiran|expirar[aá]n?|caduca|caducan|finaliza|pausad[oa]s?|dad[oa]s? de baja|despublicad[oa]s?|rechazad[oa]s?)\\b',
  '\\b(publicaci[oó]n|aviso|anuncio|an[uú]ncio|listing)\\b[^\\n]{0,60}\\b(publicad[oa]|aprobad[oa]|activad[oa]|destacad[oa]|renovad[oa]|en revisi[oó]n|moderaci[oó]n|publicado|aprovado|expires?|expired|was published)\\b',
  '\\b(invoice|receipt|payment (due|reminder|failed|received)|billing|subscription|your (plan|account) )',
  '\\b(fatura|nota fiscal|boleto|cobran[cç]a|pagamento|assinatura|seu plano|sua conta|an[uú]ncio[^\\n]{0,40}expir)',
].join('|'), 'i');
const ACCOUNT_SENDER = /^(facturaci[oó]n|facturacion|factura|facturas|cobranza|cobranzas|cobros|billing|invoices?|invoicing|pagos|payments?|finanzas|finance|tesoreria|contabilidad|accounts?|cuentas|faturamento|cobranca|financeiro)([.+_-]|@)/i;

const LEAD_SUBJECT = /\b(contacto|consulta|interesad[oa]s?|lead|mensaje|pregunta|cotizaci[oó]n|cotizar|solicitud de informaci[oó]n|quiere informaci[oó]n|contato|interessad[oa]|mensagem|enquiry|inquiry)\b/i;

// An owner complaining about a charge ("Reclamo por cobro de gastos comunes") is a post-sale case.
const CASE_SUBJECT = /\b(reclamo|reclamos|queja|quejas|reclama[cç][aã]o|reclama[cç][oõ]es|postventa|post venta|p[oó]s-?venda)\b/i;

/**
 * A portal's own billing, account or publication notice: the reason, or null. An owner writes
 * about a boleta or a cobro too ("Boleta de gastos comunes mal calculada"): a body that reads as an
 * owner's post-sale matter is never a notice.
 */
export function accountNoticeReason(mail: ParsedEmail, bodyText: string): string | null {
  if (/^\s*(re|res|aw|sv)\s*:/i.test(mail.subject)) return null;
  const subject = mail.subject.slice(0, 300);
  // "Nuevo contacto en tu aviso publicado": an enquiry about a listing, not a notice about it.
  if (LEAD_SUBJECT.test(subject) || CASE_SUBJECT.test(subject)) return null;
  if (!ACCOUNT_SUBJECT.test(subject) && !ACCOUNT_SENDER.test(mail.from?.address ?? '')) return null;
  return recognizeCase({ subject: mail.subject, body: bodyText, parser: null }).verdict === 'case' ? null : 'portal-account';
}
