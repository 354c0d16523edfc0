import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { watchConfig } from '../src/daemon/watch.ts';

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('reload of parsers and projects while running', () => {
  it('a parser file change is noticed (debounced); other files are not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-'));
    let calls = 0;
    const stop = watchConfig(dir, null, () => calls++, 50);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(0);
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'id: a');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'id: a\nname: A');
    await until(() => calls > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a bad parser file is refused with file and line, and the previous set keeps running', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parsers-'));
    fs.writeFileSync(path.join(dir, 'good.yaml'), 'id: good\nname: Good\nmedium: web\nmatch: {from: good.cl}\n');
    const config = parseConfig(`parsersDir: ${dir}\nprojects: [{name: Uno}]\n`, 't', {});
    const app = await createApp(config, createLogger('silent'), { dbPath: ':memory:' });
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'id: bad\nname: Bad\nmedium: radio\nmatch: {from: bad.cl}\n');
    const next = parseConfig(`parsersDir: ${dir}\nprojects: [{name: Uno}, {name: Dos}]\n`, 't', {});
    await expect(app.reload({ config: next })).rejects.toThrow(/bad\.yaml:3:\d+: medium/);
    expect(app.context().parsers.map((p) => p.config.id)).toEqual(['good']);
    expect(app.config.projects.map((p) => p.name)).toEqual(['Uno']);
    fs.rmSync(path.join(dir, 'bad.yaml'));
    await app.reload({ config: next });
    expect(app.config.projects.map((p) => p.name)).toEqual(['Uno', 'Dos']);
    app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
