import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PAGE_DIR } from '../paths.ts';
import type { Reply } from './types.ts';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * A handler serving one fixed file of the page: the routes table names each file, so no request
 * path ever reaches the file system. Read on first use (importing touches no file), then cached.
 */
export const PAGE_FILES = ['index.html', 'app.css', 'app.js', 'common.js', 'table.js', 'detail.js', 'client.js', 'day.js', 'funnel.js', 'charts.js', 'cases.js', 'i18n.js', 'live.js', 'forms.js', 'manager.js', 'desk.js', 'teach.js'] as const;

export function pageFile(name: (typeof PAGE_FILES)[number]): () => Reply {
  let body: Buffer | null = null;
  return () => {
    body ??= fs.readFileSync(path.join(PAGE_DIR, name));
    return { body, type: TYPES[path.extname(name)] };
  };
}

const require = createRequire(import.meta.url);

/**
 * A browser library served from node_modules (no CDN): Chart.js's UMD build, found from the
 * package's own entry so it works from src/ and from the dist/ bundle alike. Cached a day by the
 * browser (it holds no lead data); the ETag is the package's version.
 */
export function chartLibrary(): () => Reply {
  let cached: { body: Buffer; etag: string } | null = null;
  return () => {
    if (!cached) {
      const dir = path.dirname(require.resolve('chart.js'));
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
      // The source map is not served: drop the comment that would make devtools ask for it.
      const text = fs.readFileSync(path.join(dir, 'chart.umd.min.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
      cached = { body: Buffer.from(text), etag: `"chart.js-${pkg.version}"` };
    }
    return { body: cached.body, type: TYPES['.js'], headers: { 'Cache-Control': 'public, max-age=86400', ETag: cached.etag } };
  };
}
