import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FieldName } from '../parsers/schema.ts';
import { HttpError, readBody, sameSecret, sendJson, sendText, validSignature } from './http-util.ts';
import { fieldForName, messageIdFor, type IntakeLead } from './message.ts';
import { ADS_WAIT_MS, type IntakeSubmitter, type Submitted } from './submit.ts';

export interface MetaSettings {
  appSecret: string;
  verifyToken: string;
  pageToken: string;
  graphUrl: string;
  project?: string;
  /** Waits between Graph attempts; then the webhook answers 502 and Meta delivers it again. */
  retryDelaysMs: number[];
}

const FIELDS: Record<string, FieldName> = { full_name: 'name', first_name: 'firstName', last_name: 'lastName', email: 'email', phone_number: 'phone' };

interface GraphLead {
  id?: string;
  created_time?: string;
  field_data?: { name?: unknown; values?: unknown }[];
  ad_id?: string;
  form_id?: string;
  campaign_id?: string;
  platform?: string;
}

/** GET /{leadgen_id} with the page token, retried; the token travels in a header, never in a URL. */
export async function fetchLead(s: MetaSettings, leadgenId: string): Promise<GraphLead> {
  const url = `${s.graphUrl.replace(/\/$/, '')}/${encodeURIComponent(leadgenId)}?fields=id,created_time,field_data,ad_id,form_id,campaign_id,platform`;
  let last = '';
  for (let attempt = 0; attempt <= s.retryDelaysMs.length; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, s.retryDelaysMs[attempt - 1]));
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${s.pageToken}` }, signal: AbortSignal.timeout(10_000) });
      if (res.ok) return (await res.json()) as GraphLead;
      last = `Graph API answered ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) break; // a bad token or id will not heal by waiting
    } catch (e) {
      last = (e as Error).message;
    }
  }
  throw new Error(last);
}

export function metaLead(g: GraphLead, leadgenId: string, change: Record<string, unknown>, project: string | undefined): IntakeLead {
  const fields: IntakeLead['fields'] = {};
  const extra: [string, string][] = [];
  for (const f of g.field_data ?? []) {
    if (typeof f?.name !== 'string') continue;
    const value = (Array.isArray(f.values) ? f.values : []).filter((v) => typeof v === 'string').join(', ');
    if (!value.trim()) continue;
    const field = FIELDS[f.name] ?? fieldForName(f.name);
    if (field && !fields[field]) fields[field] = value;
    else extra.push([f.name.replace(/_/g, ' '), value]);
  }
  if (!fields.project && project) fields.project = project;
  const meta: Record<string, string> = { 'Lead-Id': leadgenId };
  const ids = { form: g.form_id ?? change.form_id, page: change.page_id, ad: g.ad_id ?? change.ad_id, adgroup: change.adgroup_id, campaign: g.campaign_id, platform: g.platform };
  for (const [k, v] of Object.entries(ids)) if (v !== undefined && v !== null) meta[k === 'platform' ? 'Platform' : `${k}-id`] = String(v);
  return { kind: 'meta', source: String(ids.form ?? 'meta'), dedupeKey: leadgenId, fields, extra, meta, request: { webhook: change, lead: g }, receivedAt: new Date() };
}

export function verifyHandshake(url: URL, res: ServerResponse, s: MetaSettings): void {
  const q = url.searchParams;
  if (q.get('hub.mode') !== 'subscribe' || !sameSecret(q.get('hub.verify_token'), s.verifyToken)) throw new HttpError(403, 'verification refused');
  sendText(res, 200, q.get('hub.challenge') ?? '');
}

/** The leadgen changes of a webhook body. */
function changes(payload: unknown): Record<string, unknown>[] {
  const entries = (payload as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) throw new HttpError(400, 'expected {object, entry: [...]}');
  return entries.flatMap((e) => (Array.isArray(e?.changes) ? e.changes : []))
    .filter((c) => c?.field === 'leadgen' && c.value && (typeof c.value.leadgen_id === 'string' || typeof c.value.leadgen_id === 'number'))
    .map((c) => c.value as Record<string, unknown>);
}

export async function handleMeta(req: IncomingMessage, res: ServerResponse, s: MetaSettings, submitter: IntakeSubmitter, log: Logger): Promise<void> {
  const body = await readBody(req);
  const signature = req.headers['x-hub-signature-256'];
  if (signature === undefined) throw new HttpError(401, 'X-Hub-Signature-256 missing');
  if (!validSignature(signature, body, s.appSecret)) throw new HttpError(403, 'wrong signature');
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid JSON');
  }
  const results: Submitted[] = [];
  let failed = 0;
  for (const change of changes(payload)) {
    const leadgenId = String(change.leadgen_id);
    const known = await submitter.known(messageIdFor('meta', '', leadgenId));
    if (known) {
      results.push(known);
      continue;
    }
    try {
      const lead = await fetchLead(s, leadgenId);
      results.push(await submitter.submit(metaLead(lead, leadgenId, change, s.project), { waitMs: ADS_WAIT_MS }));
    } catch (e) {
      failed++;
      log.warn({ leadgenId, err: (e as Error).message }, 'Meta lead could not be read from the Graph API; Meta will deliver it again');
    }
  }
  // A lead not fetched is never dropped: 502 makes Meta deliver the webhook again; the leads
  // already stored are recognised by their leadgen_id then.
  if (failed) throw new HttpError(502, `${failed} lead(s) could not be read from the Graph API`);
  sendJson(res, 200, { leads: results.map((r) => ({ leadId: r.leadId, duplicate: r.duplicate })) });
}
