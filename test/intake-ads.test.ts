import { row } from './helpers/db-rows.ts';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntake, type IntakeHarness } from './helpers/intake-app.ts';
import { rut } from './helpers/mail.ts';

const APP_SECRET = 'meta-app-secret-for-tests';
const PAGE_TOKEN = 'page-token-for-tests';

/** A local stand-in for the Graph API: leads by id, a switch to fail, the requests it saw. */
const graph = { leads: new Map<string, unknown>(), failing: false, seen: [] as { path: string; auth: string | undefined }[] };
const graphServer = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://graph');
  graph.seen.push({ path: url.pathname, auth: req.headers.authorization });
  const lead = graph.leads.get(url.pathname.split('/').pop()!);
  if (graph.failing) return void res.writeHead(500).end('{"error":{"message":"unavailable"}}');
  if (!lead || req.headers.authorization !== `Bearer ${PAGE_TOKEN}`) return void res.writeHead(400).end('{"error":{"message":"bad"}}');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(lead));
});

let h: IntakeHarness;
beforeAll(async () => {
  await new Promise<void>((r) => graphServer.listen(0, '127.0.0.1', r));
  const graphUrl = `http://127.0.0.1:${(graphServer.address() as AddressInfo).port}/v21.0`;
  const yaml = `intake:
  googleAds: {key: google-key-12345, project: Costanera Sur}
  meta: {appSecretEnv: T_META_SECRET, pageTokenEnv: T_META_PAGE, verifyToken: verify-token-123, graphUrl: "${graphUrl}"}
`;
  h = await startIntake(yaml, { env: { T_META_SECRET: APP_SECRET, T_META_PAGE: PAGE_TOKEN }, metaRetryDelaysMs: [10, 10] });
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => graphServer.close(r));
});

