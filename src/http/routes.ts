import * as actions from './actions.ts';
import { exportCsv, exportXlsx } from './export.ts';
import * as leads from './leads.ts';
import { filterQuery, listQuery } from './params.ts';
import { pageFile } from './static.ts';
import { route, type Route } from './types.ts';
import * as vendors from './vendors.ts';

/**
 * Every route of the admin server, in one table. `auth: 'token'` needs the bearer token; the
 * server also refuses anything under /api without it, whatever the table says. A test walks this
 * table and fails when a non-public route answers without the token.
 * /metrics is public on purpose: counts only, no personal data, and scrapers rarely carry tokens;
 * bind admin.host to loopback (the default) to keep it private.
 */
export const ROUTES: Route[] = [
  route({ method: 'GET', path: '/', auth: 'public', handler: pageFile('index.html') }),
  route({ method: 'GET', path: '/app.js', auth: 'public', handler: pageFile('app.js') }),
  route({ method: 'GET', path: '/app.css', auth: 'public', handler: pageFile('app.css') }),
  route({ method: 'GET', path: '/healthz', auth: 'public', handler: leads.healthz }),
  route({ method: 'GET', path: '/metrics', auth: 'public', handler: leads.metrics }),
  route({ method: 'GET', path: '/api/stats', auth: 'token', query: filterQuery, handler: leads.stats }),
  route({ method: 'GET', path: '/api/options', auth: 'token', handler: leads.options }),
  route({ method: 'GET', path: '/api/parsers', auth: 'token', handler: (ctx) => ({ json: { parsers: leads.parserHealth(ctx.services, ctx.now) } }) }),
  route({ method: 'GET', path: '/api/emails', auth: 'token', query: leads.emailsQuery, handler: leads.emails }),
  route({ method: 'GET', path: '/api/leads', auth: 'token', query: listQuery, handler: leads.listLeads }),
  route({ method: 'GET', path: '/api/leads/export.xlsx', auth: 'token', query: filterQuery, handler: exportXlsx }),
  route({ method: 'GET', path: '/api/leads/export.csv', auth: 'token', query: filterQuery, handler: exportCsv }),
  route({ method: 'GET', path: '/api/leads/:id', auth: 'token', handler: leads.leadDetail }),
  route({ method: 'GET', path: '/api/leads/:id/raw', auth: 'token', handler: leads.leadRaw }),
  route({ method: 'POST', path: '/api/leads/:id/edit', auth: 'token', body: actions.editBody, handler: actions.edit }),
  route({ method: 'POST', path: '/api/leads/:id/follow-up', auth: 'token', body: actions.followUpBody, handler: actions.followUp }),
  route({ method: 'POST', path: '/api/leads/:id/abort', auth: 'token', body: actions.abortBody, handler: actions.abort }),
  route({ method: 'POST', path: '/api/leads/:id/discard', auth: 'token', body: actions.discardBody, handler: actions.discard }),
  route({ method: 'GET', path: '/api/vendors', auth: 'token', handler: vendors.listVendors }),
  route({ method: 'GET', path: '/api/vendors/:id/pending', auth: 'token', handler: vendors.pending }),
  route({ method: 'POST', path: '/api/vendors/:id/retire', auth: 'token', body: vendors.retireBody, handler: vendors.retire }),
  route({ method: 'POST', path: '/api/clients/:id/reassign', auth: 'token', body: vendors.reassignBody, handler: vendors.reassign }),
  route({ method: 'GET', path: '/api/clients/:id/owners', auth: 'token', handler: vendors.owners }),
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Routes whose pattern fits the path (any method); a literal segment beats a parameter, so
 * /api/leads/export.xlsx never reaches /api/leads/:id. Parameter values stay URL-encoded text;
 * handlers validate them.
 */
export function matchPath(routes: Route[], pathname: string): RouteMatch[] {
  const parts = pathname.split('/');
  const found: (RouteMatch & { score: number })[] = [];
  for (const r of routes) {
    const pattern = r.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = Object.create(null);
    let score = 0;
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = parts[i];
      else if (pattern[i] === parts[i]) score++;
      else ok = false;
    }
    if (ok) found.push({ route: r, params, score });
  }
  const best = Math.max(...found.map((f) => f.score));
  return found.filter((f) => f.score === best);
}
