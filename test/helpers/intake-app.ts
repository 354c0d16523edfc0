import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createIntakeServer, type IntakeOptions, type IntakeServer } from '../../src/intake/server.ts';
import { value } from './db-rows.ts';
import { testConfig } from './mail.ts';
import { createTestDatabase } from './postgres.ts';
import { noPostgres } from './tools.ts';

export interface IntakeHarness {
  app: App;
  server: IntakeServer;
  url: string;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A real app on a temporary SQLite file (or a fresh PostgreSQL database with
 * CENTRALIZER_TEST_DB=postgres) and an intake listener on 127.0.0.1 (random port).
 */
export async function startIntake(intakeYaml: string, opts: Partial<IntakeOptions> = {}): Promise<IntakeHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-intake-'));
  const postgres = process.env.CENTRALIZER_TEST_DB === 'postgres';
  if (postgres) noPostgres();
  const pgDb = postgres ? await createTestDatabase() : null;
  // On PostgreSQL the spool's default is under the working directory: this run's own instead.
  const config = testConfig(pgDb ? `${intakeYaml}\ndatabase:\n  url: ${pgDb.url}\nspool:\n  dir: ${JSON.stringify(path.join(dir, 'spool'))}\n` : intakeYaml);
  const app = await createApp(config, createLogger('silent'), pgDb ? {} : { dbPath: path.join(dir, 'test.db') });
  const server = createIntakeServer(app, { log: createLogger('silent'), ...opts });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    app,
    server,
    url: `http://127.0.0.1:${port}`,
    count: (table) => value(app, `select count(*) n from ${table}`),
    async close() {
      await server.close();
      await app.close();
      await pgDb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
