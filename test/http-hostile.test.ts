import { value as sqlValue } from './helpers/db-rows.ts';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadRow } from '../src/db/port.ts';
import { seed, startHarness, tableDigest, TOKEN, type Harness, type Seeded } from './http-fixture.ts';

let h: Harness;
let data: Seeded;

beforeAll(async () => {
  h = await startHarness();
  data = await seed(h.app);
});
afterAll(() => h.close());

const INJECTIONS = [
  "' OR '1'='1",
  "1' OR 1=1 --",
  '"; DROP TABLE leads; --',
  '1; DELETE FROM leads',
  "x' UNION SELECT national_id, email FROM clients --",
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '\u0000',
  'a\r\nSet-Cookie: pwned=1',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '__proto__',
  '%',
  '_',
  '\u202eevil',
  'x'.repeat(5000),
];
const FILTERS = ['quality', 'contactState', 'status', 'project', 'parser', 'medium', 'from', 'to', 'limit', 'cursor'];
const LIST_ENDPOINTS = ['/api/leads', '/api/stats', '/api/leads/export.csv'];

/** Sends the request and insists on a 4xx. */
async function expect4xx(pathname: string, init: RequestInit & { token?: string | null } = {}) {
  const res = await h.call(pathname, init);
  await res.arrayBuffer();
  expect(res.status, `${init.method ?? 'GET'} ${pathname.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${init.method ?? 'GET'} ${pathname.slice(0, 120)}`).toBeLessThan(500);
  expect(res.headers.get('set-cookie')).toBeNull();
  return res;
}

