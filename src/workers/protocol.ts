import type { Limits } from '../config.ts';
import type { Country } from '../normalize/national-id.ts';
import type { LocateJob } from '../parsers/learn-corrections.ts';
import type { LoadedParser } from '../parsers/load.ts';
import type { ParserConfig } from '../parsers/schema.ts';
import type { ProposeInput } from '../parsers/teach.ts';
import type { PipelineContext, PipelineOutcome } from '../pipeline/index.ts';
import { LimitExceeded } from '../pipeline/mime.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import type { RenderedMail } from '../pipeline/render-mail.ts';

/** The pipeline context as data: parsers travel as their configs and are compiled in the worker. */
export interface WireContext {
  parsers: { config: ParserConfig; file: string }[];
  projects: ProjectIndex;
  country: Country;
  limits: Limits;
  quarantined: readonly string[];
  company?: PipelineContext['company'];
}

export type ToWorker =
  | { type: 'context'; context: WireContext }
  /** Emails to run one after the other, each answered (done/failed) as it ends: its deadline runs from the answer before. */
  | { type: 'batch'; items: { id: number; raw: Uint8Array; extractBudget: number; explain?: boolean; locate?: LocateJob }[] }
  | { type: 'render'; id: number; raw: Uint8Array; limits: Limits; attachment?: number }
  /** The page's teaching view: samples read and a parser proposed, with the context sent before. */
  | { type: 'learn'; id: number; raws: Uint8Array[]; request: LearnRequest };

/** `suggest`: the first sample explained and its candidate values; `propose`: the parser the confirmed values teach. */
export type LearnRequest = { mode: 'suggest' } | { mode: 'propose'; input: ProposeInput };

export interface WireError {
  name: string;
  message: string;
  limit?: string;
}

export type FromWorker =
  | { type: 'ready' }
  /** The parser the email's extraction runs with (sent before it runs), for the pool to blame on a timeout. */
  | { type: 'parser'; id: number; parser: string }
  | { type: 'done'; id: number; outcome: PipelineOutcome }
  | { type: 'rendered'; id: number; mail: RenderedMail }
  | { type: 'failed'; id: number; error: WireError };

const wireCache = new WeakMap<PipelineContext, WireContext>();

export function toWire(ctx: PipelineContext): WireContext {
  let wire = wireCache.get(ctx);
  if (!wire) {
    const parsers = ctx.parsers.map((p: LoadedParser) => ({ config: p.config, file: p.file }));
    wire = { parsers, projects: ctx.projects, country: ctx.country, limits: ctx.limits, quarantined: ctx.quarantined ?? [], company: ctx.company };
    wireCache.set(ctx, wire);
  }
  return wire;
}

export function errorToWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, limit: err instanceof LimitExceeded ? err.limit : undefined };
}

/** Rebuilds the worker's error on this side, keeping LimitExceeded's class for the caller's checks. */
export function errorFromWire(w: WireError): Error {
  if (w.limit) return new LimitExceeded(w.limit, w.message);
  const err = new Error(w.message);
  err.name = w.name;
  return err;
}

/**
 * The bytes as a Uint8Array whose whole ArrayBuffer can be transferred. A buffer given away moves
 * as it is when it owns its memory; otherwise (a caller's buffer, a slice of a pool) one exact copy.
 */
export function ownBytes(raw: Buffer, give: boolean): Uint8Array {
  const whole = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer;
  if (give && whole) return new Uint8Array(raw.buffer, 0, raw.byteLength);
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy;
}
