import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root (where package.json is), from src/ or from the dist/ bundle alike. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle');
export const PG_MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle-pg');
export const PAGE_DIR = path.join(PACKAGE_ROOT, 'src/http/page');
