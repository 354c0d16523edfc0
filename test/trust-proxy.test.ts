// trustProxy is a list of proxy addresses: X-Forwarded-For / -Proto count only from those peers.
// Through the real listeners (admin and intake): a client that reaches them directly and forges the
// headers is limited and audited under its own socket address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { parseConfig } from '../src/config.ts';
import { clientAddress } from '../src/client-address.ts';
import { PASSWORD, startHarness, type Harness } from './http-fixture.ts';
import { startIntake, type IntakeHarness } from './helpers/intake-app.ts';

const fakeReq = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('the trustProxy setting', () => {
  it('takes IPs and CIDR blocks; false is the empty list', () => {
    expect(parseConfig('admin: {trustProxy: [127.0.0.1, "10.0.0.0/8", "::1", "fd00::/8"]}\n', 't', {}).admin.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(parseConfig('admin: {trustProxy: false}\n', 't', {}).admin.trustProxy).toEqual([]);
    expect(parseConfig('{}\n', 't', {}).admin.trustProxy).toEqual([]);
    expect(parseConfig('intake: {trustProxy: [192.168.1.10]}\n', 't', {}).intake!.trustProxy).toEqual(['192.168.1.10']);
  });

  it('refuses true (any peer) with the file, line and what to write instead', () => {
    expect(() => parseConfig('country: CL\nadmin:\n  trustProxy: true\n', 'c.yaml', {})).toThrow(/^c\.yaml:3:15: admin\.trustProxy: true ya no se acepta .*escriba las direcciones de los proxies, p\. ej\. trustProxy: \[127\.0\.0\.1\]/);
    expect(() => parseConfig('intake:\n  trustProxy: true\n', 'c.yaml', {})).toThrow(/c\.yaml:2:15: intake\.trustProxy: true ya no se acepta/);
    expect(() => parseConfig('admin: {trustProxy: [proxy.local, "10.0.0.0/40"]}\n', 'c.yaml', {})).toThrow(/admin\.trustProxy: no es una dirección IP ni un bloque CIDR: "proxy\.local", "10\.0\.0\.0\/40"/);
  });

  it('reads X-Forwarded-For only from a listed peer, nearest untrusted hop first', () => {
    const proxies = ['10.0.0.0/8', '127.0.0.1'];
    expect(clientAddress(fakeReq('203.0.113.5', '1.2.3.4'), proxies)).toBe('203.0.113.5');
    expect(clientAddress(fakeReq('::ffff:203.0.113.5', '1.2.3.4'), proxies)).toBe('203.0.113.5');
    expect(clientAddress(fakeReq('127.0.0.1', '198.51.100.1, 203.0.113.7'), proxies)).toBe('203.0.113.7');
    // Two proxies in a row: the hop the inner proxy added is itself a proxy, so one more to the left.
    expect(clientAddress(fakeReq('::ffff:10.1.2.3', '198.51.100.1, 203.0.113.7, 10.0.0.9'), proxies)).toBe('203.0.113.7');
    expect(clientAddress(fakeReq('127.0.0.1'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(fakeReq('127.0.0.1', '203.0.113.7'), [])).toBe('127.0.0.1');
  });
});

describe('admin listener reached directly, proxy elsewhere', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ adminYaml: ['  trustProxy: [10.9.9.9]'], authLimit: { maxFailures: 5, windowMs: 60_000 } });
    await h.addUser('jefa@inmo.cl', 'admin');
  });
  afterAll(() => h.close());

  it('forged X-Forwarded-For does not escape the bad-token limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await h.call('/api/leads', { token: 'forged-token-000000', headers: { 'X-Forwarded-For': `198.51.100.${i}` } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
  });

  it('the audit records the real peer, and a forged X-Forwarded-Proto gives no Secure cookie', async () => {
    const signIn = (password: string) =>
      h.call('/api/session', { method: 'POST', token: null, headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.66', 'X-Forwarded-Proto': 'https' }, body: JSON.stringify({ email: 'jefa@inmo.cl', password }) });
    expect((await signIn('una-contraseña-mala')).status).toBe(401);
    const ok = await signIn(PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).not.toMatch(/Secure/);
    const failed = await h.json('/api/audit?action=session.failed');
    const created = await h.json('/api/audit?action=session.create');
    expect(failed.items[0]).toMatchObject({ actor: 'jefa@inmo.cl', address: '127.0.0.1' });
    expect(created.items[0]).toMatchObject({ actor: 'jefa@inmo.cl', address: '127.0.0.1' });
    expect(JSON.stringify([failed, created])).not.toContain('203.0.113.66');
  });
});

describe('intake listener reached directly, proxy elsewhere', () => {
  let h: IntakeHarness;
  beforeAll(async () => {
    h = await startIntake(`intake:
  ratePerMinute: 3
  trustProxy: [10.9.9.9, "192.168.0.0/16"]
  forms:
    - id: contacto
      key: key-contacto-1234
`);
  });
  afterAll(() => h.close());

  it('rotating X-Forwarded-For from one socket is limited as that socket', async () => {
    const send = (i: number) =>
      fetch(`${h.url}/intake/forms/contacto`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-form-key': 'wrong-key-000', 'x-forwarded-for': `198.51.100.${i}, 203.0.113.${i}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send(i)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    expect(await h.count('raw_emails')).toBe(0);
  });
});
