import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId, Worker } from 'node:worker_threads';

let sourceBundle: string | null = null;

/**
 * From sources (tsx, vitest) the worker entry is bundled once per process with esbuild, as
 * scripts/build.js does, into node_modules/.cache (where its dependencies resolve): a worker
 * registering tsx itself took 3 s to start (20 s on a loaded machine), this takes a fraction.
 */
function bundleFromSources(here: string): string {
  if (sourceBundle) return sourceBundle;
  const require = createRequire(here);
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const root = path.resolve(path.dirname(fileURLToPath(here)), '../..');
  const outfile = path.join(root, 'node_modules/.cache/centralizer', `pipeline-worker-${process.pid}-${threadId}.mjs`);
  buildSync({ entryPoints: [fileURLToPath(new URL('./pipeline-worker.ts', here))], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  process.once('exit', () => fs.rmSync(outfile, { force: true }));
  // Files of processes that were killed (no exit handler ran) go too.
  for (const f of fs.readdirSync(path.dirname(outfile))) {
    const pid = Number(/^pipeline-worker-(\d+)-/.exec(f)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(path.dirname(outfile), f), { force: true });
  }
  sourceBundle = outfile;
  return outfile;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The worker's code: dist/pipeline-worker.mjs beside the bundle (scripts/build.js), or built from sources. */
export function startWorker(maxHeapMb: number): Worker {
  const here = import.meta.url;
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const entry = here.endsWith('.ts') ? pathToFileURL(bundleFromSources(here)) : new URL('./pipeline-worker.mjs', here);
  return new Worker(entry, { resourceLimits });
}
