// A child process for the WAL tests: opens the database as the app does, writes, reports, and
// waits to be killed -9 (so nothing is checkpointed or cleaned up at close).
import fs from 'node:fs';
import { openDatabase } from '../../src/db/sqlite/open.ts';
import { walGuardSettled } from '../../src/db/sqlite/wal-guard.ts';

const [file, mode] = process.argv.slice(2);
const sqlite = openDatabase(file).$client;
const add = (name: string) => sqlite.prepare('INSERT INTO projects (name) VALUES (?)').run(name);
/** Reports once the guard has copied every write into the database file (at most a few ticks). */
const whenSettled = (say: () => void) => {
  const started = Date.now();
  const t = setInterval(() => {
    if (!walGuardSettled(sqlite)) return;
    clearInterval(t);
    process.stderr.write(`settled after ${Date.now() - started} ms\n`);
    say();
  }, 10);
};
add('first');
if (mode === 'remove-wal-while-open') {
  setTimeout(() => {
    fs.rmSync(`${file}-wal`);
    add('after-removal'); // goes to the unlinked file until the guard notices
    setTimeout(() => {
      add('after-recreate');
      whenSettled(() => process.stdout.write(`written ${fs.existsSync(`${file}-wal`)}\n`));
    }, 400);
  }, 300);
} else {
  whenSettled(() => process.stdout.write('written\n'));
}
setInterval(() => {}, 1000);
