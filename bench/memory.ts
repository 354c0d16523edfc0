// Memory of the daemon: resident size per pipeline worker thread, and the peak with one 25 MB email.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Dovecot } from '../test/helpers/dovecot.ts';
import { startDaemonProcess, type DaemonProcess } from './daemon-process.ts';
import { leadEmail, rng } from './generate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (d: DaemonProcess) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${d.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** A lead email (multipart/alternative) wrapped with a ~`mb` MB PDF attachment, just under the 25 MB bound. */
export function bigEmail(mb: number): Buffer {
  const lead = leadEmail(999_999, rng(5), 'big').raw.toString('latin1');
  const split = lead.indexOf('\r\n\r\n');
  const headers = lead.slice(0, split).split('\r\n');
  const alternative = headers.find((h) => /^content-type:/i.test(h))!;
  const head = headers.map((h) => (h === alternative ? 'Content-Type: multipart/mixed; boundary="BIG"' : h));
  const pdf = Buffer.alloc(Math.floor(mb * 1024 * 1024 * 0.74), 0x25).toString('base64').replace(/.{76}/g, '$&\r\n');
  const attachment = ['Content-Type: application/pdf; name=plano.pdf', 'Content-Disposition: attachment; filename=plano.pdf', 'Content-Transfer-Encoding: base64', '', pdf];
  const body = ['--BIG', alternative, '', lead.slice(split + 4), '--BIG', ...attachment, '--BIG--', ''];
  return Buffer.from([...head, '', ...body].join('\r\n'), 'latin1');
}

async function deliver(dc: Dovecot, user: string, mails: Buffer[]): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: dc.port, secure: false, auth: { user, pass: 'secret' }, logger: false });
  await c.connect();
  for (const m of mails) await c.append('INBOX', m);
  await c.logout();
}

async function leads(d: DaemonProcess): Promise<number> {
  return ((await (await d.api('/api/stats')).json()) as { total: number }).total;
}

async function waitLeads(d: DaemonProcess, n: number): Promise<void> {
  const t = Date.now();
  while ((await leads(d)) < n) {
    if (Date.now() - t > 120_000) throw new Error(`memory: ${n} leads not reached in 2 min`);
    await sleep(100);
  }
}

/**
 * RSS after 200 emails with 1 and with 2 workers (the difference is one worker's share), then the
 * peak while one 25 MB email goes through with one worker.
 */
export async function memory(dc: Dovecot, dir: string, config: (user: string, workers: number) => Promise<Record<string, unknown>>, say: (s: string) => void) {
  const random = rng(21);
  const rss: Record<number, number> = {};
  for (const size of [1, 2]) {
    const user = `mem${size}@test.local`;
    const d = await startDaemonProcess(dir, await config(user, size), path.join(dir, `memory-${size}.log`));
    await deliver(dc, user, Array.from({ length: 200 }, (_, i) => leadEmail(500_000 + size * 1000 + i, random, 'mem').raw));
    await waitLeads(d, 200);
    await sleep(2000); // let the collector settle
    rss[size] = rssMb(d);
    say(`  ${size} worker(s): RSS ${rss[size]} MB after 200 emails (peak ${d.peakRssMb()} MB)`);
    await d.stop();
  }
  const user = 'membig@test.local';
  const d = await startDaemonProcess(dir, await config(user, 1), path.join(dir, 'memory-big.log'));
  await deliver(dc, user, [leadEmail(600_000, random, 'mem').raw]);
  await waitLeads(d, 1);
  const before = d.peakRssMb();
  const big = bigEmail(24);
  await deliver(dc, user, [big]);
  await waitLeads(d, 2);
  const after = d.peakRssMb();
  say(`  one ${(big.length / 2 ** 20).toFixed(1)} MB email: peak RSS ${before} -> ${after} MB`);
  await d.stop();
  return { rssOneWorkerMb: rss[1], rssTwoWorkersMb: rss[2], rssPerWorkerMb: rss[2] - rss[1], bigEmailMb: Math.round((big.length / 2 ** 20) * 10) / 10, peakBeforeBigMb: before, peakAfterBigMb: after };
}
