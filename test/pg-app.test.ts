import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

// The whole program on PostgreSQL: `database.url` (here CENTRALIZER_DATABASE_URL) instead of a file.

const lines = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const essentials = (r: Record<string, unknown>) => ({ file: r.file, parser: r.parser, quality: r.quality, fields: r.fields, problems: r.problems, client: r.clientId !== null, followUp: r.followUpAt !== null });

describe.skipIf(noPostgres())('the program on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-app-'));
  });
  afterAll(async () => {
    delete process.env.CENTRALIZER_DATABASE_URL;
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replay of the shipped fixtures gives the same parsers, qualities and fields as on SQLite; a second replay changes nothing', async () => {
    const args = ['replay', 'fixtures', '--json', '--config', 'fixtures/config.yaml'];
    const onSqlite = await runCli([...args, '--db', path.join(dir, 'ref.db')]);
    expect(onSqlite.code).toBe(0);
    process.env.CENTRALIZER_DATABASE_URL = db.url;
    try {
      const onPg = await runCli(args);
      expect(onPg.stderr).not.toMatch(/error/i);
      expect(onPg.code).toBe(0);
      const a = lines(onSqlite.stdout).map(essentials);
      const b = lines(onPg.stdout).map(essentials);
      expect(b.length).toBeGreaterThan(100);
      expect(b).toEqual(a);
      const again = lines((await runCli(args)).stdout);
      expect(again.filter((r) => r.duplicate !== true).map((r) => r.file)).toEqual([]);
    } finally {
      delete process.env.CENTRALIZER_DATABASE_URL;
    }
  }, 180_000); // three replays of every shipped fixture in child processes: 18 s alone, more beside other suites
});
