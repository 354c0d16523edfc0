import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { App } from '../app.ts';
import type { HealthSource } from '../daemon/health.ts';
import type { LeadQueries } from '../db/queries.ts';
import type { VendorQueries } from '../db/vendor-queries.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ParserHealthMonitor } from './parser-health.ts';

export interface ServerDeps {
  health: HealthSource;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  /** Auth failures allowed per address and window before 429 (default 5 per minute). */
  authLimit?: { maxFailures: number; windowMs: number };
}

/** What every handler can use: built once per server. */
export interface Services {
  app: App;
  deps: ServerDeps;
  queries: LeadQueries;
  vendors: VendorQueries;
  parserHealth: ParserHealthMonitor;
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
  method: 'GET' | 'POST';
  /** Literal segments and `:name` parameters: `/api/leads/:id/raw`. */
  path: string;
  auth: 'public' | 'token';
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
  auth: Route['auth'];
  query?: Q;
  body?: B;
  handler: (ctx: RequestContext<z.output<Q>, z.output<B>>) => Promise<Reply | void> | Reply | void;
}): Route {
  return r as Route;
}
