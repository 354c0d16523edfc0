import fs from 'node:fs';
import path from 'node:path';

/** Files to replay: directories recursively in name order; expected JSON and notes are skipped. */
export function collectEmailFiles(inputs: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return missing.push(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    } else if (st.isFile() && !/\.(json|md|ya?ml)$/i.test(p)) {
      files.push(p);
    }
  };
  for (const input of inputs) walk(input);
  return { files, missing };
}

/** A one-line progress indicator on stderr, only when it is a terminal. */
export function progress(total: number, err: NodeJS.WritableStream & { isTTY?: boolean }) {
  const start = Date.now();
  let last = 0;
  return {
    tick(done: number) {
      if (!err.isTTY || total < 20) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const rate = done / Math.max(0.001, (now - start) / 1000);
      err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s `);
      if (done === total) err.write('\n');
    },
  };
}
