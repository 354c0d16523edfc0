import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, counts } from './helpers/daemon-env.ts';
import { rut } from './helpers/mail.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'intake-daemon-'));
const db = path.join(dir, 'centralizer.db');
const file = path.join(dir, 'centralizer.yaml');
writeFileSync(
  file,
  stringify({
    country: 'CL',
    projects: [{ name: 'Parque Los Robles', aliases: ['PLR'] }],
    parsersDir: path.join(REPO, 'parsers'),
    admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789abcdef012345' },
    database: { path: db },
    log: { level: 'info' },
    intake: { host: '127.0.0.1', port: 0, forms: [{ id: 'contacto', key: 'key-contacto-1234', project: 'Parque Los Robles' }] },
  }),
);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `centralizer run`; resolves with the intake listener's URL from its log. */
function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/centralizer.js', 'run', '--config', file, '--db', db], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no intake listener in the log: ${out}`)), 20_000);
    const read = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*intake listener listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout!.on('data', read); // the log goes to either stream, depending on the logger setup
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
  });
}

const post = (url: string) =>
  fetch(`${url}/intake/forms/contacto`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-form-key': 'key-contacto-1234', 'idempotency-key': 'once-only', prefer: 'wait=20' },
    body: JSON.stringify({ nombre: 'Ana Soto', rut: rut(12345678), email: 'ana.soto@correo.cl', telefono: '+56 9 8765 4321' }),
  });

describe('the daemon with intake configured', () => {
  it('a kill -9 right after the 202 loses nothing; a repeated Idempotency-Key gives the same lead', async () => {
    // One daemon start only: on this machine a start costs seconds (the worker pool warms up).
    const { child, url } = await start();
    const res = await post(url);
    expect(res.status).toBe(202);
    const { leadId } = (await res.json()) as { leadId: number };
    const again = (await (await post(url)).json()) as { leadId: number; duplicate: boolean };
    child.kill('SIGKILL');
    expect(again).toEqual({ leadId, duplicate: true });
    expect(counts(db)).toMatchObject({ raw: 1, leads: 1, pending: 0 });
  }, 60_000);
});
