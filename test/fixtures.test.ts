import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelDirs, checkFixture } from '../src/cli/parsers.ts';
import { loadConfig } from '../src/config.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';
import { collectEmailFiles } from '../src/cli/files.ts';

// Every portal sample against its expected extraction, as `centralizer parsers test` does.
const parsers = loadParsers(path.resolve('parsers'));
const { config } = loadConfig('fixtures/config.yaml');
const context = { parsers, projects: buildProjectIndex(config.projects), country: config.country, limits: config.limits };

describe('generic fixtures (unknown senders, charset damage, mail that is not a lead)', () => {
  for (const file of collectEmailFiles(['fixtures/generic']).files) {
    it(file, async () => {
      expect((await checkFixture(file, context)).diffs).toEqual([]);
    });
  }
});

describe('portal fixtures', () => {
  for (const p of parsers) {
    const dir = path.join('fixtures', p.config.id);
    const files = fs.existsSync(dir) ? collectEmailFiles([dir]).files : [];
    it(`${p.config.id} has at least two fixtures`, () => {
      expect(files.length).toBeGreaterThanOrEqual(2);
    });
    for (const file of files) {
      it(file, async () => {
        const r = await checkFixture(file, context);
        expect(r.diffs).toEqual([]);
      });
    }
  }
});

describe('channel fixtures (relays, lead ads, site forms, layouts, replies, account mail, countries)', () => {
  for (const dir of channelDirs('fixtures', parsers.map((p) => p.config.id))) {
    // A channel directory may carry its own config.yaml (country, projects).
    const own = path.join('fixtures', dir, 'config.yaml');
    const cfg = fs.existsSync(own) ? loadConfig(own).config : config;
    const ctx = { ...context, projects: buildProjectIndex(cfg.projects, cfg.mailboxes), country: cfg.country, company: cfg.company };
    for (const file of collectEmailFiles([path.join('fixtures', dir)]).files) {
      it(file, async () => {
        expect((await checkFixture(file, ctx)).diffs).toEqual([]);
      });
    }
  }
});
