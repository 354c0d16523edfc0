import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { runPipeline, type PipelineContext } from '../src/pipeline/index.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';

// Every shipped fixture outside fixtures/cases is a sales enquiry (portals, forms, ads, the corpus):
// the post-sale recognizer must read none of them as a case.
it('no shipped sales fixture reads as a post-sale case', async () => {
  const cfg = loadConfig('fixtures/config.yaml').config;
  const ctx: PipelineContext = { parsers: loadParsers('parsers'), projects: buildProjectIndex(cfg.projects, cfg.mailboxes), country: cfg.country, limits: cfg.limits };
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.eml') && !p.startsWith(path.join('fixtures', 'cases'))) files.push(p);
    }
  };
  walk('fixtures');
  const cases: string[] = [];
  let read = 0;
  for (const f of files) {
    const o = await runPipeline(fs.readFileSync(f), ctx).catch(() => null); // a few are hostile on purpose
    if (!o) continue;
    read++;
    if (o.kind === 'lead' && o.service.verdict === 'case') cases.push(`${f}: ${o.service.evidence.join(' | ')}`);
  }
  expect(read).toBeGreaterThan(300);
  expect(cases).toEqual([]);
}, 120_000);
