import { z } from 'zod';
import * as actions from './actions.ts';
import { exportCsv, exportXlsx } from './export.ts';
import * as leads from './leads.ts';
import { filterQuery, listQuery } from './params.ts';
import { chartLibrary, pageFile } from './static.ts';
import { route, type Route } from './types.ts';
import * as vendors from './vendors.ts';
import * as session from './session.ts';
import * as day from './day.ts';
import * as mail from './mail.ts';
import * as dup from './duplicates.ts';
import * as funnel from './funnel.ts';
import * as clients from './clients.ts';
import * as team from './team.ts';
import * as notifications from './notifications.ts';
import { explainStored } from './explain.ts';
import * as teach from './teach.ts';
import * as cases from './cases.ts';
import * as caseMove from './case-move.ts';
import { exportCasesXlsx } from './cases-export.ts';
import { surveyAnswer, surveyPage } from './survey.ts';
import { events } from './events.ts';

/** Sales: leads, the funnel and the day's lists. Customer service (atencion) sees cases, never leads. */
const ALL = ['admin', 'gerente', 'supervisor', 'vendedor'] as const;
/** Anyone who signs in: their session and their own settings. */
const EVERYONE = [...ALL, 'atencion', 'atencion_supervisor'] as const;
const MANAGERS = ['admin', 'gerente'] as const;
const ADMIN = ['admin'] as const;
/** Post-sale cases: customer service, admins and managers (a gerente of some projects, theirs) read and act; sales see their own clients' cases, read-only. */
const CASE_READERS = EVERYONE;
const CASE_WRITERS = ['admin', 'gerente', 'atencion', 'atencion_supervisor'] as const;

/**
 * Every route of the admin server, in one table, each with who may call it. Under /api only the
 * routes marked public answer without a person (or the config's token); what a role may see is
 * then scoped in SQL (a foreign object answers 404). A test walks this table with every role.
 * /metrics is public on purpose: counts only, no personal data, and scrapers rarely carry tokens;
 * bind admin.host to loopback (the default) to keep it private.
 */