describe('hostile input answers 4xx and changes nothing', () => {
  it('every filter refuses injection strings', async () => {
    const before = await tableDigest(h.app);
    for (const endpoint of LIST_ENDPOINTS) {
      for (const key of FILTERS) {
        for (const value of INJECTIONS) {
          if (key === 'project' && value === '_') continue; // a name that is simply unknown: still 400, below
          await expect4xx(`${endpoint}?${key}=${encodeURIComponent(value)}`);
        }
      }
    }
    expect(await tableDigest(h.app)).toBe(before);
  });

  it('free-text search treats injection strings as text: no error, nothing widened', async () => {
    const before = await tableDigest(h.app);
    for (const value of INJECTIONS.filter((v) => v.length <= 100)) {
      const res = await h.call(`/api/leads?q=${encodeURIComponent(value)}`);
      expect(res.status, value).toBeLessThan(500);
      if (res.status === 200) {
        const { items } = await res.json();
        // Only the planted hostile name may match its own words; nothing else comes back.
        expect(items.every((i: any) => i.id === data.hostileLeadId), value).toBe(true);
      }
    }
    expect(await tableDigest(h.app)).toBe(before);
  });

  it('refuses prototype keys, unknown keys, repeated keys and array syntax in the query', async () => {
    const before = await tableDigest(h.app);
    for (const q of ['__proto__=1', '__proto__[admin]=1', 'constructor=x', 'constructor[prototype][x]=1', 'prototype=1', 'quality[]=bueno', 'quality[0]=bueno', 'admin=true', 'quality=bueno&quality=malo', 'limit=1e2', 'limit=-1', 'limit=10.5', 'limit=%2010']) {
      for (const endpoint of [...LIST_ENDPOINTS, '/api/emails', '/api/leads/1', '/api/parsers']) await expect4xx(`${endpoint}?${q}`);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await tableDigest(h.app)).toBe(before);
  });

  it('path traversal and junk in :id answer 4xx; the page serves only its own files', async () => {
    const before = await tableDigest(h.app);
    const ids = ['1%20OR%201=1', "1'--", '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '1;DROP%20TABLE%20leads', '-1', '0', '1e3', '0x10', '99999999999999999999', '1.0', '%00', '1%0d%0aSet-Cookie:%20x=1', 'null', '__proto__', 'constructor'];
    for (const id of ids) {
      for (const suffix of ['', '/raw']) await expect4xx(`/api/leads/${id}${suffix}`);
      for (const action of ['edit', 'follow-up', 'abort', 'discard']) {
        await expect4xx(`/api/leads/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'spam', comment: 'x' }) });
      }
    }
    for (const p of ['/..%2f..%2fetc%2fpasswd', '/app.js/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/page/app.js', '/src/http/server.ts', '/index.html', '/app.js%00.html', '/.env', '/package.json']) {
      const res = await expect4xx(p, { token: null });
      expect(res.status).toBe(404);
    }
    expect(await tableDigest(h.app)).toBe(before);
  });

  it('action bodies: prototype keys, wrong types, unknown keys, bad JSON, oversize and wrong type are refused', async () => {
    const before = await tableDigest(h.app);
    const target = await seededLead((l) => l.quality === 'malo');
    const bodies: [string, string, string][] = [
      ['discard', '{"__proto__": {"admin": true}, "reason": "spam", "comment": "x"}', 'application/json'],
      ['discard', '{"constructor": {"prototype": {"admin": true}}, "reason": "spam", "comment": "x"}', 'application/json'],
      ['discard', '{"reason": {"__proto__": 1}, "comment": "x"}', 'application/json'],
      ['discard', '{"reason": "spam\' OR 1=1 --", "comment": "x"}', 'application/json'],
      ['discard', '{"reason": ["spam"], "comment": "x"}', 'application/json'],
      ['discard', '{"reason": "spam", "comment": 42}', 'application/json'],
      ['discard', '{"reason": "spam", "comment": "x", "contactState": "bueno"}', 'application/json'],
      ['discard', '{"reason": "spam", "comment": "a\\u0000b"}', 'application/json'],
      ['discard', '{"reason": "spam", "comment": "x"', 'application/json'],
      ['discard', '[]', 'application/json'],
      ['discard', 'null', 'application/json'],
      ['discard', 'reason=spam&comment=x', 'application/x-www-form-urlencoded'],
      ['discard', `{"reason": "spam", "comment": "${'x'.repeat(70_000)}"}`, 'application/json'],
      ['abort', `{"comment": "${'x'.repeat(2001)}"}`, 'application/json'],
      ['follow-up', '{"expectation": "alta; DROP TABLE leads", "contactType": "llamada", "comment": "x"}', 'application/json'],
      ['follow-up', '{"expectation": "alta", "contactType": "llamada", "comment": "x", "recontactAt": "2030-01-01\' OR 1=1"}', 'application/json'],
      ['follow-up', '{"expectation": "alta", "contactType": "llamada", "comment": "x", "recontactAt": "../../etc/passwd"}', 'application/json'],
      ['edit', '{"name": {"$ne": null}}', 'application/json'],
      ['edit', `{"email": "${'a'.repeat(300)}@gmail.com"}`, 'application/json'],
      ['edit', '{"__proto__": {"quality": "bueno"}}', 'application/json'],
    ];
    for (const [action, body, type] of bodies) {
      await expect4xx(`/api/leads/${target}/${action}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await tableDigest(h.app)).toBe(before);
  });

  it('header injection: raw CR/LF in a header is refused before any handler runs', async () => {
    const before = await tableDigest(h.app);
    const target = await seededLead((l) => l.quality === 'malo');
    const body = JSON.stringify({ reason: 'spam', comment: 'x' });
    for (const bad of [`X-Actor: ana\rSet-Cookie: x=1`, `Authorization: Bearer ${TOKEN}\rX: y`, `X-Actor: ana\u0000`]) {
      const reply = await rawRequest(`POST /api/leads/${target}/discard HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n${bad}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      const status = Number(reply.split(' ')[1]);
      expect(status, bad).toBeGreaterThanOrEqual(400);
      expect(status, bad).toBeLessThan(500);
      expect(reply).not.toMatch(/^set-cookie/im);
      expect(reply).toMatch(/^X-Frame-Options: DENY/im); // our answer, with the security headers
    }
    const huge = await rawRequest(`GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(await tableDigest(h.app)).toBe(before);
    // A self-declared actor is ignored: the action is the token's, and nothing is echoed into headers.
    const actor = await h.post(`/api/leads/${target}/discard`, { reason: 'spam', comment: 'x' }, { 'X-Actor': 'ana Set-Cookie: x=1' });
    expect(actor.status).toBe(200);
    expect(actor.headers.get('set-cookie')).toBeNull();
    expect((await h.json(`/api/leads/${target}`)).actions[0].actor).toBe('token:admin');
  });

  it('a free-text comment full of SQL is stored verbatim as text (statements are parameterised)', async () => {
    const target = await seededLead((l) => l.quality === 'malo' && l.contactState === 'por_contactar');
    const comment = "'); DROP TABLE leads; -- <script>alert(1)</script>";
    const res = await h.post(`/api/leads/${target}/discard`, { reason: 'otro', comment });
    expect(res.status).toBe(200);
    const d = await h.json(`/api/leads/${target}`);
    expect(d.actions[0].data.comment).toBe(comment);
    expect(await sqlValue(h.app, 'SELECT count(*) FROM leads')).toBeGreaterThan(20);
  });

  it('unauthenticated hostile requests get 401, never 5xx', async () => {
    for (const value of INJECTIONS.slice(0, 6)) await expect4xx(`/api/leads?q=${encodeURIComponent(value)}`, { token: null });
    await expect4xx(`/api/leads/1/discard`, { method: 'POST', token: value401(), body: '{"__proto__":1}', headers: { 'Content-Type': 'application/json' } });
  });
});

/** The first seeded lead that matches, read through the storage port. */
async function seededLead(match: (l: LeadRow) => boolean): Promise<number> {
  for (const id of data.leadIds) {
    const l = await h.app.store.getLead(id);
    if (l && match(l)) return id;
  }
  throw new Error('no seeded lead matches');
}

const value401 = () => "' OR 1=1 --";

/** One request over a raw socket, for bytes fetch() refuses to send. */
function rawRequest(text: string): Promise<string> {
  const url = new URL(h.base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}
