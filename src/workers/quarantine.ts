import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { LoadedParser } from '../parsers/load.ts';
import type { PipelineContext } from '../pipeline/index.ts';

/** Timeouts (worker deadline or extraction budget) of one parser's emails that quarantine it. */
export const QUARANTINE_AFTER = 2;

export interface QuarantineState {
  parser: string;
  /** When the parser was quarantined (ISO), null while it is only counting. */
  since: string | null;
  timeouts: number;
  reason: string | null;
}

interface Entry {
  /** The parser's config when its emails timed out: another config (a reload that changed it) starts over. */
  fingerprint: string;
  timeouts: number;
  since: number | null;
}

const fingerprint = (p: LoadedParser) => createHash('sha256').update(JSON.stringify(p.config)).digest('hex');

/**
 * Parsers whose emails time out. Regexes run on a linear-time engine now, but a parser can still be
 * slow enough (large programs on long texts, many extractors) to hit the worker deadline, and each
 * such email holds a worker for the whole deadline while normal leads wait behind it. After
 * QUARANTINE_AFTER timeouts a parser is quarantined: its mail is read by the generic extraction
 * (the path for mail no parser matches), so leads keep flowing; parser health shows it. A reload
 * that changes the parser's config lifts it (the admin fixed something); one that leaves it as it
 * was keeps it.
 *
 * Kept in memory, not in the database: it is a reaction of this process to what it saw, cheap to
 * learn again (at most QUARANTINE_AFTER more deadlines after a restart), and a stored one would
 * outlive the evidence (a restart after an upgrade of the engine or the machine should try the
 * parser again). The timed-out emails themselves are stored with status `timeout`, and `reprocess`
 * retries them.
 */
export class ParserQuarantine {
  private entries = new Map<string, Entry>();
  private version = 0;
  private derived = new WeakMap<PipelineContext, { version: number; ctx: PipelineContext }>();

  constructor(
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A timeout of an email read by `parser` (one of `parsers`, the set it ran with); true when it quarantines the parser. */
  noteTimeout(parser: string, parsers: readonly LoadedParser[]): boolean {
    const loaded = parsers.find((p) => p.config.id === parser);
    if (!loaded) return false;
    const fp = fingerprint(loaded);
    let entry = this.entries.get(parser);
    if (!entry || entry.fingerprint !== fp) {
      entry = { fingerprint: fp, timeouts: 0, since: null };
      this.entries.set(parser, entry);
    }
    entry.timeouts++;
    if (entry.since !== null || entry.timeouts < QUARANTINE_AFTER) return false;
    entry.since = this.now();
    this.version++;
    this.log?.warn({ parser, timeouts: entry.timeouts }, 'parser quarantined: its emails timed out; its mail now takes the generic extraction until its file changes');
    return true;
  }

  /** After a reload: parsers whose config changed (or that are gone) start over. */
  reloaded(parsers: readonly LoadedParser[]): void {
    for (const [id, entry] of this.entries) {
      const loaded = parsers.find((p) => p.config.id === id);
      if (loaded && fingerprint(loaded) === entry.fingerprint) continue;
      this.entries.delete(id);
      if (entry.since !== null) {
        this.version++;
        this.log?.info({ parser: id }, 'parser quarantine lifted: its file changed');
      }
    }
  }

  isQuarantined(parser: string): boolean {
    return this.entries.get(parser)?.since != null;
  }

  /** Every parser with a timeout, quarantined or counting. */
  list(): QuarantineState[] {
    return [...this.entries].map(([parser, e]) => ({
      parser,
      since: e.since === null ? null : new Date(e.since).toISOString(),
      timeouts: e.timeouts,
      reason: e.since === null ? null : `${e.timeouts} emails timed out; its mail takes the generic extraction until the parser file changes`,
    }));
  }

  /** `ctx` with the quarantined parsers named (the same object while nothing changes, so workers get it once). */
  apply(ctx: PipelineContext): PipelineContext {
    const ids = [...this.entries].filter(([, e]) => e.since !== null).map(([id]) => id);
    if (!ids.length && !ctx.quarantined?.length) return ctx;
    const hit = this.derived.get(ctx);
    if (hit && hit.version === this.version) return hit.ctx;
    const out = { ...ctx, quarantined: ids };
    this.derived.set(ctx, { version: this.version, ctx: out });
    return out;
  }
}
