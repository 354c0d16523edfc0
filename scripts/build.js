#!/usr/bin/env node
// Bundles src/ into dist/centralizer.mjs and dist/pipeline-worker.mjs (dependencies stay external).
// Runs at `npm ci`/`npm install` (prepare). The daemon then starts without a TypeScript loader:
// faster start, ~40 MB less memory.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Two bundles: the program, and the pipeline worker thread it starts (src/workers/pool.ts looks for
// dist/pipeline-worker.mjs beside dist/centralizer.mjs).
await build({
  entryPoints: {
    centralizer: path.join(root, 'src/cli/main.ts'),
    'pipeline-worker': path.join(root, 'src/workers/pipeline-worker.ts'),
  },
  outdir: path.join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
