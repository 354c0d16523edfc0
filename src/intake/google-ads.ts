import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldName } from '../parsers/schema.ts';
import { HttpError, readBody, sameSecret, sendJson } from './http-util.ts';
import { fieldForName, type IntakeLead } from './message.ts';
import { ADS_WAIT_MS, type IntakeSubmitter } from './submit.ts';

/** Google's standard column ids; custom questions go by their column name. */
const COLUMNS: Record<string, FieldName> = {
  FULL_NAME: 'name',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phone',
  WORK_PHONE: 'phone',
};

/** Ids kept with the lead (X-Intake-* headers); unknown payload fields are ignored. */
const KEPT = ['campaign_id', 'form_id', 'adgroup_id', 'creative_id', 'gcl_id', 'api_version', 'is_test'] as const;

interface Column {
  column_id?: unknown;
  column_name?: unknown;
  string_value?: unknown;
}

export function googleLead(payload: Record<string, unknown>, project: string | undefined): IntakeLead {
  const leadId = String(payload.lead_id ?? '');
  const fields: IntakeLead['fields'] = {};
  const extra: [string, string][] = [];
  const columns = Array.isArray(payload.user_column_data) ? (payload.user_column_data as Column[]) : [];
  for (const c of columns) {
    if (!c || typeof c.string_value !== 'string' || !c.string_value.trim()) continue;
    const id = typeof c.column_id === 'string' ? c.column_id : '';
    const label = typeof c.column_name === 'string' && c.column_name ? c.column_name : id;
    const field = COLUMNS[id] ?? fieldForName(label);
    if (field && !fields[field]) fields[field] = c.string_value;
    else extra.push([label, c.string_value]);
  }
  if (!fields.project && project) fields.project = project;
  const meta: Record<string, string> = { 'Lead-Id': leadId };
  for (const k of KEPT) if (payload[k] !== undefined && payload[k] !== null) meta[k.replace(/_/g, '-')] = String(payload[k]);
  const { google_key: _secret, ...request } = payload; // the shared secret is not stored
  return { kind: 'google-ads', source: String(payload.form_id ?? 'google-ads'), dedupeKey: leadId, fields, extra, meta, request, receivedAt: new Date() };
}

export async function handleGoogleAds(req: IncomingMessage, res: ServerResponse, cfg: { key: string; project?: string }, submitter: IntakeSubmitter): Promise<void> {
  const body = await readBody(req);
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid JSON');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new HttpError(400, 'expected a JSON object');
  if (!sameSecret(typeof payload.google_key === 'string' ? payload.google_key : undefined, cfg.key)) throw new HttpError(403, 'wrong google_key');
  if (typeof payload.lead_id !== 'string' && typeof payload.lead_id !== 'number') throw new HttpError(400, 'lead_id missing');
  const r = await submitter.submit(googleLead(payload, cfg.project), { waitMs: ADS_WAIT_MS });
  sendJson(res, 200, { leadId: r.leadId, duplicate: r.duplicate });
}
