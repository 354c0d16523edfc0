// A big message (a lead with a PDF, over 2 MB) is read from a real Dovecot in pieces into one
// buffer of its size: stored byte for byte, then a lead, beside small ones in the same batch.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startDaemon } from '../src/daemon/daemon.ts';
import { createLogger } from '../src/logger.ts';
import { bigEmail } from '../bench/memory.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { appendAll, counts, testEnv, waitFor } from './helpers/daemon-env.ts';
import { leadMail } from './helpers/lead-mail.ts';
import { noDovecot } from './helpers/tools.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(noDovecot())('big messages from IMAP', () => {
  let dc: Dovecot;
  beforeAll(async () => {
    dc = await startDovecot({ users: [{ user: 'big@test.local', password: 'secret' }] });
  });
  afterAll(async () => {
    await dc?.destroy();
  });

  it('a 5 MB lead between two small ones: stored byte for byte, all three leads', async () => {
    const big = bigEmail(5);
    const small = [leadMail('big-a', 1).raw, leadMail('big-b', 2).raw];
    await appendAll(dc, 'big@test.local', [small[0], big, small[1]]);
    const env = testEnv(dc, [{ name: 'big', user: 'big@test.local' }]);
    const app = await createApp(loadConfig(env.file).config, createLogger('silent'), { dbPath: env.db });
    const daemon = await startDaemon(app);
    try {
      await waitFor('three leads', () => counts(env.db).leads === 3);
      const db = new Database(env.db, { readonly: true });
      // The body in its pieces, joined in order (a 3 MB email is three rows of raw_bodies).
      const rows = db.prepare('select r.sha256, r.size, r.status, (select count(*) from raw_bodies b where b.raw_email_id = r.id) pieces from raw_emails r order by uid').all() as { sha256: string; size: number; status: string; pieces: number }[];
      const bodies = rows.map((_, i) => Buffer.concat(db.prepare('select chunk from raw_bodies where raw_email_id = (select id from raw_emails order by uid limit 1 offset ?) order by seq').pluck().all(i) as Buffer[]));
      db.close();
      expect(rows.map((r) => r.status)).toEqual(['lead', 'lead', 'lead']);
      expect(rows[1].size).toBe(big.length);
      expect(sha(bodies[1])).toBe(sha(big));
      expect(rows[1].pieces).toBe(Math.ceil(big.length / (1024 * 1024)));
      expect(rows[1].sha256).toBe(sha(big));
    } finally {
      await daemon.stop();
      await app.close();
      env.cleanup();
    }
  });
});
