import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldName } from '../parsers/schema.ts';
import type { FormConfig } from './config.ts';
import { randomBytes } from 'node:crypto';
import { HttpError, readBody, sameSecret, sendJson, sendThanks, validSignature } from './http-util.ts';
import { fieldForName, type IntakeLead } from './message.ts';
import type { IntakeSubmitter } from './submit.ts';

const ALLOWED_HEADERS = 'Content-Type, X-Form-Key, Idempotency-Key, X-Signature-256, Prefer';
/** The longest a client may ask to wait for its lead (`Prefer: wait=<seconds>`, or `?wait=<seconds>`). */
const MAX_WAIT_SECONDS = 30;

/** `Prefer: wait=N` (RFC 7240) or `?wait=N`: seconds to wait for the lead, 0 when not asked. */
export function requestedWaitMs(req: IncomingMessage): number {
  const prefer = /(?:^|[,;\s])wait\s*=\s*(\d{1,4})/i.exec(String(req.headers.prefer ?? ''))?.[1];
  const query = /[?&]wait=(\d{1,4})(?:&|$)/.exec(req.url ?? '')?.[1];
  const seconds = Number(prefer ?? query ?? 0);
  return Math.min(MAX_WAIT_SECONDS, seconds) * 1000;
}

/** The CORS headers for an allowed Origin; a request without Origin (a server) needs none. */
function corsFor(form: FormConfig, origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  const allowed = form.origins.some((o) => new URL(o).origin === origin);
  if (!allowed) throw new HttpError(403, 'origin not allowed for this form');
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function preflight(req: IncomingMessage, res: ServerResponse, form: FormConfig): void {
  const cors = corsFor(form, req.headers.origin ?? 'null');
  res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': ALLOWED_HEADERS, 'access-control-max-age': '600' });
  res.end();
}

/** The posted fields as name/value pairs (urlencoded or a flat JSON object). */
function parseFields(req: IncomingMessage, body: Buffer): { pairs: [string, string][]; html: boolean } {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    // A plain HTML form unless the script asked for JSON back.
    const html = !/application\/json/i.test(req.headers.accept ?? '');
    return { pairs: [...new URLSearchParams(body.toString('utf8'))], html };
  }
  if (type === 'application/json') {
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid JSON');
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new HttpError(400, 'expected a JSON object of fields');
    const pairs = Object.entries(data as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    return { pairs, html: false };
  }
  throw new HttpError(415, 'send application/x-www-form-urlencoded or application/json');
}

/** Mapped fields first, then the generic labels; the rest is kept as extra answers. */
export function formLead(form: FormConfig, pairs: [string, string][], dedupeKey: string | null, request: unknown): IntakeLead {
  const byName = new Map(Object.entries(form.fields).map(([field, name]) => [name.toLowerCase(), field as FieldName]));
  const fields: IntakeLead['fields'] = {};
  const extra: [string, string][] = [];
  const usable = pairs.map(([n, v]): [string, string] => [n, v.trim()]).filter(([n, v]) => v && !n.startsWith('_'));
  const rest: [string, string][] = [];
  for (const [name, value] of usable) {
    const field = byName.get(name.toLowerCase());
    if (field && !fields[field]) fields[field] = value;
    else rest.push([name, value]);
  }
  for (const [name, value] of rest) {
    const field = byName.has(name.toLowerCase()) ? null : fieldForName(name);
    if (field && !fields[field]) fields[field] = value;
    else extra.push([name, value]);
  }
  if (!fields.project && form.project) fields.project = form.project;
  return { kind: 'form', source: form.id, dedupeKey, fields, extra, meta: { Form: form.id }, request, receivedAt: new Date() };
}

export async function handleForm(req: IncomingMessage, res: ServerResponse, form: FormConfig, submitter: IntakeSubmitter): Promise<void> {
  const cors = corsFor(form, req.headers.origin);
  const body = await readBody(req);
  const { pairs, html } = parseFields(req, body);
  const field = (n: string) => pairs.find(([k]) => k === n)?.[1];
  const key = req.headers['x-form-key'] ?? field('_key');
  if (!sameSecret(typeof key === 'string' ? key : undefined, form.key)) throw new HttpError(401, 'missing or wrong form key', cors);
  const signature = req.headers['x-signature-256'];
  if (form.signingSecret && (signature !== undefined || form.requireSignature) && !validSignature(signature, body, form.signingSecret)) {
    throw new HttpError(401, 'missing or wrong signature', cors);
  }
  const idem = req.headers['idempotency-key'];
  if (idem !== undefined && (typeof idem !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(idem))) throw new HttpError(400, 'Idempotency-Key: 1-200 visible ASCII characters', cors);
  const honeypot = field(form.honeypot);
  let leadId: number | null = null;
  let duplicate = false;
  // A bot that filled the hidden field gets the usual answer (a receipt of nothing) and nothing is stored.
  let receipt = randomBytes(20).toString('hex');
  if (!honeypot) {
    const kept = pairs.filter(([k]) => k !== '_key' && k !== form.honeypot);
    if (!kept.some(([k, v]) => !k.startsWith('_') && v.trim())) throw new HttpError(400, 'no fields', cors);
    const request = { route: `/intake/forms/${form.id}`, contentType: req.headers['content-type'] ?? null, origin: req.headers.origin ?? null, userAgent: req.headers['user-agent'] ?? null, idempotencyKey: idem ?? null, fields: Object.fromEntries(kept) };
    const r = await submitter.submit(formLead(form, kept, idem ?? null, request), { waitMs: html ? 0 : requestedWaitMs(req) });
    leadId = r.leadId;
    duplicate = r.duplicate;
    receipt = r.receipt;
  }
  if (html) {
    if (form.thanksUrl) {
      res.writeHead(303, { location: form.thanksUrl, 'content-length': 0, ...cors });
      res.end();
    } else sendThanks(res);
    return;
  }
  // Answered once the lead is durable (spool and raw store); its id, when the pipeline has not run
  // yet, comes from the receipt (or ask to wait for it).
  if (leadId !== null) return sendJson(res, 202, { leadId, duplicate }, cors);
  const link = `/intake/receipts/${receipt}`;
  sendJson(res, 202, { leadId, duplicate, status: 'accepted', receipt: link }, { ...cors, location: link, ...(cors['access-control-allow-origin'] ? { 'access-control-expose-headers': 'Location' } : {}) });
}
