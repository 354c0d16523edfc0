// Two `centralizer run` processes on one PostgreSQL database and one Dovecot with four mailboxes:
// each mailbox is polled by one daemon at a time (per-mailbox leases); one daemon is killed -9
// midway and the other takes its mailboxes over; every email becomes exactly one lead.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, testEnv, waitFor } from './helpers/daemon-env.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { leadMails } from './helpers/lead-mail.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noDovecot, noPostgres } from './helpers/tools.ts';

const MAILBOXES = ['m1', 'm2', 'm3', 'm4'];
const PER_MAILBOX = 500;
const TOKEN = 'test-token-0123456789abcdef012345';

describe.skipIf(noPostgres() || noDovecot())('several daemons on one PostgreSQL database', () => {
  let dc: Dovecot;
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dc = await startDovecot({ users: MAILBOXES.map((m) => ({ user: `${m}@test.local`, password: 'secret' })) });
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await client?.end();
    await db?.drop();
    await dc?.destroy();
  });

  const count = async () => {
    const r = await client.query<{ raw: number; leads: number; distinct_raw: number; pending: number }>(
      `select (select count(*) from raw_emails)::int raw, (select count(*) from leads)::int leads,
              (select count(distinct raw_email_id) from leads)::int distinct_raw, (select count(*) from raw_emails where status = 'pending')::int pending`,
    ).catch(() => ({ rows: [{ raw: 0, leads: 0, distinct_raw: 0, pending: 0 }] }));
    return r.rows[0];
  };
  const holders = async () => (await client.query<{ name: string; owner: string }>("select name, owner from leases where name like 'mailbox:%' order by name").catch(() => ({ rows: [] }))).rows;

  it('2,000 emails in four mailboxes, one daemon killed -9 at 500 leads: exactly 2,000 leads, and the survivor holds every mailbox and keeps answering', async () => {
    for (const m of MAILBOXES) dc.seedMaildir(`${m}@test.local`, leadMails(`multi-${m}`, PER_MAILBOX).map((x) => x.raw));
    const env = testEnv(dc, MAILBOXES.map((m) => ({ name: m, user: `${m}@test.local` })), {
      database: { path: 'unused.db', url: db.url },
      spool: { dir: path.join(os.tmpdir(), `multi-daemon-spool-${process.pid}`) },
      log: { level: 'info' },
      projects: [{ name: 'Parque Los Robles', aliases: ['PLR'], vendors: [{ id: 'v1', name: 'Vera' }, { id: 'v2', name: 'Hugo' }] }],
    });
    const log = createWriteStream(path.join(env.dir, 'daemons.log'));
    const start = (name: string) => {
      const child = spawn(process.execPath, ['bin/centralizer.js', 'run', '--config', env.file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CENTRALIZER_LOG_FORMAT: 'json' } });
      children.push(child);
      let out = '';
      const admin = new Promise<string>((resolve) => {
        const onData = (d: Buffer) => {
          log.write(`[${name}] ${d}`);
          out += d.toString();
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*admin server listening/.exec(out);
          if (m) resolve(m[1]);
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      return { child, admin, exited };
    };

    const a = start('a');
    const b = start('b');
    const [, urlB] = await Promise.all([a.admin, b.admin]);
    // Both daemons run; each mailbox has exactly one holder.
    const split = await waitFor('all four mailboxes held', async () => ((await holders()).length === 4 ? holders() : null), 60_000, 100);
    expect(new Set(split.map((h) => h.name))).toEqual(new Set(MAILBOXES.map((m) => `mailbox:${m}`)));

    const atKill = await waitFor('500 leads before the kill', async () => {
      const c = await count();
      return c.leads >= 500 ? c : null;
    }, 120_000, 50);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(atKill.leads).toBeLessThan(2000);

    // The survivor keeps answering while it takes the dead daemon's mailboxes over.
    const health = await fetch(`${urlB}/healthz`);
    expect(health.status).toBeLessThan(600);
    const done = await waitFor('2,000 leads', async () => {
      const c = await count();
      return c.leads >= 2000 && c.pending === 0 ? c : null;
    }, 180_000, 200);
    expect(done).toEqual({ raw: 2000, leads: 2000, distinct_raw: 2000, pending: 0 });

    const owners = new Set((await holders()).map((h) => h.owner));
    expect(owners.size).toBe(1); // the survivor holds all four
    const healthz = (await (await fetch(`${urlB}/healthz`)).json()) as { mailboxes: { name: string; state: string; heldBy?: string }[] };
    expect(healthz.mailboxes.map((m) => m.state).filter((s) => s === 'elsewhere')).toEqual([]);
    const stats = (await (await fetch(`${urlB}/api/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { total: number };
    expect(stats.total).toBe(2000);

    b.child.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });
    env.cleanup();
  }, 420_000); // two daemons and 2,000 emails on two shared cores: minutes under load, seconds alone
});
