import { sqliteStore } from './sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createIntakeServer, type IntakeOptions, type IntakeServer } from '../../src/intake/server.ts';
import { testConfig } from './mail.ts';

export interface IntakeHarness {
  app: App;
  server: IntakeServer;
  url: string;
  count(table: string): number;
  close(): Promise<void>;
}

/** A real app on a temporary SQLite file and an intake listener on 127.0.0.1 (random port). */
export async function startIntake(intakeYaml: string, opts: Partial<IntakeOptions> = {}): Promise<IntakeHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-intake-'));
  const app = await createApp(testConfig(intakeYaml), createLogger('silent'), { dbPath: path.join(dir, 'test.db') });
  const server = createIntakeServer(app, { log: createLogger('silent'), ...opts });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    app,
    server,
    url: `http://127.0.0.1:${port}`,
    count: (table) => (sqliteStore(app).sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n,
    async close() {
      await server.close();
      app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
