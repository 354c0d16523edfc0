import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { formEmail, rut } from './helpers/mail.ts';

// The live daemon's config (a.yaml) and another one someone replays with (b.yaml).
let dir: string;
const file = (name: string) => path.join(dir, name);
const cfg = (projects: string) => `country: CL\nparsersDir: ${process.cwd()}/parsers\nprojects:\n${projects}`;
const A = cfg('  - name: Parque Los Robles\n    aliases: [PLR]\n    vendors: [{id: v1, name: Vera}, {id: v2, name: Hugo}]\n');
const B = cfg('  - name: Torre Nueva\n    aliases: [TN]\n    vendors: [{id: v9, name: Otro}]\n  - name: Parque Los Robles\n    aliases: [PLR]\n');

const lead = (project: string, n: number) =>
  formEmail({ lines: { Nombre: 'Ana Soto', RUT: rut(12345670 + n), Correo: `ana${n}@correo.cl`, Fono: '+56 9 8765 4321', Proyecto: project } });

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never });
  return { code, out, err };
}

/** Active projects and vendors of a database, read through the storage module. */
async function state(db: string) {
  const app = await createApp(parseConfig(A, 'a.yaml', {}), createLogger('silent'), { dbPath: db });
  try {
    return {
      projects: await app.reads.queries.projectNames(),
      vendors: (await app.reads.vendors.list()).filter((v) => v.active).map((v) => v.id).sort(),
    };
  } finally {
    app.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-'));
  fs.writeFileSync(file('a.yaml'), A);
  fs.writeFileSync(file('b.yaml'), B);
  fs.mkdirSync(file('mail'));
  fs.writeFileSync(file('mail/1.eml'), lead('PLR', 1));
  fs.writeFileSync(file('mail/2.eml'), lead('TN', 2));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('only run and `config apply` write projects and vendors', () => {
  it('`config apply` writes them and says what changed', async () => {
    const r = await run('config', 'apply', '--config', file('a.yaml'), '--db', file('live.db'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\(base de datos nueva\)/);
    expect(r.out).toMatch(/proyectos: +1 activos/);
    expect(r.out).toMatch(/vendedores: +2 activos/);
    expect(await state(file('live.db'))).toEqual({ projects: ['Parque Los Robles'], vendors: ['v1', 'v2'] });
  });

  it('replay with another config against the live database changes neither projects nor vendors', async () => {
    const r = await run('replay', file('mail'), '--json', '--config', file('b.yaml'), '--db', file('live.db'));
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    // Parque Los Robles is in both: matched, with the live vendors; Torre Nueva is only in b.yaml.
    expect(lines[0]).toMatchObject({ quality: 'bueno', fields: { project: 'Parque Los Robles' } });
    expect(['v1', 'v2']).toContain(lines[0].owner);
    expect(lines[1].quality).toBe('con_problemas');
    expect(lines[1].problems).toContain('project.unmatched');
    expect(await state(file('live.db'))).toEqual({ projects: ['Parque Los Robles'], vendors: ['v1', 'v2'] });
  });

  it('a command on a database with projects warns about the config\'s projects it lacks', async () => {
    const lines: string[] = [];
    const log = createLogger('warn', { write: (s: string) => lines.push(s) } as never);
    const app = await createApp(parseConfig(B, 'b.yaml', {}), log, { dbPath: file('live.db') });
    app.close();
    expect(lines.join('')).toMatch(/"projects":\["Torre Nueva"\].*config apply/);
  });

  it('`config apply` with the other config deactivates what it leaves out, and names it', async () => {
    const r = await run('config', 'apply', '--config', file('b.yaml'), '--db', file('live.db'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 agregados: Torre Nueva/);
    expect(r.out).toMatch(/2 desactivados: v1, v2/);
    expect(await state(file('live.db'))).toEqual({ projects: ['Parque Los Robles', 'Torre Nueva'], vendors: ['v9'] });
  });

  it('a fresh database (a new --db, or --dry-run) takes the config\'s projects so the replay can match them', async () => {
    const fresh = await run('replay', file('mail/2.eml'), '--json', '--config', file('b.yaml'), '--db', file('fresh.db'));
    expect(JSON.parse(fresh.out)).toMatchObject({ quality: 'bueno', fields: { project: 'Torre Nueva' }, owner: 'v9' });
    const dry = await run('replay', file('mail/1.eml'), '--json', '--dry-run', '--config', file('a.yaml'));
    expect(JSON.parse(dry.out)).toMatchObject({ quality: 'bueno', fields: { project: 'Parque Los Robles' } });
  });

  it('`config` without `apply` is a usage error', async () => {
    expect((await run('config', '--config', file('a.yaml'), '--db', file('x.db'))).code).toBe(2);
  });
});
