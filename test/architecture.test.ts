import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/: only src/db touches SQL or the driver (a PostgreSQL adapter must be able to
 * replace it without touching callers), and no module imports itself back through others.
 */

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

const rel = (file: string) => path.relative(SRC, file).split(path.sep).join('/');
const outsideDb = () => sourceFiles().filter((f) => !rel(f).startsWith('db/'));

/** Comments out, so prose about "select … from" in a comment does not count. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every string literal and template of a file, with its line. */
function stringLiterals(code: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const re = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (const m of code.matchAll(re)) out.push({ text: m[0].slice(1, -1), line: code.slice(0, m.index).split('\n').length });
  return out;
}

/** The start of an SQL statement: select … from (or a bare `select 1`), insert into, update … set, delete from, pragma, begin. */
export const SQL_STATEMENT = /(^\s*select\s+\d|\bselect\s+(?:distinct\s+)?[\w*.,\s()]+?\s+from\s+\w|insert\s+(?:or\s+\w+\s+)?into\s+\w|update\s+\w+\s+set\s+\w|delete\s+from\s+\w|pragma\s+\w+|begin\s+(?:immediate|exclusive|deferred)\b)/i;

export function sqlIn(code: string): { text: string; line: number }[] {
  return stringLiterals(stripComments(code)).filter((s) => SQL_STATEMENT.test(s.text));
}

