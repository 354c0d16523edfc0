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
      const rows = db.prepare('select sha256, size, status, raw from raw_emails order by uid').all() as { sha256: string; size: number; status: string; raw: Buffer }[];
      db.close();
      expect(rows.map((r) => r.status)).toEqual(['lead', 'lead', 'lead']);
      expect(rows[1].size).toBe(big.length);
      expect(sha(rows[1].raw)).toBe(sha(big));
      expect(rows[1].sha256).toBe(sha(big));
    } finally {
      await daemon.stop();
      await app.close();
      env.cleanup();
    }
  });
});
