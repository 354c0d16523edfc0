import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * The intake spool's log files: one append-only file per process and day, each entry a frame
 * `SPOOL1 <name> <length>\n<raw message>\n`. A batch of answers costs one write and one fdatasync
 * (a file per lead cost an fsync each: 200 leads, ~150 ms on this disk). A frame cut short by a
 * crash was never acknowledged (the answer waits for the sync): readers stop at it.
 */

export const LOG_FILE = /^\d+-\d+\.log$/;
const MAGIC = 'SPOOL1';
/** A header is short: magic, a 44-character name, a length. */
const HEADER_MAX = 96;

export interface Frame {
  /** The entry's name: `<sha256 of the Message-ID, 40 hex>.eml`. */
  name: string;
  /** Where the raw message starts in the file, and its length. */
  offset: number;
  length: number;
}

export const encodeFrame = (name: string, raw: Buffer): Buffer => Buffer.concat([Buffer.from(`${MAGIC} ${name} ${raw.length}\n`), raw, Buffer.from('\n')]);

/** The frames of a log file, in order; stops at a torn or foreign tail. Reads headers only. */
export function* frames(file: string): Generator<Frame> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(HEADER_MAX);
    let at = 0;
    while (at < size) {
      const n = fs.readSync(fd, head, 0, Math.min(HEADER_MAX, size - at), at);
      const nl = head.subarray(0, n).indexOf(0x0a);
      if (nl < 0) return;
      const m = /^SPOOL1 (\S+) (\d+)$/.exec(head.subarray(0, nl).toString('latin1'));
      if (!m) return;
      const offset = at + nl + 1;
      const length = Number(m[2]);
      if (offset + length + 1 > size) return; // cut short: never acknowledged
      yield { name: m[1], offset, length };
      at = offset + length + 1;
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function readFrame(file: string, f: Frame): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.alloc(f.length);
    fs.readSync(fd, out, 0, f.length, f.offset);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** The log files of a day directory, oldest first (names start with the creation time). */
export const logFiles = (dayDir: string): string[] =>
  fs.existsSync(dayDir) ? fs.readdirSync(dayDir).filter((f) => LOG_FILE.test(f)).sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]) || a.localeCompare(b)).map((f) => path.join(dayDir, f)) : [];

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * This process's open log of one day. Appends are written one after the other (the caller
 * serializes `write`); syncs are shared: a sync started after a write covers it, so while one
 * `fdatasync` runs the next batch is already written and waits for one more (group commit).
 */
export class DayLog {
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | null = null;

  private constructor(readonly file: string, private readonly fh: fsp.FileHandle) {}

  /** A new log in `dayDir` (0600), its directory entry synced. */
  static async create(dayDir: string): Promise<DayLog> {
    const file = path.join(dayDir, `${Date.now()}-${process.pid}.log`);
    const fh = await fsp.open(file, 'ax', 0o600);
    await fsyncDir(dayDir);
    return new DayLog(file, fh);
  }

  /** Appends the frames; the ticket to wait on with `durable`. */
  async write(frames: Buffer[]): Promise<number> {
    const { bytesWritten } = await this.fh.writev(frames);
    const total = frames.reduce((n, f) => n + f.length, 0);
    if (bytesWritten !== total) throw new Error(`intake spool: short write (${bytesWritten} of ${total} bytes)`);
    return ++this.written;
  }

  /** Resolves once the write of this ticket is on disk (one fdatasync may cover several). */
  async durable(ticket: number): Promise<void> {
    while (this.synced < ticket) {
      if (!this.syncing) {
        const upTo = this.written;
        this.syncing = this.fh.datasync().then(
          () => {
            this.synced = Math.max(this.synced, upTo);
            this.syncing = null;
          },
          (e: unknown) => {
            this.syncing = null;
            throw e;
          },
        );
      }
      await this.syncing;
    }
  }

  /** Nothing written waits for a sync. */
  get idle(): boolean {
    return this.synced === this.written && !this.syncing;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Rewrites a log keeping only the frames `keep` accepts (temp file, fsync, rename, directory
 * fsync); removes it when none is kept. Returns how many were kept and dropped.
 */
export async function compactLog(file: string, keep: (f: Frame, raw: Buffer) => Promise<boolean>): Promise<{ kept: number; dropped: number }> {
  const kept: Buffer[] = [];
  let dropped = 0;
  for (const f of frames(file)) {
    const raw = readFrame(file, f);
    if (await keep(f, raw)) kept.push(encodeFrame(f.name, raw));
    else dropped++;
  }
  if (!dropped) return { kept: kept.length, dropped };
  if (!kept.length) fs.rmSync(file);
  else {
    const tmp = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.tmp`;
    const fh = await fsp.open(tmp, 'w', 0o600);
    try {
      await fh.writev(kept);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  }
  await fsyncDir(path.dirname(file));
  return { kept: kept.length, dropped };
}