export const ROUTES: Route[] = [
  // The page's own address carries its filters and the open lead (links a manager sends): any query.
  route({ method: 'GET', path: '/', allow: 'public', query: z.record(z.string(), z.string()), handler: pageFile('index.html') }),
  route({ method: 'GET', path: '/app.js', allow: 'public', handler: pageFile('app.js') }),
  route({ method: 'GET', path: '/app.css', allow: 'public', handler: pageFile('app.css') }),
  route({ method: 'GET', path: '/common.js', allow: 'public', handler: pageFile('common.js') }),
  route({ method: 'GET', path: '/table.js', allow: 'public', handler: pageFile('table.js') }),
  route({ method: 'GET', path: '/detail.js', allow: 'public', handler: pageFile('detail.js') }),
  route({ method: 'GET', path: '/client.js', allow: 'public', handler: pageFile('client.js') }),
  route({ method: 'GET', path: '/day.js', allow: 'public', handler: pageFile('day.js') }),
  route({ method: 'GET', path: '/i18n.js', allow: 'public', handler: pageFile('i18n.js') }),
  route({ method: 'GET', path: '/healthz', allow: 'public', handler: leads.healthz }),
  route({ method: 'GET', path: '/metrics', allow: 'public', handler: leads.metrics }),
  route({ method: 'POST', path: '/api/session', allow: 'public', body: session.signInBody, handler: session.signIn }),
  route({ method: 'DELETE', path: '/api/session', allow: EVERYONE, handler: session.signOut }),
  route({ method: 'GET', path: '/api/me', allow: EVERYONE, handler: session.me }),
  route({ method: 'GET', path: '/api/my/day', allow: ALL, query: day.dayQuery, handler: day.myDay }),
  // Live updates for the open page (server-sent events), each checked against the caller's scope.
  route({ method: 'GET', path: '/api/events', allow: ALL, handler: events }),
  route({ method: 'GET', path: '/api/arrivals', allow: ALL, query: day.arrivalsQuery, handler: day.arrivals }),
  route({ method: 'GET', path: '/api/me/prefs', allow: EVERYONE, handler: day.getPrefs }),
  route({ method: 'POST', path: '/api/me/prefs', allow: EVERYONE, body: day.prefsBody, handler: day.setPrefs }),
  route({ method: 'GET', path: '/api/stats', allow: ALL, query: filterQuery, handler: leads.stats }),
  route({ method: 'GET', path: '/api/options', allow: ALL, handler: leads.options }),
  route({ method: 'GET', path: '/api/parsers', allow: MANAGERS, handler: async (ctx) => ({ json: { parsers: await leads.parserHealth(ctx.services, ctx.now) } }) }),
  route({ method: 'GET', path: '/api/emails', allow: ADMIN, query: leads.emailsQuery, handler: leads.emails }),
  route({ method: 'GET', path: '/api/emails/:id/explain', allow: ADMIN, handler: explainStored }),
  // Teaching a parser from stored emails (`parsers learn` on the page): the work runs in the workers.
  route({ method: 'POST', path: '/api/teach/suggest', allow: ADMIN, body: teach.suggestBody, handler: teach.suggest }),
  route({ method: 'POST', path: '/api/teach/propose', allow: ADMIN, body: teach.proposeBody, handler: teach.propose }),
  route({ method: 'POST', path: '/api/teach/save', allow: ADMIN, body: teach.saveBody, handler: teach.save }),
  route({ method: 'GET', path: '/teach.js', allow: 'public', handler: pageFile('teach.js') }),
  route({ method: 'GET', path: '/api/leads', allow: ALL, query: listQuery, handler: leads.listLeads }),
  route({ method: 'GET', path: '/api/leads/export.xlsx', allow: ALL, query: filterQuery, handler: exportXlsx }),
  route({ method: 'GET', path: '/api/leads/export.csv', allow: ALL, query: filterQuery, handler: exportCsv }),
  route({ method: 'GET', path: '/api/leads/:id', allow: ALL, handler: leads.leadDetail }),
  route({ method: 'GET', path: '/api/leads/:id/raw', allow: ALL, handler: leads.leadRaw }),
  route({ method: 'GET', path: '/api/leads/:id/mail', allow: ALL, handler: mail.leadMail }),
  route({ method: 'GET', path: '/api/leads/:id/mail.html', allow: ALL, handler: mail.leadMailHtml }),
  route({ method: 'GET', path: '/api/leads/:id/mail/attachments/:n', allow: ALL, handler: mail.leadMailAttachment }),
  route({ method: 'POST', path: '/api/leads/:id/edit', allow: ALL, body: actions.editBody, handler: actions.edit }),
  route({ method: 'POST', path: '/api/leads/:id/follow-up', allow: ALL, body: actions.followUpBody, handler: actions.followUp }),
  route({ method: 'POST', path: '/api/leads/:id/abort', allow: ALL, body: actions.abortBody, handler: actions.abort }),
  route({ method: 'POST', path: '/api/leads/:id/discard', allow: ALL, body: actions.discardBody, handler: actions.discard }),
  route({ method: 'GET', path: '/api/notifications', allow: MANAGERS, query: notifications.listQuery, handler: notifications.list }),
  route({ method: 'POST', path: '/api/notifications/:id/resend', allow: MANAGERS, handler: notifications.resend }),
  route({ method: 'GET', path: '/api/vendors', allow: ALL, handler: vendors.listVendors }),
  route({ method: 'GET', path: '/api/vendors/:id/pending', allow: ALL, handler: vendors.pending }),
  route({ method: 'POST', path: '/api/vendors/:id/retire', allow: MANAGERS, body: vendors.retireBody, handler: vendors.retire }),
  route({ method: 'POST', path: '/api/clients/:id/reassign', allow: ['admin', 'gerente', 'supervisor'], body: vendors.reassignBody, handler: vendors.reassign }),
  route({ method: 'GET', path: '/api/clients/:id/owners', allow: ALL, handler: vendors.owners }),
  route({ method: 'GET', path: '/api/clients/:id', allow: ALL, handler: clients.clientRecord }),
  route({ method: 'POST', path: '/api/clients/:id/edit', allow: ALL, body: clients.clientEditBody, handler: clients.editClientRecord }),
  route({ method: 'GET', path: '/api/duplicates', allow: MANAGERS, query: dup.duplicatesQuery, handler: dup.listDuplicates }),
  route({ method: 'POST', path: '/api/duplicates/:id/merge', allow: MANAGERS, body: dup.decisionBody, handler: dup.merge }),
  route({ method: 'POST', path: '/api/duplicates/:id/unmerge', allow: MANAGERS, body: dup.decisionBody, handler: dup.unmerge }),
  route({ method: 'POST', path: '/api/duplicates/:id/dismiss', allow: MANAGERS, body: dup.decisionBody, handler: dup.dismiss }),
  route({ method: 'POST', path: '/api/duplicates/:id/reopen', allow: MANAGERS, body: dup.decisionBody, handler: dup.reopen }),
  route({ method: 'GET', path: '/api/health', allow: MANAGERS, handler: leads.healthDetail }),
  route({ method: 'GET', path: '/api/audit', allow: MANAGERS, query: session.auditQuery, handler: session.audit }),
  route({ method: 'GET', path: '/api/users', allow: ADMIN, handler: session.listUsers }),
  route({ method: 'GET', path: '/funnel.js', allow: 'public', handler: pageFile('funnel.js') }),
  route({ method: 'GET', path: '/charts.js', allow: 'public', handler: pageFile('charts.js') }),
  route({ method: 'GET', path: '/live.js', allow: 'public', handler: pageFile('live.js') }),
  route({ method: 'GET', path: '/forms.js', allow: 'public', handler: pageFile('forms.js') }),
  route({ method: 'GET', path: '/manager.js', allow: 'public', handler: pageFile('manager.js') }),
  route({ method: 'GET', path: '/desk.js', allow: 'public', handler: pageFile('desk.js') }),
  route({ method: 'GET', path: '/vendor/chart.js', allow: 'public', handler: chartLibrary() }),
  route({ method: 'GET', path: '/api/funnel', allow: ALL, query: funnel.funnelQuery, handler: funnel.funnel }),
  route({ method: 'GET', path: '/api/team', allow: ALL, query: team.teamQuery, handler: team.team }),
  route({ method: 'GET', path: '/api/funnel/items', allow: ALL, query: funnel.itemsQuery, handler: funnel.funnelItems }),
  route({ method: 'POST', path: '/api/interactions', allow: ALL, body: funnel.interactionsBody, handler: funnel.postInteractions }),
  route({ method: 'POST', path: '/api/walk-ins', allow: ALL, body: funnel.walkInBody, handler: funnel.walkIn }),
  route({ method: 'GET', path: '/api/clients/:id/timeline', allow: ALL, handler: funnel.timeline }),
  route({ method: 'GET', path: '/cases.js', allow: 'public', handler: pageFile('cases.js') }),
  // The client's survey answer: the signed link is the permission (src/http/survey.ts). GET shows
  // the score and a button (a link scanner's fetch records nothing); its POST records it.
  route({ method: 'GET', path: '/survey/:token', allow: 'public', handler: surveyPage }),
  route({ method: 'POST', path: '/survey/:token', allow: 'public', handler: surveyAnswer }),
  route({ method: 'GET', path: '/api/cases', allow: CASE_READERS, query: cases.listQuery, handler: cases.listCases }),
  route({ method: 'GET', path: '/api/cases/options', allow: CASE_READERS, handler: cases.options }),
  route({ method: 'GET', path: '/api/cases/stats', allow: CASE_READERS, query: cases.filterQuery, handler: cases.stats }),
  route({ method: 'GET', path: '/api/cases/export.xlsx', allow: CASE_READERS, query: cases.filterQuery, handler: exportCasesXlsx }),
  route({ method: 'GET', path: '/api/cases/:id', allow: CASE_READERS, handler: cases.caseDetail }),
  route({ method: 'GET', path: '/api/cases/:id/messages/:messageId/attachments/:n', allow: CASE_READERS, handler: cases.messageAttachment }),
  route({ method: 'POST', path: '/api/cases/:id/reply', allow: CASE_WRITERS, body: cases.replyBody, handler: cases.reply }),
  route({ method: 'POST', path: '/api/cases/:id/status', allow: CASE_WRITERS, body: cases.statusBody, handler: cases.setStatus }),
  route({ method: 'POST', path: '/api/cases/:id/visits', allow: CASE_WRITERS, body: cases.visitBody, handler: cases.addVisit }),
  // A misfiled email moves between the sales and the post-sale sides: admin only, audited.
  route({ method: 'POST', path: '/api/leads/:id/to-case', allow: ADMIN, body: caseMove.toCaseBody, handler: caseMove.leadToCaseRoute }),
  route({ method: 'POST', path: '/api/cases/:id/to-lead', allow: ADMIN, body: caseMove.toLeadBody, handler: caseMove.caseToLeadRoute }),
  route({ method: 'POST', path: '/api/cases/:id/assign', allow: CASE_WRITERS, body: cases.assignBody, handler: cases.assign }),
  route({ method: 'POST', path: '/api/cases/:id/category', allow: CASE_WRITERS, body: cases.categoryBody, handler: cases.recategorize }),
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
