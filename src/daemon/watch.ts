import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.ts';

const PARSER_FILE = /\.(ya?ml|json)$/i;

/** Sizes and times of the watched files: equal twice in a row means no editor is mid-write. */
function snapshot(dir: string, file: string | null): string {
  const stat = (f: string) => {
    try {
      const s = fs.statSync(f);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => PARSER_FILE.test(n)).sort();
  } catch {
    // a missing directory is a state like any other; the reload reports it
  }
  return [...names.map((n) => `${n}=${stat(path.join(dir, n))}`), file ? `config=${stat(file)}` : ''].join('|');
}

const isEmptyFile = (file: string | null) => {
  try {
    return file !== null && fs.readFileSync(file, 'utf8').trim() === '';
  } catch {
    return false;
  }
};

/**
 * Calls `onChange` once after files in `dir` (parser configs) or `file` (the config) change.
 * Editors write in steps (truncate then write, or a temp file then rename), so the call waits
 * until the files look the same for one `debounceMs` and the config is not empty; after
 * `maxWaits` checks it calls anyway and the reload refuses what is wrong. Returns a stop function.
 */
export function watchConfig(dir: string, file: string | null, onChange: () => void, debounceMs = 300, maxWaits = 10): () => void {
  let timer: NodeJS.Timeout | null = null;
  let last: string | null = null;
  let waits = 0;
  const check = () => {
    const now = snapshot(dir, file);
    if ((now !== last || isEmptyFile(file)) && waits < maxWaits) {
      last = now;
      waits++;
      arm();
      return;
    }
    last = null;
    waits = 0;
    onChange();
  };
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  };
  const fire = () => {
    last = null; // a new event restarts the stability check
    arm();
  };
  const watchers: fs.FSWatcher[] = [];
  const tryWatch = (target: string, filter?: (name: string) => boolean) => {
    try {
      const w = fs.watch(target, (_event, name) => {
        if (!filter || (name && filter(name.toString()))) fire();
      });
      w.on('error', () => undefined); // a removed directory must not crash the daemon
      w.unref();
      watchers.push(w);
    } catch {
      // not watchable (missing, or a file system without notifications): SIGHUP still works
    }
  };
  tryWatch(dir, (name) => PARSER_FILE.test(name));
  if (file) tryWatch(path.dirname(path.resolve(file)), (name) => name === path.basename(file));
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

/**
 * The config as a reload reads it (watcher or SIGHUP): a zero-byte or blank file is refused, not
 * taken for "all defaults, no projects", which would leave every lead meanwhile con_problemas.
 */
export function readConfigForReload(file: string | null): Config {
  if (file && isEmptyFile(file)) throw new ConfigError(`${file}: the file is empty (a save in progress?); refused, the running configuration stays`);
  return loadConfig(file ?? undefined).config;
}
