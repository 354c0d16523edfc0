import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const build = (out: string) => execFileSync(process.execPath, ['scripts/build.js'], { env: { ...process.env, CENTRALIZER_BUILD_OUT: out }, stdio: 'pipe' });
const chunks = (out: string) => fs.readdirSync(out).filter((f) => f.startsWith('chunk-'));

describe('the build (npm ci, npm run build)', () => {
  it("keeps the previous build's chunks for a daemon still running from them, and removes older ones", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'build-'));
    try {
      // What a build before this one left: chunk-PREVIOUS in its manifest, chunk-OLDER from before it.
      fs.writeFileSync(path.join(out, 'chunk-PREVIOUS.mjs'), 'export {};\n');
      fs.writeFileSync(path.join(out, 'chunk-OLDER.mjs'), 'export {};\n');
      fs.writeFileSync(path.join(out, '.chunks.json'), JSON.stringify(['chunk-PREVIOUS.mjs']));
      build(out);
      const first: string[] = JSON.parse(fs.readFileSync(path.join(out, '.chunks.json'), 'utf8'));
      expect(first.length).toBeGreaterThan(2);
      expect(fs.existsSync(path.join(out, 'centralizer.mjs')) && fs.existsSync(path.join(out, 'pipeline-worker.mjs'))).toBe(true);
      expect(chunks(out).sort()).toEqual([...first, 'chunk-PREVIOUS.mjs'].sort());
      build(out); // chunk-PREVIOUS is two builds old now
      expect(chunks(out).sort()).toEqual([...first].sort()); // the same sources, the same chunks
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
