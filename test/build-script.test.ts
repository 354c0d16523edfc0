import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const build = (out: string) => execFileSync(process.execPath, ['scripts/build.js'], { env: { ...process.env, CENTRALIZER_BUILD_OUT: out }, stdio: 'pipe' });
const chunks = (out: string) => fs.readdirSync(out).filter((f) => f.startsWith('chunk-')).sort();
const touch = (out: string, ...names: string[]) => names.forEach((n) => fs.writeFileSync(path.join(out, n), 'export {};\n'));
const manifest = (out: string, m: unknown) => fs.writeFileSync(path.join(out, '.chunks.json'), typeof m === 'string' ? m : JSON.stringify(m));
const builds = (out: string): string[][] => JSON.parse(fs.readFileSync(path.join(out, '.chunks.json'), 'utf8')).builds;

describe('the build (npm ci, npm run build)', () => {
  it("keeps the previous distinct build's chunks for a daemon still running from them, and removes older ones", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'build-'));
    try {
      // What earlier builds left: chunk-PREVIOUS the last one's, chunk-OLDER the one before.
      touch(out, 'chunk-PREVIOUS.mjs', 'chunk-OLDER.mjs');
      manifest(out, { builds: [['chunk-PREVIOUS.mjs'], ['chunk-OLDER.mjs']] });
      build(out);
      const current = builds(out)[0];
      expect(current.length).toBeGreaterThan(2);
      expect(fs.existsSync(path.join(out, 'centralizer.mjs')) && fs.existsSync(path.join(out, 'pipeline-worker.mjs'))).toBe(true);
      expect(chunks(out)).toEqual([...current, 'chunk-PREVIOUS.mjs'].sort());
      // The same sources built again (npm ci, then npm run build): the previous build stays.
      build(out);
      expect(chunks(out)).toEqual([...current, 'chunk-PREVIOUS.mjs'].sort());
      // A distinct build came in between (chunk-OTHER): now chunk-PREVIOUS is two builds old.
      touch(out, 'chunk-OTHER.mjs');
      manifest(out, { builds: [['chunk-OTHER.mjs'], ['chunk-PREVIOUS.mjs']] });
      build(out);
      expect(chunks(out)).toEqual([...current, 'chunk-OTHER.mjs'].sort());
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('without a readable list of builds (the first build, a cut file), keeps every chunk already there', () => {
    for (const list of [null, '{"builds": [["chunk-A.mjs"]', '{"builds": 3}']) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'build-'));
      try {
        touch(out, 'chunk-EARLIER.mjs');
        if (list !== null) manifest(out, list);
        build(out);
        expect(chunks(out)).toContain('chunk-EARLIER.mjs');
        expect(builds(out)[1]).toEqual(['chunk-EARLIER.mjs']);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
