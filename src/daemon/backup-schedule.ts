import path from 'node:path';
import cron from 'node-cron';
import { backupDatabase, backupFileName, pruneBackups } from '../db/sqlite/backup.ts';
import type { Logger } from '../logger.ts';

export interface BackupSettings {
  cron: string;
  dir: string;
  keep: number;
}

export interface BackupSchedule {
  /** One backup now (skipped while one runs); the new file's path, or null when skipped or failed. */
  runNow(): Promise<string | null>;
  stop(): void;
}

/**
 * Scheduled online backups inside the daemon: `<db name>-YYYYMMDD-HHMMSS.db` in `dir`, taken on a
 * separate read-only connection (ingest and the API keep writing), then the oldest beyond `keep`
 * are deleted. A failure is logged and the next run tries again.
 */
export function scheduleBackups(dbFile: string, settings: BackupSettings, log: Logger, now = () => new Date()): BackupSchedule {
  const dir = path.resolve(settings.dir);
  let running: Promise<string | null> | null = null;
  const runNow = () => {
    if (running) return Promise.resolve(null);
    const at = now();
    const dest = path.join(dir, backupFileName(dbFile, at));
    const started = Date.now();
    running = backupDatabase(dbFile, dest)
      .then((r) => {
        const removed = pruneBackups(dir, dbFile, settings.keep);
        log.info({ file: dest, bytes: r.bytes, ms: Date.now() - started, removed }, 'database backup written');
        return dest;
      })
      .catch((err) => {
        log.error({ err: (err as Error).message, file: dest }, 'database backup failed');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const task = cron.schedule(settings.cron, () => void runNow(), { name: 'backup', unref: true, suppressMissedWarning: true });
  return {
    runNow,
    stop: () => void task.stop(),
  };
}
