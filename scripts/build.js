#!/usr/bin/env node
// Bundles src/ into dist/centralizer.mjs and dist/pipeline-worker.mjs (dependencies stay external).
// Runs at `npm ci`/`npm install` (prepare). The daemon then starts without a TypeScript loader:
// faster start, ~40 MB less memory.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Two entry points: the program, and the pipeline worker thread it starts (src/workers/entry.ts
// looks for dist/pipeline-worker.mjs beside its own chunk). Split into chunks, so a module reached
// only through import() (a CLI command, the storage engine not chosen) and the packages it imports
// load only when used: a SQLite daemon never loads pg. Chunks stay beside the entries (paths
// relative to import.meta.url work from any of them).
// CENTRALIZER_BUILD_OUT writes elsewhere (a test of this script); the daemon looks in dist/ only.
const dist = process.env.CENTRALIZER_BUILD_OUT ? path.resolve(process.env.CENTRALIZER_BUILD_OUT) : path.join(root, 'dist');
// A daemon already running from dist/ imports some chunks only when first used (a command, a
// page's export): a rebuild under it (`npm ci` while deploying, before the restart) keeps the chunks
// of the previous distinct build, and removes older ones. dist/.chunks.json lists the last two
// distinct builds' chunks; with no (readable) list, every chunk already there counts as previous.
// The entry files are replaced in place: a pipeline worker started again before the restart runs
// the new build, so a deploy ends with the restart.
const MANIFEST = path.join(dist, '.chunks.json');
const existing = () => (fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.startsWith('chunk-')) : []);
const readBuilds = () => {
  try {
    const m = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    if (Array.isArray(m?.builds) && m.builds.every((b) => Array.isArray(b) && b.every((f) => typeof f === 'string'))) return m.builds;
  } catch {
    // none yet, or unreadable: keep what is there
  }
  return [existing()];
};
const builds = readBuilds();
const result = await build({
  metafile: true,
  entryPoints: {
    centralizer: path.join(root, 'src/cli/main.ts'),
    'pipeline-worker': path.join(root, 'src/workers/pipeline-worker.ts'),
  },
  outdir: dist,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const current = Object.keys(result.metafile.outputs).map((f) => path.basename(f)).filter((f) => f.startsWith('chunk-')).sort();
const same = (a, b) => a.length === b.length && a.every((f, i) => f === b[i]);
const kept = same(current, [...(builds[0] ?? [])].sort()) ? builds : [current, builds[0] ?? []];
const keep = new Set(kept.flat());
for (const f of existing()) if (!keep.has(f)) fs.rmSync(path.join(dist, f));
fs.writeFileSync(`${MANIFEST}.tmp`, JSON.stringify({ builds: kept.slice(0, 2) }));
fs.renameSync(`${MANIFEST}.tmp`, MANIFEST);
