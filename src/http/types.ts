import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { App } from '../app.ts';
import type { ReadModels } from '../db/read-side.ts';
import type { HealthSource } from '../health-report.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ParserHealthMonitor } from './parser-health.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { Caller } from '../auth/scope.ts';
import type { Role } from '../db/auth-schema.ts';
import type { Authenticator } from './authenticate.ts';
import type { CheckGateOptions } from '../auth/throttle.ts';
import type { LiveStreams } from './events.ts';

export interface ServerDeps {
  health: HealthSource;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  /** Bad bearer tokens allowed per address and window before 429 (default 20 per minute); valid ones are never refused. */
  authLimit?: { maxFailures: number; windowMs: number };
  /** How long /healthz, /metrics and parser health answers are reused (ms; tests set 0). */
  cacheMs?: number;
  /** Sign-in throttle (tests shorten it). */
  signInDelay?: { free: number; baseDelayMs: number; maxDelayMs: number; windowMs: number; capacity: number };
  /** Caps on password checks (per address, per account, per server; see PasswordCheckGate). */
  passwordChecks?: Partial<CheckGateOptions>;
  /** How often an open event stream gets a heartbeat and its session is checked again (ms; default 15 s). */
  liveHeartbeatMs?: number;
  /** PostgreSQL: how often other daemons' new leads are looked for (ms; default 1 s). */
  liveCatchUpMs?: number;
}

/** What every handler can use: built once per server. */
export interface Services {
  app: App;
  deps: ServerDeps;
  queries: ReadModels['queries'];
  vendors: ReadModels['vendors'];
  parserHealth: ParserHealthMonitor;
  accounts: Accounts;
  users: ReadModels['users'];
  day: ReadModels['day'];
  duplicates: ReadModels['duplicates'];
  auth: Authenticator;
  /** The open event streams (GET /api/events), so a sign-out ends its own. */
  live: LiveStreams;
  now: () => number;
  startedAt: number;
}

export interface RequestContext<Q = unknown, B = unknown> {
  services: Services;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: Q;
  body: B;
  now: number;
  /** Who is calling; null only on public routes. */
  caller: Caller | null;
  /** The caller's network address (from a proxy listed in admin.trustProxy, the X-Forwarded-For hop it added). */
  address: string;
}

/** A handler returns a reply, or writes the response itself (streams) and returns nothing. */
export interface Reply {
  status?: number;
  json?: unknown;
  body?: Buffer | string;
  type?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Literal segments and `:name` parameters: `/api/leads/:id/raw`. */
  path: string;
  /** Who may call it: 'public', or the roles allowed (the server answers 401/403 for others). */
  allow: 'public' | readonly Role[];
  /** Query schema; absent means no query parameters are accepted. */
  query?: z.ZodType;
  /** JSON body schema (POST). */
  body?: z.ZodType;
  handler: (ctx: RequestContext<any, any>) => Promise<Reply | void> | Reply | void;
}

/** Keeps each route's handler typed by its own schemas while the table holds plain Routes. */
export function route<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(r: {
  method: Route['method'];
  path: string;
  allow: Route['allow'];
  query?: Q;
  body?: B;
  handler: (ctx: RequestContext<z.output<Q>, z.output<B>>) => Promise<Reply | void> | Reply | void;
}): Route {
  return r as Route;
}

/** The caller of a non-public route (the server guarantees one). */
export function callerOf(ctx: { caller: Caller | null }): Caller {
  if (!ctx.caller) throw new Error('route without a caller: declare it public or give it roles');
  return ctx.caller;
}
