// Unknown config keys are refused (file:line and the closest known key), at start and on reload;
// a reload that would deactivate every vendor is refused and the running configuration stays.
import { sqliteStore } from './helpers/sqlite-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { ConfigError, closestKey, loadConfig, parseConfig } from '../src/config.ts';
import { readConfigForReload } from '../src/daemon/watch.ts';
import { VendorQueries } from '../src/db/sqlite/vendor-queries.ts';
import { createLogger } from '../src/logger.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'config-strict-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const PARSERS = path.resolve('parsers');
const refusal = (text: string, file = 'c.yaml'): ConfigError => {
  try {
    parseConfig(text, file, {});
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('the config was accepted');
};

describe('unknown keys', () => {
  it('are refused with file:line:col of the key and the closest known key', () => {
    const e = refusal('country: CL\nprojects: [{name: Uno}]\nvendor:\n  - {id: v1, name: Vera, projects: [Uno]}\n');
    expect(e.code).toBe('config.unknown_key');
    expect(e.message).toBe('c.yaml:3:1: vendor: clave desconocida "vendor"; ¿quiso decir "vendors"?');
    expect(refusal('followupDays: 5\n').message).toBe('c.yaml:1:1: followupDays: clave desconocida "followupDays"; ¿quiso decir "followUpDays"?');
  });

  it('deep in lists and objects, one line each', () => {
    const e = refusal(['projects:', '  - name: Uno', '    alias: [U]', 'admin:', '  port: 8080', '  trustproxy: [127.0.0.1]', 'intake:', '  forms:', '    - {id: f, kye: key-000000000}'].join('\n'));
    expect(e.message.split('\n')).toEqual([
      'c.yaml:3:5: projects.0.alias: clave desconocida "alias"; ¿quiso decir "aliases"?',
      'c.yaml:6:3: admin.trustproxy: clave desconocida "trustproxy"; ¿quiso decir "trustProxy"?',
      'c.yaml:9:15: intake.forms.0.kye: clave desconocida "kye"; ¿quiso decir "key"?',
    ]);
  });

  it('inside a union (a mailbox auth block), against the branch that fits', () => {
    const e = refusal('mailboxes:\n  - name: m\n    host: h\n    user: u\n    auth: {type: oauth2, provider: microsoft, tenantId: t, clientId: c, clientSecrett: s}\n');
    expect(e.message).toMatch(/^c\.yaml:5:73: mailboxes\.0\.auth\.clientSecrett: clave desconocida "clientSecrett"; ¿quiso decir "clientSecret"\?$/);
  });

  it('with nothing close, the known keys of that place are listed', () => {
    expect(refusal('database: {path: x.db, journal: true}\n').message).toBe('c.yaml:1:24: database.journal: clave desconocida "journal"; claves válidas aquí: path, url, preparedStatements');
    expect(closestKey('zzzzzz', ['country', 'projects'])).toBeNull();
    expect(closestKey('mailbox', ['mailboxes', 'limits'])).toBe('mailboxes');
  });

  it('stop the program at start (loadConfig), naming the file', () => {
    const file = path.join(tmp(), 'centralizer.yaml');
    fs.writeFileSync(file, `parsersDir: ${PARSERS}\nprojects: [{name: Uno}]\nfollowUpdays: 3\n`);
    expect(() => loadConfig(file, {})).toThrow(`${file}:3:1: followUpdays: clave desconocida "followUpdays"; ¿quiso decir "followUpDays"?`);
  });

  it('the shipped configs and the fixtures load', () => {
    const env = { CENTRALIZER_ADMIN_TOKEN: 'x'.repeat(30) } as NodeJS.ProcessEnv;
    const files = ['config/centralizer.yaml', 'config/example.yaml', ...fs.readdirSync('fixtures').map((d) => path.join('fixtures', d, 'config.yaml')).filter((f) => fs.existsSync(f)), 'fixtures/config.yaml'];
    expect(files.length).toBeGreaterThanOrEqual(4);
    const envProxy = new Proxy(env, { get: (t, k) => (t as Record<string | symbol, string>)[k] ?? 'placeholder-secret-value' });
    for (const f of files) expect(() => parseConfig(fs.readFileSync(f, 'utf8'), f, envProxy), f).not.toThrow();
    // example.yaml's commented intake block, uncommented, loads too.
    const example = fs.readFileSync('config/example.yaml', 'utf8').split('\n');
    const start = example.findIndex((l) => l === '# intake:');
    expect(start).toBeGreaterThan(0);
    const block: string[] = [];
    for (const l of example.slice(start)) {
      if (!l.startsWith('#')) break;
      block.push(l.slice(2));
    }
    expect(() => parseConfig(block.join('\n'), 'example intake', envProxy)).not.toThrow();
  });
});

describe('a reload', () => {
  const yaml = (vendors: string) => `parsersDir: ${PARSERS}\nprojects: [{name: Uno}, {name: Dos}]\n${vendors}`;
  const VENDORS = 'vendors:\n  - {id: v1, name: Vera, projects: [Uno]}\n  - {id: v2, name: Hugo, projects: [Dos]}\n';

  // (awaited where the storage may answer later: the same test for a synchronous or a promised answer)
  async function daemon() {
    const file = path.join(tmp(), 'centralizer.yaml');
    fs.writeFileSync(file, yaml(VENDORS));
    const app = await createApp(loadConfig(file, {}).config, createLogger('silent'), { dbPath: ':memory:', syncConfig: true });
    const active = async () => (await new VendorQueries(sqliteStore(app).sqlite).list()).filter((v) => v.active).map((v) => v.id).sort();
    // What the daemon's reload (SIGHUP or the watcher) does: read the file, then swap it in.
    const reload = async () => app.reload({ config: readConfigForReload(file) });
    return { app, file, active, reload };
  }

  const refused = async (reload: () => Promise<unknown>): Promise<Error> => {
    try {
      await reload();
    } catch (e) {
      return e as Error;
    }
    throw new Error('the reload was accepted');
  };

  it('with a `vendor:` typo is refused by name; the running vendors stay active', async () => {
    const d = await daemon();
    expect(await d.active()).toEqual(['v1', 'v2']);
    fs.writeFileSync(d.file, yaml(VENDORS.replace('vendors:', 'vendor:')));
    expect((await refused(d.reload)).message).toMatch(/centralizer\.yaml:3:1: vendor: clave desconocida "vendor"; ¿quiso decir "vendors"\?/);
    expect(await d.active()).toEqual(['v1', 'v2']);
    expect(d.app.config.vendors.map((v) => v.id)).toEqual(['v1', 'v2']);
    d.app.close();
  });

  it('that removes every vendor, or sets every one inactive, is refused; removing one is accepted', async () => {
    const d = await daemon();
    fs.writeFileSync(d.file, yaml(''));
    const err = await refused(d.reload);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config.no_vendors');
    expect((err as Error).message).toBe('la nueva configuración no deja ningún vendedor activo (la que corre tiene 2: v1, v2); ¿falta la lista "vendors:" o está mal escrita? Rechazada: sigue la configuración que corre');
    expect(await d.active()).toEqual(['v1', 'v2']);
    fs.writeFileSync(d.file, yaml(VENDORS.replaceAll('projects: [', 'active: false, projects: [')));
    expect((await refused(d.reload)).message).toMatch(/no deja ningún vendedor activo/);
    expect(await d.active()).toEqual(['v1', 'v2']);
    expect(d.app.config.projects.flatMap((p) => p.vendors).every((v) => v.active)).toBe(true);
    fs.writeFileSync(d.file, yaml('vendors:\n  - {id: v2, name: Hugo, projects: [Dos, Uno]}\n'));
    await d.reload();
    expect(await d.active()).toEqual(['v2']);
    d.app.close();
  });

  it('of a config that never had vendors is not refused for having none', async () => {
    const file = path.join(tmp(), 'c.yaml');
    fs.writeFileSync(file, yaml(''));
    const app = await createApp(loadConfig(file, {}).config, createLogger('silent'), { dbPath: ':memory:', syncConfig: true });
    fs.writeFileSync(file, `parsersDir: ${PARSERS}\nprojects: [{name: Uno}]\n`);
    await app.reload({ config: readConfigForReload(file) });
    expect(app.config.projects.map((p) => p.name)).toEqual(['Uno']);
    app.close();
  });
});
