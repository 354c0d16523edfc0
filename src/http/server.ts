import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { App } from '../app.ts';
import { assertTokenPolicy } from './auth.ts';
import { Accounts } from '../auth/accounts.ts';
import { AccountError } from '../auth/accounts.ts';
import { httpErrorOf } from '../errors.ts';
import { createAuthenticator } from './authenticate.ts';
import { HttpError, zodMessage } from './errors.ts';
import { parserHealth } from './leads.ts';
import { readJson, readQuery } from './params.ts';
import { ParserHealthMonitor } from './parser-health.ts';
import { matchPath, ROUTES } from './routes.ts';
import { LiveStreams } from './events.ts';
import { catchUpLeads } from '../live/catch-up.ts';
import { langOf } from '../outbox/templates.ts';
import type { Reply, Route, ServerDeps, Services } from './types.ts';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // Lead data and tokens must not sit in any cache.
  'Cache-Control': 'no-store',
};

const NO_PARAMS = z.strictObject({});
const PARSER_CHECK_MS = 10 * 60_000;

/** zod's own messages in the company's language (a schema's own message, already Spanish, wins). */
const LOCALES = { es: z.locales.es().localeError, pt: z.locales.pt().localeError };

function parse(schema: z.ZodType, value: unknown, lang: 'es' | 'pt' = 'es'): unknown {
  const r = schema.safeParse(value, { error: LOCALES[lang] });
  if (!r.success) throw new HttpError(400, zodMessage(r.error));
  return r.data;
}

function send(res: ServerResponse, reply: Reply): void {
  const json = reply.json !== undefined;
  const body = json ? JSON.stringify(reply.json) : (reply.body ?? '');
  res.writeHead(reply.status ?? 200, {
    ...reply.headers,
    'Content-Type': json ? 'application/json; charset=utf-8' : (reply.type ?? 'application/octet-stream'),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The admin HTTP server (node:http, no framework). Routes come from the one table in routes.ts;
 * everything under /api needs the bearer token. Refuses to start with a weak token off loopback.
 */
export function createAdminServer(app: App, deps: ServerDeps) {
  assertTokenPolicy(app.config.admin.token, app.config.admin.host);
  const now = deps.now ?? Date.now;
  const admin = app.config.admin;
  const { queries, vendors, users, day, duplicates } = app.reads;
  const accounts = new Accounts(users, app.store, { idleMs: admin.sessionIdleMinutes * 60_000, absoluteMs: admin.sessionMaxDays * 86_400_000 });
  const auth = createAuthenticator(app, accounts, deps, now);
  const services: Services = {
    app,
    deps,
    queries,
    vendors,
    parserHealth: new ParserHealthMonitor(deps.log),
    users,
    day,
    duplicates,
    accounts,
    auth,
    live: new LiveStreams(),
    now,
    startedAt: now(),
  };
  if (!deps.metrics.hasHealth()) deps.metrics.useHealth(deps.health);
  let timer: NodeJS.Timeout | null = null;
  let stopCatchUp = () => {};

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    let route: Route | null = null;
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://admin.invalid');
      } catch {
        throw new HttpError(400, 'url: mal formada');
      }
      const matches = matchPath(ROUTES, url.pathname);
      const match = matches.find((m) => m.route.method === req.method);
      const underApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
      const address = auth.address(req);
      // Everything under /api but the routes declared public needs a person (or the admin token),
      // checked before the path is known to exist so nothing is revealed to strangers.
      const open = match?.route.allow === 'public';
      const caller = open ? null : underApi || matches.length ? await auth.identify(req, address, url.pathname) : null;
      if (underApi && !open && !caller) throw new HttpError(401, 'inicia sesión o envía un token válido', { 'WWW-Authenticate': 'Bearer realm="centralizer"' });
      if (!matches.length) throw new HttpError(404, 'no encontrado');
      if (!match) throw new HttpError(405, 'método no permitido', { Allow: [...new Set(matches.map((m) => m.route.method))].join(', ') });
      route = match.route;
      if (route.allow !== 'public') {
        if (!caller) throw new HttpError(401, 'inicia sesión o envía un token válido', { 'WWW-Authenticate': 'Bearer realm="centralizer"' });
        if (!route.allow.includes(caller.role)) throw new HttpError(403, 'tu rol no permite esta acción');
        if (req.method !== 'GET') auth.checkCsrf(req, caller);
      }
      const lang = langOf(app.config.country);
      const query = parse(route.query ?? NO_PARAMS, readQuery(url.searchParams), lang);
      const body = req.method === 'POST' ? parse(route.body ?? NO_PARAMS, await readJson(req), lang) : undefined;
      const reply = await route.handler({ services, req, res, params: match.params, query, body, now: now(), caller, address });
      if (reply) send(res, reply);
    } catch (e) {
      fail(res, e);
    } finally {
      // Route pattern and status only: URLs carry search text (names, IDs) and must not reach the log.
      deps.log.debug({ method: req.method, route: route?.path ?? null, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'admin request');
    }
  }

  function fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent) {
      deps.log.error({ err: e }, 'admin response failed mid-stream');
      res.destroy();
      return;
    }
    if (e instanceof HttpError) return send(res, { status: e.status, headers: e.headers, json: { error: e.message } });
    if (e instanceof AccountError) return send(res, { status: e.code.endsWith('not_found') ? 404 : 400, json: { error: e.message, code: e.code } });
    const app = httpErrorOf(e);
    if (app) return send(res, { status: app.status, json: app.body });
    deps.log.error({ err: e }, 'admin request failed');
    send(res, { status: 500, json: { error: 'error interno' } });
  }

  const server = http.createServer({ requestTimeout: 60_000, headersTimeout: 20_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    void handle(req, res);
  });
  // Requests Node cannot parse (bad header bytes, oversized headers) still get a plain answer.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const headers = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status}\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  });

  return {
    /** Starts listening; checks the token policy against the host actually bound. */
    async listen(port: number, host: string = app.config.admin.host): Promise<{ port: number }> {
      assertTokenPolicy(app.config.admin.token, host);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          // An accept error (EMFILE) with no listener would kill the daemon: log it instead.
          server.on('error', (e) => deps.log.error({ err: (e as Error).message }, 'admin server error'));
          // Checked now and then too, so a template change is logged even when nobody opens the page.
          timer = setInterval(() => {
            parserHealth(services, now()).catch((e) => deps.log.warn({ err: e }, 'parser health check failed'));
          }, PARSER_CHECK_MS);
          timer.unref();
          // Several daemons on one PostgreSQL: the others' new leads reach this daemon's open pages too.
          if (app.store.engine === 'postgres') stopCatchUp = catchUpLeads(app.store, app.live, deps.liveCatchUpMs ?? 1000, (e) => deps.log.warn({ err: (e as Error).message }, 'live catch-up failed'));
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    close(): Promise<void> {
      if (timer) clearInterval(timer);
      stopCatchUp();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export type AdminServer = ReturnType<typeof createAdminServer>;