const DRIVER_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](better-sqlite3|drizzle-orm)(?:\/[^'"]*)?['"]/;

/** Relative imports that exist at run time (`import type` erases). */
function runtimeImports(file: string): string[] {
  const code = stripComments(fs.readFileSync(file, 'utf8'));
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm;
  for (const m of code.matchAll(re)) {
    if (m[2]) continue;
    out.push(path.resolve(path.dirname(file), m[3]));
  }
  for (const m of code.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(path.resolve(path.dirname(file), m[1]));
  return out;
}

/** Every cycle in the runtime import graph, each once, as a list of files. */
export function importCycles(files: string[], importsOf: (f: string) => string[]): string[][] {
  const known = new Set(files);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const dep of importsOf(f)) {
      if (!known.has(dep)) continue;
      if (state.get(dep) === 'open') {
        const cycle = stack.slice(stack.indexOf(dep));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

describe('architecture', () => {
  it('recognises SQL in strings and not in comments or prose', () => {
    expect(sqlIn("db.prepare('SELECT id FROM leads WHERE x = ?')")).toHaveLength(1);
    expect(sqlIn('const q = `insert into raw_emails (a) values (?)`;')).toHaveLength(1);
    expect(sqlIn("run('PRAGMA quick_check')")).toHaveLength(1);
    expect(sqlIn("x = 'update leads set contact_state = 1'")).toHaveLength(1);
    expect(sqlIn('// select id from leads\n/* delete from leads */')).toHaveLength(0);
    expect(sqlIn("db.prepare('SELECT 1').get()")).toHaveLength(1);
    expect(sqlIn("throw new Error('choose a project')")).toHaveLength(0);
  });

  it('only src/db imports the database driver or drizzle', () => {
    const offenders = outsideDb()
      .filter((f) => DRIVER_IMPORT.test(stripComments(fs.readFileSync(f, 'utf8'))))
      .map(rel);
    expect(offenders, 'move the statement behind the storage port (src/db/port.ts)').toEqual([]);
  });

  it('only src/db holds SQL statements', () => {
    const offenders = outsideDb().flatMap((f) => sqlIn(fs.readFileSync(f, 'utf8')).map((s) => `${rel(f)}:${s.line}: ${s.text.slice(0, 60)}`));
    expect(offenders, 'move the statement behind the storage port (src/db/port.ts)').toEqual([]);
  });

  // Arrows point down: http/cli/daemon/intake → services → domain (leads, pipeline, countries,
  // normalize, funnel) → the storage port; the adapters import no domain folder.
  const importsOf = (file: string): string[] => {
    const code = stripComments(fs.readFileSync(file, 'utf8'));
    return [...code.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?(?:[^;]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm)].map((m) => rel(path.resolve(path.dirname(file), m[1])));
  };
  const folderOf = (r: string) => (r.includes('/') ? r.split('/')[0] : null);

  it('src/db (the port and both adapters) imports nothing but src/db and the shared root modules', () => {
    const bad = sourceFiles()
      .filter((f) => rel(f).startsWith('db/'))
      .flatMap((f) => importsOf(f).filter((r) => folderOf(r) !== null && folderOf(r) !== 'db').map((r) => `${rel(f)} -> ${r}`));
    expect(bad).toEqual([]);
  });

  it('the domain (leads, pipeline, countries, normalize, funnel) never imports the edges (http, cli, daemon, intake, app)', () => {
    const domain = ['leads', 'pipeline', 'countries', 'normalize', 'funnel'];
    const edges = ['http', 'cli', 'daemon', 'intake'];
    const bad = sourceFiles()
      .filter((f) => domain.includes(folderOf(rel(f)) ?? ''))
      .flatMap((f) => importsOf(f).filter((r) => edges.includes(folderOf(r) ?? '') || r === 'app.ts').map((r) => `${rel(f)} -> ${r}`));
    expect(bad).toEqual([]);
  });

  // The layering the design names, as a table: each layer may import its own layer and the layers
  // below it (arrows point down); root modules (config.ts, logger.ts, errors.ts, the vocabularies)
  // are shared by every layer and checked only for cycles.
  const LAYERS: Record<string, number> = {
    http: 4, cli: 4, daemon: 4, intake: 4, 'app.ts': 4, // edges and the composition root
    outbox: 3, auth: 3, live: 3, 'mail-auth': 3, workers: 3, ownership: 3, cases: 3, funnel: 3,
    'ingest.ts': 3, 'reprocess.ts': 3, 'metrics.ts': 3, // services
    leads: 2, pipeline: 2, countries: 2, normalize: 2, parsers: 2, // domain
    db: 1, // the storage port and its adapters
  };
  // Known arrows pointing up, each to be moved to the right layer (not hidden): none left.
  const KNOWN_UPWARD = new Set<string>([]);
  const layerOf = (r: string) => LAYERS[r.split('/')[0]];

  it('arrows point down: edges -> services -> domain -> storage port', () => {
    const bad = sourceFiles().flatMap((f) => {
      const from = layerOf(rel(f));
      if (from === undefined) return [];
      return importsOf(f)
        .filter((r) => (layerOf(r) ?? 0) > from && !(from === 4 && layerOf(r) === 4))
        .map((r) => `${rel(f)} -> ${r}`)
        .filter((arrow) => !KNOWN_UPWARD.has(arrow));
    });
    expect(bad, 'move the function to the layer both sides may import').toEqual([]);
  });

  // The port (src/db/*.ts: interfaces, row types, the schema written once, engine-neutral SQL)
  // sits beside its two adapters; neither adapter imports the other, the port imports neither
  // (but for copy.ts, which moves one engine's rows into the other), and outside src/db only the
  // composition root and the SQLite file's own tools name an adapter.
  const adapterOf = (r: string) => (r.startsWith('db/sqlite/') ? 'sqlite' : r.startsWith('db/postgres/') ? 'postgres' : null);
  const PORT_BRIDGES = new Set(['db/copy.ts']);
  const ADAPTER_USERS: Record<string, string> = {
    'app.ts': 'the composition root opens the configured engine',
    'cli/db.ts': 'db copy / migrate open each engine by name',
    'cli/backup.ts': 'backup and restore of the SQLite file',
    'cli/doctor.ts': 'inspects the SQLite file before opening it',
    'daemon/backup-schedule.ts': 'the nightly backup of the SQLite file',
  };

  it('the adapters import only the port and themselves, never each other or a domain folder', () => {
    const bad = sourceFiles()
      .filter((f) => adapterOf(rel(f)))
      .flatMap((f) => {
        const own = adapterOf(rel(f));
        return importsOf(f)
          .filter((r) => (r.includes('/') && !r.startsWith('db/')) || (adapterOf(r) !== null && adapterOf(r) !== own))
          .map((r) => `${rel(f)} -> ${r}`);
      });
    expect(bad).toEqual([]);
  });

  it('the port imports no adapter', () => {
    const bad = sourceFiles()
      .filter((f) => rel(f).startsWith('db/') && !adapterOf(rel(f)) && !PORT_BRIDGES.has(rel(f)))
      .flatMap((f) => importsOf(f).filter((r) => adapterOf(r) !== null).map((r) => `${rel(f)} -> ${r}`));
    expect(bad).toEqual([]);
  });

  it('outside src/db only the composition root and the SQLite file tools name an adapter', () => {
    const bad = outsideDb()
      .filter((f) => !(rel(f) in ADAPTER_USERS))
      .flatMap((f) => importsOf(f).filter((r) => adapterOf(r) !== null).map((r) => `${rel(f)} -> ${r}`));
    expect(bad, 'depend on the port (src/db/*.ts), not on an adapter').toEqual([]);
  });

  // No module over ~300 lines. Temporary exceptions, each to be split by responsibility:
  const LONG_MODULES = new Set<string>([]);

  it('no module in src is over 320 lines', () => {
    const long = sourceFiles()
      .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter((m) => m.lines > 320 && !LONG_MODULES.has(m.file))
      .map((m) => `${m.file}: ${m.lines}`);
    expect(long, 'split the module by responsibility').toEqual([]);
  });

  it('has no import cycle in src', () => {
    const files = sourceFiles();
    const cycles = importCycles(files, runtimeImports).map((c) => [...c, c[0]].map(rel).join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'] };
    expect(importCycles(Object.keys(graph), (f) => graph[f])).toEqual([['a', 'b', 'c']]);
  });
});
