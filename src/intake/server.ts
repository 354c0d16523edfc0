import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import type { IntakeConfig } from './config.ts';
import { handleForm, preflight } from './forms.ts';
import { handleGoogleAds } from './google-ads.ts';
import { HttpError, RateLimiter, clientAddress, sendJson } from './http-util.ts';
import { handleMeta, verifyHandshake, type MetaSettings } from './meta.ts';
import { IntakeSubmitter } from './submit.ts';
import { intakeSpool } from './spool.ts';

export interface IntakeServer {
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
}

export interface IntakeOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Waits between Graph API attempts (tests shorten them). */
  metaRetryDelaysMs?: number[];
}

/** The Meta secrets from the environment, checked at start so a missing one fails loudly. */
function metaSettings(cfg: IntakeConfig['meta'], env: NodeJS.ProcessEnv, delays: number[]): MetaSettings | null {
  if (!cfg) return null;
  const appSecret = env[cfg.appSecretEnv];
  const pageToken = env[cfg.pageTokenEnv];
  const missing = [!appSecret && `intake.meta.appSecretEnv: ${cfg.appSecretEnv}`, !pageToken && `intake.meta.pageTokenEnv: ${cfg.pageTokenEnv}`].filter(Boolean);
  if (missing.length) throw new Error(`environment variable not set: ${missing.join('; ')}`);
  return { appSecret: appSecret!, pageToken: pageToken!, verifyToken: cfg.verifyToken, graphUrl: cfg.graphUrl, project: cfg.project, retryDelaysMs: delays };
}

/**
 * The intake listener: a server of its own (its own port, no admin routes, no sessions), so forms
 * and ad platforms can reach it from the internet while the admin API stays on loopback.
 */
export function createIntakeServer(app: Pick<App, 'config' | 'ingestor' | 'store'>, opts: IntakeOptions): IntakeServer {
  const initial = app.config.intake as IntakeConfig;
  // Forms follow config reloads; a reload that drops `intake` keeps the running set until restart.
  const cfg = () => app.config.intake ?? initial;
  const log = opts.log;
  const meta = metaSettings(cfg().meta, opts.env ?? process.env, opts.metaRetryDelaysMs ?? [500, 2000, 5000]);
  // Every lead is on disk in the spool before it is answered (see spool.ts).
  const spool = intakeSpool(app.config, app.store.name);
  const submitter = new IntakeSubmitter(app.ingestor, app.store, spool);
  const limiter = new RateLimiter(cfg().ratePerMinute);

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
    const c = cfg();
    const form = /^\/intake\/forms\/([\w-]{1,64})\/?$/.exec(url.pathname);
    if (form) {
      const f = c.forms.find((x) => x.id === form[1]);
      if (!f) throw new HttpError(404, 'no such form');
      if (req.method === 'OPTIONS') return (preflight(req, res, f), 'form');
      if (req.method !== 'POST') throw new HttpError(405, 'POST only', { allow: 'POST, OPTIONS' });
      const wait = limiter.hit(clientAddress(req, c.trustProxy));
      if (wait) throw new HttpError(429, 'too many requests', { 'retry-after': String(wait) });
      await handleForm(req, res, f, submitter);
      return 'form';
    }
    const receipt = /^\/intake\/receipts\/([0-9a-f]{40})\/?$/.exec(url.pathname);
    if (receipt) {
      // The lead's status by its receipt (the answer to a form post): accepted, then lead (with its id).
      if (req.method !== 'GET') throw new HttpError(405, 'GET only', { allow: 'GET' });
      const wait = limiter.hit(clientAddress(req, c.trustProxy));
      if (wait) throw new HttpError(429, 'too many requests', { 'retry-after': String(wait) });
      const r = await submitter.receipt(receipt[1]);
      if (!r) throw new HttpError(404, 'no such receipt');
      sendJson(res, 200, r, { 'access-control-allow-origin': '*' });
      return 'receipt';
    }
    if (url.pathname === '/intake/google-ads' && c.googleAds) {
      if (req.method !== 'POST') throw new HttpError(405, 'POST only', { allow: 'POST' });
      await handleGoogleAds(req, res, c.googleAds, submitter);
      return 'google-ads';
    }
    if (url.pathname === '/intake/meta' && meta) {
      if (req.method === 'GET') return (verifyHandshake(url, res, meta), 'meta');
      if (req.method !== 'POST') throw new HttpError(405, 'GET or POST only', { allow: 'GET, POST' });
      await handleMeta(req, res, meta, submitter, log);
      return 'meta';
    }
    throw new HttpError(404, 'not found');
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://intake');
    } catch {
      url = new URL('http://intake/');
    }
    route(req, res, url).then(
      (kind) => log.debug({ kind, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'intake request'),
      (err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        // Paths only: bodies, keys and addresses are personal data or secrets.
        if (status >= 500) log.error({ path: url.pathname, status, err: (err as Error).message }, 'intake request failed');
        else log.info({ path: url.pathname, status, reason: (err as Error).message }, 'intake request refused');
        if (res.headersSent) return void res.end();
        const headers = err instanceof HttpError ? err.headers : {};
        sendJson(res, status, { error: status >= 500 && !(err instanceof HttpError) ? 'internal error' : (err as Error).message }, status === 413 ? { ...headers, connection: 'close' } : headers);
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve({ port: (server.address() as AddressInfo).port }));
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Leads answered and not yet through the pipeline: a few seconds to finish them; any left
      // are stored raw (pending) and processed at the next start.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([submitter.drain(), new Promise((r) => (timer = setTimeout(r, 8000)))]);
      clearTimeout(timer);
      await spool?.close();
    },
  };
}
