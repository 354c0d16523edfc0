// Checks the throwaway Dovecot harness itself: login, APPEND/FETCH, seeding, restart, auth, IDLE.
import { noDovecot } from './helpers/tools.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';

function message(subject: string): Buffer {
  return Buffer.from(
    `From: portal@example.com\r\nTo: lead@test.local\r\nSubject: ${subject}\r\n` +
    `Message-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@example.com>\r\n\r\nHello ${subject}\r\n`,
  );
}

describe.skipIf(noDovecot())('dovecot test harness', () => {
  let dc: Dovecot;
  const open: ImapFlow[] = [];

  async function login(user = 'lead@test.local', pass = 'secret'): Promise<ImapFlow> {
    const client = new ImapFlow({ host: dc.host, port: dc.port, secure: false, auth: { user, pass }, logger: false });
    client.on('error', () => {}); // socket errors on shutdown must not crash the worker
    open.push(client);
    await client.connect();
    return client;
  }

  /** Subjects of a mailbox, in UID order, with their UIDs. */
  async function list(client: ImapFlow, box = 'INBOX'): Promise<{ uid: number; subject?: string }[]> {
    const lock = await client.getMailboxLock(box);
    try {
      const out = [];
      for await (const m of client.fetch('1:*', { uid: true, envelope: true })) {
        out.push({ uid: m.uid, subject: m.envelope?.subject });
      }
      return out.sort((a, b) => a.uid - b.uid);
    } finally {
      lock.release();
    }
  }

  beforeAll(async () => { dc = await startDovecot(); });
  afterAll(async () => {
    for (const c of open) c.close();
    await dc?.destroy();
  });

  it('APPENDs a message and fetches it back', async () => {
    const client = await login();
    await client.append('INBOX', message('First lead'));
    const msgs = await list(client);
    expect(msgs.map((m) => m.subject)).toEqual(['First lead']);
    await client.logout();
  });

  it('seeded Maildir files get UIDs in file order', async () => {
    dc.seedMaildir('lead2@test.local', ['Seed A', 'Seed B', 'Seed C'].map(message));
    const client = await login('lead2@test.local');
    const msgs = await list(client);
    expect(msgs.map((m) => m.subject)).toEqual(['Seed A', 'Seed B', 'Seed C']);
    expect(msgs.map((m) => m.uid)).toEqual([1, 2, 3]);
    await client.logout();
  });

  it('seeds into a folder too', async () => {
    dc.seedMaildir('lead2@test.local', [message('In folder')], 'Leads');
    const client = await login('lead2@test.local');
    expect((await list(client, 'Leads')).map((m) => m.subject)).toEqual(['In folder']);
    await client.logout();
  });

  it('keeps data across stop() and start() on the same port', async () => {
    const port = dc.port;
    await dc.stop();
    await expect(login()).rejects.toThrow(); // really down
    await dc.start();
    expect(dc.port).toBe(port);
    const client = await login();
    expect((await list(client)).map((m) => m.subject)).toEqual(['First lead']);
    await client.logout();
  });

  it('rejects a wrong password', async () => {
    const err: any = await login('lead@test.local', 'wrong').catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.authenticationFailed === true || err.responseStatus === 'NO').toBe(true);
  });

  it('an idling client gets an exists event after another client APPENDs', async () => {
    const watcher = await login();
    await watcher.mailboxOpen('INBOX');
    const exists = new Promise<{ path: string; count: number; prevCount: number }>((resolve) => {
      watcher.on('exists', resolve);
    });
    void watcher.idle(); // resolves only when IDLE ends (next command / logout)

    const writer = await login();
    await writer.append('INBOX', message('Pushed lead'));
    const ev = await exists;
    expect(ev.path).toBe('INBOX');
    expect(ev.count).toBe(ev.prevCount + 1);
    await writer.logout();
    await watcher.logout();
  });
});
