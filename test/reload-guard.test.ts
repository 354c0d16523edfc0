import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { readConfigForReload, watchConfig } from '../src/daemon/watch.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'reload-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

function parsersDir(): string {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'good.yaml'), 'id: good\nname: Good\nmedium: web\nmatch: {from: good.cl}\n');
  return dir;
}

describe('a reload never leaves the daemon with nothing', () => {
  it('a config whose projects became empty is refused; the running projects stay', async () => {
    const dir = parsersDir();
    const app = await createApp(parseConfig(`parsersDir: ${dir}\nprojects: [{name: Uno}, {name: Dos}]\n`, 't', {}), createLogger('silent'), { dbPath: ':memory:', syncConfig: true });
    await expect(app.reload({ config: parseConfig(`parsersDir: ${dir}\n`, 't', {}) })).rejects.toThrow(/no projects \(the running one has 2\); refused/);
    expect(app.config.projects.map((p) => p.name)).toEqual(['Uno', 'Dos']);
    expect(app.context().projects.entries.map((e) => e.project).sort()).toEqual(['Dos', 'Uno']);
    app.close();
  });

  it('a parsers directory emptied is refused; the running parsers stay', async () => {
    const dir = parsersDir();
    const config = parseConfig(`parsersDir: ${dir}\nprojects: [{name: Uno}]\n`, 't', {});
    const app = await createApp(config, createLogger('silent'), { dbPath: ':memory:', syncConfig: true });
    fs.rmSync(path.join(dir, 'good.yaml'));
    await expect(app.reload({ config })).rejects.toThrow(/no parsers \(the running set has 1\); refused/);
    expect(app.context().parsers.map((p) => p.config.id)).toEqual(['good']);
    app.close();
  });

  it('a zero-byte or blank config file is refused by name', async () => {
    const file = path.join(tmp(), 'c.yaml');
    fs.writeFileSync(file, '');
    expect(() => readConfigForReload(file)).toThrow(/c\.yaml: the file is empty/);
    fs.writeFileSync(file, '\n  \n');
    expect(() => readConfigForReload(file)).toThrow(/the file is empty/);
    fs.writeFileSync(file, `parsersDir: ${parsersDir()}\nprojects: [{name: Uno}]\n`);
    expect(readConfigForReload(file).projects).toHaveLength(1);
  });

  it('the watcher waits out an editor writing in two steps (truncate, then write)', async () => {
    const dir = parsersDir();
    const file = path.join(tmp(), 'c.yaml');
    fs.writeFileSync(file, 'projects: [{name: Uno}]\n');
    const seen: string[] = [];
    const stop = watchConfig(dir, file, () => seen.push(fs.readFileSync(file, 'utf8')), 60);
    try {
      fs.writeFileSync(file, '');
      await new Promise((r) => setTimeout(r, 150)); // longer than the debounce: the empty file is seen
      fs.writeFileSync(file, 'projects: [{name: Uno}, {name: Dos}]\n');
      await until(() => seen.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual(['projects: [{name: Uno}, {name: Dos}]\n']);
    } finally {
      stop();
    }
  });

  it('a file that stays empty is handed on after a bounded wait, and the reload refuses it', async () => {
    const dir = parsersDir();
    const file = path.join(tmp(), 'c.yaml');
    fs.writeFileSync(file, 'projects: [{name: Uno}]\n');
    const errors: string[] = [];
    const stop = watchConfig(dir, file, () => {
      try {
        readConfigForReload(file);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }, 20, 3);
    try {
      fs.writeFileSync(file, '');
      await until(() => errors.length > 0);
      expect(errors[0]).toMatch(/the file is empty/);
    } finally {
      stop();
    }
  });
});
