// A form post is answered once it is durable (spool and raw store), before the pipeline: the
// answer carries a receipt the client polls for its lead, or the client asks to wait for it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startIntake, type IntakeHarness } from './helpers/intake-app.ts';
import { rut } from './helpers/mail.ts';

const INTAKE = `intake:
  ratePerMinute: 1000
  forms:
    - id: contacto
      key: key-contacto-1234
      project: Parque Los Robles
      origins: [https://www.inmobiliaria-ejemplo.cl]
`;

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntake(INTAKE);
});
afterAll(async () => {
  await h.close();
});

let n = 0;
const post = (headers: Record<string, string> = {}, query = '', fields: Record<string, string> = {}) => {
  const i = ++n;
  return fetch(`${h.url}/intake/forms/contacto${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234', ...headers },
    body: JSON.stringify({ nombre: `Ana ${i} Soto`, rut: rut(14_000_000 + i), email: `ana.receipt${i}@correo.cl`, ...fields }),
  });
};
type Answer = { leadId: number | null; duplicate: boolean; status?: string; receipt?: string };
const poll = async (link: string) => (await fetch(`${h.url}${link}`)).json() as Promise<{ status: string; leadId: number | null }>;

describe('intake answers once durable', () => {
  it('202 with a receipt (body and Location); the raw message is stored; the receipt turns into the lead', async () => {
    const raws = await h.count('raw_emails');
    const res = await post();
    expect(res.status).toBe(202);
    const a = (await res.json()) as Answer;
    expect(a).toMatchObject({ duplicate: false, status: 'accepted', receipt: expect.stringMatching(/^\/intake\/receipts\/[0-9a-f]{40}$/) });
    expect(res.headers.get('location')).toBe(a.receipt);
    expect(await h.count('raw_emails')).toBe(raws + 1);
    let last: { status: string; leadId: number | null } = { status: '', leadId: null };
    await vi.waitFor(async () => {
      last = await poll(a.receipt!);
      expect(last.status).toBe('lead');
    }, { timeout: 20_000, interval: 20 });
    expect(last.leadId).toBeGreaterThan(0);
    expect(await h.count('leads')).toBeGreaterThan(0);
  });

  it('Prefer: wait=N (or ?wait=N) answers with the lead id', async () => {
    for (const [headers, query] of [[{ prefer: 'wait=20' }, ''], [{}, '?wait=20']] as const) {
      const a = (await (await post(headers, query)).json()) as Answer;
      expect(a).toEqual({ leadId: expect.any(Number), duplicate: false });
    }
  });

  it('a repeated Idempotency-Key names the same receipt, and with a wait the same lead', async () => {
    const first = (await (await post({ 'idempotency-key': 'receipt-1' })).json()) as Answer;
    const again = (await (await post({ 'idempotency-key': 'receipt-1', prefer: 'wait=20' })).json()) as Answer;
    expect(again).toMatchObject({ duplicate: true });
    const done = await poll(first.receipt!);
    expect(again.leadId).toBe(done.leadId);
  });

  it('an unknown receipt is 404; only GET', async () => {
    expect((await fetch(`${h.url}/intake/receipts/${'0'.repeat(40)}`)).status).toBe(404);
    expect((await fetch(`${h.url}/intake/receipts/not-hex`)).status).toBe(404);
    const a = (await (await post()).json()) as Answer;
    expect((await fetch(`${h.url}${a.receipt}`, { method: 'POST' })).status).toBe(405);
  });

  it('a bot (honeypot) gets an answer of the same shape whose receipt names nothing', async () => {
    const raws = await h.count('raw_emails');
    const res = await post({}, '', { _hp: 'http://spam.example' });
    const a = (await res.json()) as Answer;
    expect(a).toMatchObject({ leadId: null, duplicate: false, status: 'accepted', receipt: expect.stringMatching(/^\/intake\/receipts\/[0-9a-f]{40}$/) });
    expect(await h.count('raw_emails')).toBe(raws);
    expect((await fetch(`${h.url}${a.receipt}`)).status).toBe(404);
  });
});
