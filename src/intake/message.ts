import { createHash, randomUUID } from 'node:crypto';
import { fieldForLabel } from '../pipeline/labels.ts';
import type { FieldName } from '../parsers/schema.ts';

/**
 * A lead that came over HTTP becomes a synthetic RFC 822 message, so it takes the one pipeline
 * (stored raw first, extracted, classified, deduplicated, replayed) exactly like an email: the
 * fields as "Label: value" lines the intake parsers read, the request itself attached as JSON so
 * the raw view shows what was received. The Message-ID comes from the platform's lead id or the
 * Idempotency-Key, which is what makes repeated deliveries one lead.
 */

export type IntakeKind = 'form' | 'google-ads' | 'meta';

export const INTAKE_DOMAIN = 'intake.centralizer.invalid';

/** The labels the intake parsers (parsers/intake-*.yaml) read; also found by the generic labels. */
const LABELS: Record<FieldName, string> = {
  name: 'Nombre',
  firstName: 'Nombre',
  lastName: 'Apellido',
  nationalId: 'Documento',
  email: 'Email',
  phone: 'Teléfono',
  project: 'Proyecto',
  message: 'Mensaje',
};
const ORDER: FieldName[] = ['name', 'nationalId', 'email', 'phone', 'project', 'message'];

export interface IntakeLead {
  kind: IntakeKind;
  /** The form id, or the platform's form id. */
  source: string;
  /** The platform's lead id or the Idempotency-Key: the same one gives the same Message-ID. */
  dedupeKey: string | null;
  fields: Partial<Record<FieldName, string>>;
  /** Other answers, shown under their own labels. */
  extra: [string, string][];
  /** Kept as X-Intake-* headers (campaign, form, ad ids). */
  meta: Record<string, string>;
  /** What was received (body fields and a few request headers), minus secrets. */
  request: unknown;
  receivedAt: Date;
}

/** One line, bounded: values never break the "Label: value" shape or the headers. */
const oneLine = (v: string, max = 2000) => v.replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, max);
const token = (v: string) => v.replace(/[^\w.:-]/g, '').slice(0, 128);

export function messageIdFor(kind: IntakeKind, source: string, key: string): string {
  const h = createHash('sha256').update(`${kind}\0${source}\0${key}`).digest('hex').slice(0, 40);
  return `<${kind}.${h}@${INTAKE_DOMAIN}>`;
}

/** Canonical field for a posted name ("telefono", "your-email", "full_name"), or null. */
export function fieldForName(name: string): FieldName | null {
  const n = name.replace(/[_-]+/g, ' ').trim();
  if (/^first ?name$/i.test(n)) return 'firstName';
  if (/^last ?name$/i.test(n)) return 'lastName';
  return fieldForLabel(n);
}

/** Name parts joined: the pipeline splits a full name itself. */
function resolved(fields: IntakeLead['fields']): Partial<Record<FieldName, string>> {
  const out = { ...fields };
  if (!out.name && (out.firstName || out.lastName)) out.name = [out.firstName, out.lastName].filter(Boolean).join(' ');
  delete out.firstName;
  delete out.lastName;
  return out;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');

export function buildMessage(lead: IntakeLead): { raw: Buffer; messageId: string } {
  // A platform's lead id is unique on its own; an Idempotency-Key only within its form.
  const messageId = lead.dedupeKey ? messageIdFor(lead.kind, lead.kind === 'form' ? lead.source : '', lead.dedupeKey) : `<${lead.kind}.${randomUUID()}@${INTAKE_DOMAIN}>`;
  const fields = resolved(lead.fields);
  const lines = ORDER.filter((f) => fields[f]).map((f) => `${LABELS[f]}: ${oneLine(fields[f]!, f === 'message' ? 4000 : 300)}`);
  const extra = lead.extra.filter(([k, v]) => oneLine(k) && oneLine(v)).slice(0, 100);
  if (extra.length) lines.push('', 'Otros datos:', ...extra.map(([k, v]) => `- ${oneLine(k, 100)} = ${oneLine(v, 500)}`));
  const boundary = `intake-${randomUUID()}`;
  const source = token(lead.source) || 'unknown';
  const head = [
    `From: Centralizer intake <${lead.kind}@${INTAKE_DOMAIN}>`,
    `To: leads@${INTAKE_DOMAIN}`,
    `Subject: Lead ${lead.kind} ${source}`,
    `Message-ID: ${messageId}`,
    `Date: ${lead.receivedAt.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    `X-Centralizer-Intake: ${lead.kind}`,
    `X-Intake-Source: ${source}`,
    ...Object.entries(lead.meta).filter(([, v]) => token(v)).map(([k, v]) => `X-Intake-${token(k).replace(/[^\w-]/g, '')}: ${token(v)}`),
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(lines.join('\r\n') + '\r\n'),
    `--${boundary}`,
    'Content-Type: application/json; charset=UTF-8; name="request.json"',
    'Content-Disposition: attachment; filename="request.json"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(JSON.stringify(lead.request, null, 2)),
    `--${boundary}--`,
    '',
  ];
  return { raw: Buffer.from([...head, '', ...parts].join('\r\n'), 'utf8'), messageId };
}
