// Throwaway Dovecot 2.3 IMAP server for tests, started by the test itself.
// Port of /work/shared/reference/dovecot-throwaway.sh (see its measured notes).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync,
  readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface DovecotUser { user: string; password: string }

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  dir: string;
  users: DovecotUser[];
  /** Stop the server; mail data is kept. */
  stop(): Promise<void>;
  /** Start again on the same port with the same data. */
  start(): Promise<void>;
  /** Stop and remove `dir`. */
  destroy(): Promise<void>;
  /** Path of the user's Maildir (INBOX). */
  maildir(user: string): string;
  /** Write messages straight into Maildir/new (or Maildir/.<folder>/new); UIDs follow order. */
  seedMaildir(user: string, messages: Buffer[], folder?: string): void;
  /** End the user's IMAP sessions (`doveadm kick`), as Exchange does when a session's token expires; false when there was none. */
  kick(user: string): boolean;
}

const DEFAULT_USERS: DovecotUser[] = [
  { user: 'lead@test.local', password: 'secret' },
  { user: 'lead2@test.local', password: 'secret' },
];
const READY_TIMEOUT_MS = 10_000;
const STOP_KILL_AFTER_MS = 3_000;

function findBinary(): string | undefined {
  // /usr/sbin is often missing from a non-root PATH.
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.filter(Boolean).map((d) => path.join(d, 'dovecot')).find((p) => existsSync(p));
}

export function dovecotAvailable(): boolean {
  return findBinary() !== undefined;
}

// --- stray protection: every running master, killed on process exit ---------------------
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL master and children, no waiting.
  process.on('exit', () => {
    for (const child of running) {
      if (child.pid === undefined) continue;
      const kids = childPids(child.pid);
      killQuietly(child.pid, 'SIGKILL');
      for (const k of kids) killQuietly(k, 'SIGKILL');
    }
  });
}

