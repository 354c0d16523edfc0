// At most one duplicate notification per crash (README, Notifications): a real child process
// sending the outbox to a real SMTP receiver is killed -9 while the server holds a message it has
// received but not yet acknowledged (a server that commits, then the sender dies before the 250).
// Restarted on the same SQLite file, it sends that one message again (same Message-ID) and no other.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { NotificationStore } from '../src/outbox/notification-store.ts';
import { closeSharedPools } from '../src/workers/pool.ts';
import { REPO } from './helpers/daemon-env.ts';
import { startSmtp, until } from './helpers/smtp-receiver.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'notify-crash-'));
const db = path.join(dir, 'c.db');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await closeSharedPools();
  rmSync(dir, { recursive: true, force: true });
});

const ROWS = 20;
const KILL_AT = [3, 9, 15]; // the n-th message received (duplicates included) is held and the sender killed

describe('notifications and kill -9', () => {
  it('each kill repeats at most the one email in flight', async () => {
    let kill: (() => void) | null = null;
    const held: string[] = [];
    const smtp = await startSmtp({
      accept: (m) => {
        if (!KILL_AT.includes(smtp.mails.length)) return true;
        held.push(m.messageId!);
        kill!();
        return false; // the sender never gets its 250
      },
    });
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      country: 'CL',
      parsersDir: path.join(REPO, 'parsers'),
      admin: { token: 'test-token-0123456789abcdef012345' },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'Centralizer <leads@inmobiliaria.example.cl>' },
      projects: [{ name: 'Parque Los Robles', vendors: [{ id: 'ana', name: 'Ana', email: 'ana@inmobiliaria.example.cl' }] }],
    }));
    // The queue, written before any sender runs.
    const seed = await createApp(parseConfig(JSON.stringify({ country: 'CL', parsersDir: path.join(REPO, 'parsers'), projects: [] }), 'seed.json', {}), createLogger('silent'), { dbPath: db });
    const store = new NotificationStore(seed.store, seed.reads.notifications);
    for (let i = 0; i < ROWS; i++) await store.enqueue({ key: `crash-${i}`, kind: 'assignment', recipient: 'ana@inmobiliaria.example.cl', subject: `Lead ${i}`, text: `lead ${i}`, createdAt: Date.now() }, Date.now());
    seed.close();

    const start = () => {
      const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/notify-child.ts', configFile, db], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += String(d)));
      return { child, out: () => out };
    };
    const firstOfRun: string[] = [];
    for (let run = 0; run < KILL_AT.length; run++) {
      const before = smtp.mails.length;
      const { child } = start();
      const exited = once(child, 'exit');
      kill = () => child.kill('SIGKILL');
      await until(`kill ${run + 1}`, smtp.events, 'mail', () => held.length === run + 1, 60_000);
      const [, signal] = (await exited) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
      if (run > 0) firstOfRun.push(smtp.mails[before].messageId!);
    }
    // The last run: everything goes out.
    const last = start();
    const before = smtp.mails.length;
    await until('the whole queue sent', last.child.stdout!, 'data', () => last.out().includes(`sent ${ROWS}\n`), 60_000);
    firstOfRun.push(smtp.mails[before].messageId!);
    last.child.kill('SIGKILL');

    const ids = smtp.mails.map((m) => m.messageId!);
    const distinct = new Set(ids);
    expect(distinct.size).toBe(ROWS);
    // One duplicate per kill, and it is the held message, sent first after the restart.
    expect(ids.length - distinct.size).toBe(KILL_AT.length);
    expect(firstOfRun).toEqual(held);
    for (const id of held) expect(ids.filter((x) => x === id)).toHaveLength(2);
    expect(smtp.maxOpen()).toBe(1); // never two messages in flight, so never two to repeat
    const check = new Database(db, { readonly: true });
    expect(check.prepare("SELECT status, count(*) n FROM notifications GROUP BY status").all()).toEqual([{ status: 'sent', n: ROWS }]);
    check.close();
    await smtp.close();
  }, 180_000);
});
