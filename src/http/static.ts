import fs from 'node:fs';
import path from 'node:path';
import { PAGE_DIR } from '../paths.ts';
import type { Reply } from './types.ts';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * A handler serving one fixed file of the page: the routes table names each file, so no request
 * path ever reaches the file system. Read on first use (importing touches no file), then cached.
 */
export const PAGE_FILES = ['index.html', 'app.css', 'app.js', 'common.js', 'table.js', 'detail.js', 'day.js', 'funnel.js', 'i18n.js'] as const;

export function pageFile(name: (typeof PAGE_FILES)[number]): () => Reply {
  let body: Buffer | null = null;
  return () => {
    body ??= fs.readFileSync(path.join(PAGE_DIR, name));
    return { body, type: TYPES[path.extname(name)] };
  };
}