// The 'exit' hook does not run when a vitest worker is killed (measured: forks and threads
// pools both left strays). A shell watching our pipe does: when this process dies in any way
// the pipe closes, `read` returns and the master and its children are SIGKILLed.
function watchdog(pid: number): ChildProcess {
  const script = 'trap "" INT; read -r _; kids=$(pgrep -P "$1"); kill -KILL "$1" $kids 2>/dev/null; exit 0';
  const dog = spawn('sh', ['-c', script, 'dovecot-watchdog', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => {}); // the pipe may be reset when the dog is disarmed
  dog.stdin!.on('error', () => {});
  dog.unref(); // neither the dog nor its pipe may keep the test process alive
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return dog;
}

// --- small helpers -------------------------------------------------------------------------
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when the port answers with an IMAP "* OK" greeting (open port alone is not enough). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('* OK'));
    });
    sock.on('end', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when the pid no longer exists or is a zombie (orphans may be reaped slowly by PID 1). */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// Which accounts Dovecot runs as. As root the userdb must not map to uid 0, so mail is owned
// by nobody/nogroup; otherwise everything runs as the current user.
function accounts() {
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  if (process.getuid?.() === 0) {
    return {
      mailUid: Number(run('id', ['-u', 'nobody'])),
      mailGid: Number(run('getent', ['group', 'nogroup']).split(':')[2]),
      loginUser: 'dovenull', internalUser: 'dovecot', internalGroup: 'dovecot',
    };
  }
  const me = os.userInfo().username;
  return {
    mailUid: process.getuid!(), mailGid: process.getgid!(),
    loginUser: me, internalUser: me, internalGroup: run('id', ['-gn']),
  };
}

/**
 * OAuth2 logins (XOAUTH2, OAUTHBEARER) checked by token introspection (RFC 7662) at this URL.
 * Dovecot POSTs only `token=`: a `%u` in the URL made 2.3.19's auth process panic (measured), so
 * the introspection answer must name the one user the token is for.
 */
export interface DovecotOAuth2 {
  introspectionUrl: string;
}

function oauth2Passdb(dir: string, o: DovecotOAuth2 | undefined): string {
  if (!o) return '';
  return `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/dovecot-oauth2.conf.ext
}
`;
}

function config(dir: string, port: number, a: ReturnType<typeof accounts>, oauth2?: DovecotOAuth2): string {
  // Minimal and self-contained: no !include of /etc/dovecot.
  return `instance_name = test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
protocols = imap
listen = 127.0.0.1
log_path = ${dir}/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2 ? ' xoauth2 oauthbearer' : ''}
# a wrong password is answered at once instead of after 2 s
auth_failure_delay = 0
default_login_user = ${a.loginUser}
default_internal_user = ${a.internalUser}
default_internal_group = ${a.internalGroup}
mail_location = maildir:~/Maildir
mail_fsync = optimized
# the daemon and tests open many connections from 127.0.0.1 (default is 10)
mail_max_userip_connections = 200
# keep-alive "* OK Still here" during IDLE every second (default 2 mins)
imap_idle_notify_interval = 1 secs
# fallback poll for mailbox changes if inotify does not fire (default 30 secs)
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users${oauth2 ? '\n  mechanisms = plain login' : ''}
}
${oauth2Passdb(dir, oauth2)}userdb {
  driver = static
  args = uid=${a.mailUid} gid=${a.mailGid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
  # no per-IP auth penalty: one wrong-password test must not slow later logins by 2-15 s
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

// --- the server -------------------------------------------------------------------------------
export async function startDovecot(opts: { users?: DovecotUser[]; oauth2?: DovecotOAuth2 } = {}): Promise<Dovecot> {
  const bin = findBinary();
  if (!bin) throw new Error('dovecot binary not found (apt-get install dovecot-imapd)');
  const users = opts.users ?? DEFAULT_USERS;
  const acc = accounts();
  const port = await freePort();

  // mkdtemp makes the dir 0700; the mail uid must be able to traverse it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dovecot-test-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'log', 'mail']) mkdirSync(path.join(dir, sub), { mode: 0o755 });
  chownSync(path.join(dir, 'mail'), acc.mailUid, acc.mailGid);
  const cfg = path.join(dir, 'dovecot.conf');
  writeFileSync(cfg, config(dir, port, acc, opts.oauth2));
  if (opts.oauth2) {
    // Dovecot POSTs token=<access token> and logs in when the answer's username is the login user.
    writeFileSync(path.join(dir, 'dovecot-oauth2.conf.ext'), `introspection_mode = post
introspection_url = ${opts.oauth2.introspectionUrl}
username_attribute = username
active_attribute = active
active_value = true
`);
  }
  writeFileSync(path.join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''));
  const logFile = path.join(dir, 'log', 'dovecot.log');
  const stderrFile = path.join(dir, 'log', 'stderr.log'); // config errors land here, before log_path is open

  let child: ChildProcess | undefined;
  let seedSeq = 0;

  const failure = (why: string) => new Error(
    `dovecot ${why} (port ${port}, dir ${dir})\n--- stderr ---\n${tail(stderrFile)}\n--- dovecot.log ---\n${tail(logFile)}`);

  async function start(): Promise<void> {
    if (child) return;
    installExitHook();
    const errFd = openSync(stderrFile, 'a');
    const c = spawn(bin!, ['-F', '-c', cfg], { detached: false, stdio: ['ignore', 'ignore', errFd] });
    closeSync(errFd); // the child has its own copy
    child = c;
    running.add(c);
    const dog = watchdog(c.pid!);
    let exited = false;
    c.once('exit', () => {
      exited = true;
      running.delete(c);
      dog.kill('SIGKILL'); // the master is gone: disarm (closing its stdin would fire it)
      if (child === c) child = undefined;
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await greets(port))) {
      if (exited) throw failure(`exited during startup (code ${c.exitCode})`);
      if (Date.now() > deadline) {
        await stop();
        throw failure(`gave no "* OK" greeting within ${READY_TIMEOUT_MS} ms`);
      }
      await sleep(20);
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.pid === undefined) return;
    const pid = c.pid;
    // An imap process busy with a command can outlive the master: reap children too.
    const kids = childPids(pid);
    const exited = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), STOP_KILL_AFTER_MS);
    await exited; // ~1.1 s: the master sleeps 1 s for its log child
    clearTimeout(timer);
    for (const k of kids) killQuietly(k, 'SIGKILL');
    // Make sure nothing still holds the listening socket before a restart on the same port.
    while (!kids.every(isGone)) await sleep(10);
    child = undefined;
  }

  async function destroy(): Promise<void> {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const maildir = (user: string) => path.join(dir, 'mail', user, 'Maildir');

  function seedMaildir(user: string, messages: Buffer[], folder?: string): void {
    const home = path.join(dir, 'mail', user);
    const box = folder ? path.join(maildir(user), `.${folder}`) : maildir(user);
    const created = [home, maildir(user), box, ...['new', 'cur', 'tmp'].map((s) => path.join(box, s))];
    for (const d of created) mkdirSync(d, { recursive: true });
    if (folder) writeFileSync(path.join(box, 'maildirfolder'), '');
    // Fixed-width "<secs>.M<seq>P<pid>" names sort in seeding order, also across calls.
    const secs = Math.floor(Date.now() / 1000);
    const written = messages.map((msg) => {
      const file = path.join(box, 'new', `${secs}.M${String(++seedSeq).padStart(9, '0')}P${process.pid}.seed`);
      writeFileSync(file, msg);
      return file;
    });
    for (const p of [...created, ...written, ...(folder ? [path.join(box, 'maildirfolder')] : [])]) {
      chownSync(p, acc.mailUid, acc.mailGid);
    }
  }

  function kick(user: string): boolean {
    const doveadm = path.join(path.dirname(bin!), 'doveadm');
    try {
      execFileSync(existsSync(doveadm) ? doveadm : 'doveadm', ['-c', cfg, 'kick', user], { stdio: 'ignore' });
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 68) return false; // EX_NOUSER: no session to end
      throw e;
    }
  }

  await start();
  return { host: '127.0.0.1', port, dir, users, stop, start, destroy, maildir, seedMaildir, kick };
}
