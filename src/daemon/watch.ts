import fs from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` once after files in `dir` (parser configs) or `file` (the config) change,
 * debounced: editors write a file in several steps. Returns a function that stops watching.
 */
export function watchConfig(dir: string, file: string | null, onChange: () => void, debounceMs = 300): () => void {
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
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
  tryWatch(dir, (name) => /\.(ya?ml|json)$/i.test(name));
  if (file) tryWatch(path.dirname(path.resolve(file)), (name) => name === path.basename(file));
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
