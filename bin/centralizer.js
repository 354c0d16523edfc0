#!/usr/bin/env node
// Runs the bundle built at install (dist/, see scripts/build.js) when it is newer than every
// source file; otherwise the TypeScript sources directly through tsx, so an edit needs no build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist/centralizer.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

let mod;
const built = fs.statSync(bundle, { throwIfNoEntry: false });
if (built && built.mtimeMs >= newestSource(path.join(root, 'src'))) {
  mod = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
process.exitCode = await mod.main(process.argv.slice(2));
