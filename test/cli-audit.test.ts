// The command line's changes are audited like the page's: in the unit of work that makes them,
// naming the operator (`cli:<OS user>`). A real SQLite file, the real `centralizer` entry point.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-audit-'));
const db = path.join(dir, 'test.db');
const config = path.join(dir, 'config.yaml');
fs.writeFileSync(config, [
  'country: CL', 'timezone: America/Santiago', `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`, 'projects:', '  - name: Parque Los Robles', '    vendors:',
  '      - {id: v1, name: Vera Díaz, type: lp}', '      - {id: v2, name: Hugo Pérez, type: lp}', '',
].join('\n'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli([...args, '--config', config, '--db', db]);

const audit = (action: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT actor, object_type AS type, object_id AS id, data FROM audit WHERE action = ? ORDER BY id').all(action) as { actor: string; type: string; id: string; data: string }[])
      .map((a) => ({ ...a, data: JSON.parse(a.data) }));
  } finally {
    d.close();
  }
};

describe('the CLI audits its changes', () => {
  const operator = `cli:${os.userInfo().username}`;

  it('vendors retire: the retirement and its entry, naming the operator', async () => {
    const r = await run('vendors', 'retire', 'v1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(audit('vendor.retire')).toEqual([{ actor: operator, type: 'vendor', id: 'v1', data: { moved: 0, to: {}, retired: true } }]);
    // A refused one (no such vendor) changes nothing, so it writes no entry.
    const again = await run('vendors', 'retire', 'nadie');
    expect(again.code).toBe(1);
    expect(audit('vendor.retire')).toHaveLength(1);
  });

  it('purge: the raw bodies removed and an entry with the date and the count', async () => {
    const r = await run('purge', '--before', '2020-01-01');
    expect(r.code).toBe(0);
    expect(audit('raw.purge')).toEqual([{ actor: operator, type: 'raw_emails', id: null, data: { before: '2020-01-01T00:00:00.000Z', purged: 0 } }]);
  });
});