const rows = () => h.count('raw_emails');
const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${h.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('Google Ads lead form webhook', () => {
  const payload = (leadId: string, key = 'google-key-12345') => ({
    lead_id: leadId, api_version: '1.0', form_id: 40000000001, campaign_id: 20000000002, adgroup_id: 3, creative_id: 4, gcl_id: 'gcl-abc', is_test: false, google_key: key,
    unknown_future_field: { x: 1 },
    user_column_data: [
      { column_id: 'FULL_NAME', column_name: 'Full Name', string_value: 'Camila Rojas' },
      { column_id: 'EMAIL', column_name: 'User Email', string_value: 'camila.rojas@gmail.com' },
      { column_id: 'PHONE_NUMBER', column_name: 'User Phone', string_value: '+56 9 8765 1234' },
      { column_id: 'RUT', column_name: 'RUT', string_value: rut(12345678) },
    ],
  });

  it('a right key: 200 {leadId}, fields from user_column_data, campaign and form ids kept, the key not stored', async () => {
    const res = await post('/intake/google-ads', JSON.stringify(payload('LEAD-1')));
    expect(res.status).toBe(200);
    const { leadId } = (await res.json()) as { leadId: number };
    const lead = (await h.app.store.getLead(leadId))!;
    expect(lead).toMatchObject({ name: 'Camila Rojas', email: 'camila.rojas@gmail.com', phone: '+56987651234', quality: 'bueno', parser: 'intake-ads' });
    const raw = { ...((await row(h.app, 'select source from raw_emails where id = ?', [lead.rawEmailId])) as { source: string }), raw: (await h.app.store.getRaw(lead.rawEmailId))!.raw! };
    expect(raw.source).toBe('http');
    const text = raw.raw.toString();
    expect(text).toMatch(/^X-Intake-campaign-id: 20000000002$/m);
    expect(text).toMatch(/^X-Intake-form-id: 40000000001$/m);
    expect(text).not.toContain('google-key-12345');
  });

  it('the same lead_id twice (and at once) gives one lead', async () => {
    const before = await h.count('leads');
    const a = (await (await post('/intake/google-ads', JSON.stringify(payload('LEAD-2')))).json()) as { leadId: number };
    const again = await Promise.all([1, 2].map(() => post('/intake/google-ads', JSON.stringify(payload('LEAD-2'))).then((r) => r.json() as Promise<{ leadId: number; duplicate: boolean }>)));
    expect(again).toEqual([{ leadId: a.leadId, duplicate: true }, { leadId: a.leadId, duplicate: true }]);
    expect(await h.count('leads')).toBe(before + 1);
  });

  it('a wrong key answers 403, an oversized body 413; neither stores anything', async () => {
    const before = await rows();
    expect((await post('/intake/google-ads', JSON.stringify(payload('LEAD-3', 'forged-key-000')))).status).toBe(403);
    const big = { ...payload('LEAD-4'), filler: 'x'.repeat(70 * 1024) };
    expect((await post('/intake/google-ads', JSON.stringify(big))).status).toBe(413);
    expect(await rows()).toBe(before);
  });
});

describe('Meta lead ads webhook', () => {
  const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const webhook = (leadgenId: string) => JSON.stringify({ object: 'page', entry: [{ id: '777', time: 1764000000, changes: [{ field: 'leadgen', value: { leadgen_id: leadgenId, form_id: '555', page_id: '777', ad_id: '666', adgroup_id: '888', created_time: 1764000000 } }] }] });
  const graphLead = (id: string, email: string) => ({ id, created_time: '2026-11-23T12:59:00+0000', platform: 'ig', field_data: [{ name: 'full_name', values: ['Joaquín Pérez'] }, { name: 'email', values: [email] }, { name: 'phone_number', values: ['+56 9 5555 1234'] }, { name: 'rut', values: [rut(15555555)] }, { name: 'proyecto_de_interés', values: ['Mirador del Valle'] }] });

  it('the verification handshake answers the challenge for the right token only', async () => {
    const ok = await fetch(`${h.url}/intake/meta?hub.mode=subscribe&hub.verify_token=verify-token-123&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(`${h.url}/intake/meta?hub.mode=subscribe&hub.verify_token=nope-nope-nope&hub.challenge=1`);
    expect(bad.status).toBe(403);
  });

  it('a signed webhook: the lead is read from the Graph API with the page token and stored', async () => {
    graph.leads.set('9001', graphLead('9001', 'joaquin.perez@yahoo.com'));
    const body = webhook('9001');
    const res = await post('/intake/meta', body, { 'x-hub-signature-256': sign(body) });
    expect(res.status).toBe(200);
    const { leads } = (await res.json()) as { leads: { leadId: number }[] };
    const lead = (await h.app.store.getLead(leads[0].leadId))!;
    expect(lead).toMatchObject({ name: 'Joaquín Pérez', email: 'joaquin.perez@yahoo.com', phone: '+56955551234', quality: 'bueno' });
    expect(graph.seen.at(-1)).toEqual({ path: '/v21.0/9001', auth: `Bearer ${PAGE_TOKEN}` });
    const raw = (await h.app.store.getRaw(lead.rawEmailId))!.raw!.toString();
    expect(raw).toMatch(/^X-Intake-Platform: ig$/m);
  });

  it('the same leadgen_id delivered again gives one lead and no second Graph fetch', async () => {
    graph.leads.set('9002', graphLead('9002', 'otra.persona@yahoo.com'));
    const body = webhook('9002');
    const first = (await (await post('/intake/meta', body, { 'x-hub-signature-256': sign(body) })).json()) as { leads: { leadId: number }[] };
    const fetches = graph.seen.length;
    const leads = await h.count('leads');
    const second = (await (await post('/intake/meta', body, { 'x-hub-signature-256': sign(body) })).json()) as { leads: { leadId: number; duplicate: boolean }[] };
    expect(second.leads).toEqual([{ leadId: first.leads[0].leadId, duplicate: true }]);
    expect(graph.seen.length).toBe(fetches);
    expect(await h.count('leads')).toBe(leads);
  });

  it('a forged or missing signature answers 403/401 without storing or fetching; oversized 413', async () => {
    graph.leads.set('9003', graphLead('9003', 'forged@yahoo.com'));
    const before = await rows();
    const fetches = graph.seen.length;
    const body = webhook('9003');
    expect((await post('/intake/meta', body, { 'x-hub-signature-256': sign(body, 'another-secret') })).status).toBe(403);
    expect((await post('/intake/meta', body)).status).toBe(401);
    const big = JSON.stringify({ object: 'page', entry: [], filler: 'x'.repeat(70 * 1024) });
    expect((await post('/intake/meta', big, { 'x-hub-signature-256': sign(big) })).status).toBe(413);
    expect(await rows()).toBe(before);
    expect(graph.seen.length).toBe(fetches);
  });

  it('a Graph API that keeps failing: retried, then 502 so Meta delivers again; the redelivery stores the lead', async () => {
    graph.leads.set('9004', graphLead('9004', 'later@yahoo.com'));
    graph.failing = true;
    const before = await rows();
    const body = webhook('9004');
    const fetches = graph.seen.length;
    expect((await post('/intake/meta', body, { 'x-hub-signature-256': sign(body) })).status).toBe(502);
    expect(graph.seen.length - fetches).toBe(3);
    expect(await rows()).toBe(before);
    graph.failing = false;
    expect((await post('/intake/meta', body, { 'x-hub-signature-256': sign(body) })).status).toBe(200);
    expect(await rows()).toBe(before + 1);
  });
});
