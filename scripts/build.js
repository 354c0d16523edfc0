#!/usr/bin/env node
// Bundles src/ into dist/centralizer.mjs (dependencies stay external). Runs at `npm ci`/`npm install`
// (prepare). The daemon then starts without a TypeScript loader: faster start, ~40 MB less memory.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(root, 'dist/centralizer.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
