// `centralizer users …` through the real entry point, against a real SQLite file: clear errors
// with exit 2, passwords from stdin or the environment only, a token printed once on the last line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-users-'));
const db = path.join(dir, 'users.db');
const config = path.join(dir, 'config.yaml');
fs.writeFileSync(config, [
  'country: CL',
  `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`,
  'projects:',
  '  - name: Parque Los Robles',
  '    vendors:',
  '      - {id: v1, name: Vera Díaz}',
  '      - {id: v2, name: Hugo Pérez}',
  '',
].join('\n'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], stdin = '', env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    // `config apply` writes the config's projects and vendors; users refer to them.
    const io = { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never };
    const code = await main([...args, '--config', config, '--db', db], io, Readable.from([stdin]) as never);
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

describe('users CLI', () => {
  it('adds users of every role, reading the password from stdin or --password-env', async () => {
    expect((await run(['config', 'apply'])).code).toBe(0);
    let r = await run(['users', 'add', 'Admin@Inmo.cl', '--role', 'admin', '--name', 'Ada Admin'], 'una-clave-muy-segura\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usuario admin@inmo\.cl creado \(admin\)/);
    r = await run(['users', 'add', 'vera@inmo.cl', '--role', 'vendedor', '--vendor', 'v1', '--password-env', 'VERA_PW'], '', { VERA_PW: 'otra-clave-bien-larga' });
    expect(r.code, r.err).toBe(0);
    r = await run(['users', 'add', 'sup@inmo.cl', '--role', 'supervisor', '--team', 'v1,v2'], 'tercera-clave-larga\n');
    expect(r.code, r.err).toBe(0);
    r = await run(['users', 'add', 'ger@inmo.cl', '--role', 'gerente', '--projects', 'Parque Los Robles'], 'cuarta-clave-larga\n');
    expect(r.code, r.err).toBe(0);
    const list = (await run(['users', 'list'])).out.trim().split('\n');
    expect(list.map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual(['admin@inmo.cl admin', 'ger@inmo.cl gerente', 'sup@inmo.cl supervisor', 'vera@inmo.cl vendedor']);
    expect(list.join('\n')).not.toMatch(/scrypt|clave/);
  });

  it('refuses bad input with a clear message and exit 2', async () => {
    const cases: [string[], string, RegExp][] = [
      [['users', 'add', 'x@inmo.cl', '--role', 'vendedor'], 'una-clave-muy-segura\n', /necesita --vendor/],
      [['users', 'add', 'x@inmo.cl', '--role', 'vendedor', '--vendor', 'v9'], 'una-clave-muy-segura\n', /vendedor desconocido "v9"/],
      [['users', 'add', 'x@inmo.cl', '--role', 'jefe'], 'una-clave-muy-segura\n', /rol desconocido "jefe"/],
      [['users', 'add', 'x@inmo.cl', '--role', 'admin'], 'corta\n', /al menos 10 caracteres/],
      [['users', 'add', 'x@inmo.cl', '--role', 'admin'], 'password123\n', /demasiado común/],
      [['users', 'add', 'x@inmo.cl', '--role', 'admin'], '', /falta la contraseña/],
      [['users', 'add', 'no-es-email', '--role', 'admin'], 'una-clave-muy-segura\n', /no es un email válido/],
      [['users', 'add', 'admin@inmo.cl', '--role', 'admin'], 'una-clave-muy-segura\n', /ya existe/],
      [['users', 'add', 'x@inmo.cl', '--role', 'gerente', '--projects', 'Torre Nada'], 'una-clave-muy-segura\n', /proyecto desconocido "Torre Nada"/],
      [['users', 'disable', 'nadie@inmo.cl'], '', /no existe un usuario/],
      [['users', 'add', 'x@inmo.cl', '--role', 'admin', '--password-env', 'NO_SUCH_VAR_X'], '', /NO_SUCH_VAR_X no está definida/],
      [['users', 'token', 'admin@inmo.cl'], '', /--label/],
    ];
    for (const [args, stdin, message] of cases) {
      const r = await run(args, stdin);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect((await run(['users', 'list'])).out).not.toContain('x@inmo.cl');
  });

  it('prints a personal token once, alone on the last line; lists and revokes it', async () => {
    const r = await run(['users', 'token', 'vera@inmo.cl', '--label', 'celular']);
    expect(r.code, r.err).toBe(0);
    const last = r.out.trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^ctz_[\w-]{43}$/);
    const dbText = fs.readFileSync(db).toString('latin1');
    expect(dbText).not.toContain(last); // stored as a hash only
    expect((await run(['users', 'token', 'vera@inmo.cl', '--label', 'celular'])).code).toBe(2); // one live token per label
    expect((await run(['users', 'tokens', 'vera@inmo.cl'])).out).toMatch(/^celular\tcreado \d{4}-\d\d-\d\d \d\d:\d\d\túltimo uso -\n$/);
    expect((await run(['users', 'revoke', 'vera@inmo.cl', 'celular'])).code).toBe(0);
    expect((await run(['users', 'tokens', 'vera@inmo.cl'])).out).toMatch(/\trevocado /);
    expect((await run(['users', 'revoke', 'vera@inmo.cl', 'celular'])).code).toBe(2);
  });

  it('disables and enables; changes a password', async () => {
    expect((await run(['users', 'disable', 'vera@inmo.cl'])).out).toMatch(/usuario vera@inmo\.cl desactivado/);
    expect((await run(['users', 'list'])).out).toMatch(/vera@inmo\.cl\tvendedor\tvera\tv1\tdesactivado/);
    expect((await run(['users', 'enable', 'vera@inmo.cl'])).code).toBe(0);
    expect((await run(['users', 'password', 'vera@inmo.cl'], 'corta\n')).code).toBe(2);
    expect((await run(['users', 'password', 'vera@inmo.cl'], 'clave-renovada-123\n')).code).toBe(0);
  });
});

describe('the CLI speaks Spanish', () => {
  it('its help and usage errors, as its results and other errors do', async () => {
    const help = await run(['--help']);
    const unknown = await run(['nope']);
    const users = await run(['users']);
    const text = [help.out, help.err, unknown.err, users.err].join('\n');
    expect(text).toContain('uso: centralizer <comando> [opciones]');
    expect(unknown.err).toContain('comando desconocido: "nope"');
    expect(users.code).toBe(2);
    expect(text).not.toMatch(/\b(usage|commands|unknown|the daemon|every|options)\b/i);
  });
});
