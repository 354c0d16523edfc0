// Escalation: a tick (node-cron, in the company's zone) looks for open cases past their first
// response or resolution due time in business hours (time waiting on the client left out), marks
// each escalated once and emails the atencion supervisors (admins when there are none) through
// the outbox, in the same unit of work.
import cron from 'node-cron';
import type { Country } from '../countries/index.ts';
import type { CaseListItem } from '../db/case-port.ts';
import { io, type Storage } from '../db/port.ts';
import type { Logger } from '../logger.ts';
import { langOf } from '../outbox/templates.ts';
import { SYSTEM_ACTOR } from '../vocabulary.ts';
import type { CasesConfig } from './config.ts';
import { caseUrl, escalationEmail } from './emails.ts';
import { calendarFor, caseSla } from './targets.ts';
import type { CaseDeskReads } from '../db/case-desk-sql.ts';

export interface EscalationDeps {
  store: Storage;
  desk: CaseDeskReads;
  cases: () => CasesConfig;
  timeZone: () => string;
  publicUrl: () => string | undefined;
  log: Logger;
}

const BATCH = 200;

type Breach = { breach: 'first' | 'resolution'; dueAt: number };

/** The clocks a case broke, from its SLA at `now`: the first answer's (due earlier), the resolution's. */
function breaches(c: CaseListItem, sla: ReturnType<typeof caseSla>): { first: Breach | null; resolution: Breach | null } {
  return {
    first: sla.firstResponseBreached && c.firstResponseAt === null ? { breach: 'first', dueAt: sla.firstResponseDueAt } : null,
    resolution: sla.resolutionBreached && c.resolvedAt === null && sla.resolutionDueAt !== null ? { breach: 'resolution', dueAt: sla.resolutionDueAt } : null,
  };
}

/** One tick: how many cases were escalated. A case whose stored due times were stale gets them written again instead. */
export async function runEscalation(now: number, d: EscalationDeps): Promise<number> {
  const cfg = d.cases();
  const tz = d.timeZone();
  const candidates = await d.desk.escalationCandidates(now, BATCH);
  if (!candidates.length) return 0;
  const supervisors = await d.desk.supervisors();
  let escalated = 0;
  for (const c of candidates) {
    const sla = caseSla(cfg, calendarFor(cfg, c.country as Country, tz), c, now);
    const { first, resolution } = breaches(c, sla);
    const done = await d.store.unitOfWork(function* (tx) {
      const fresh = yield* io(tx.getCase(c.id));
      if (!fresh) return false;
      let found = first ?? resolution;
      // Escalated before: again only for a resolution due time passed since (not the same breach twice).
      const last = fresh.escalatedAt;
      if (last !== null && found) {
        found = resolution && last < resolution.dueAt ? resolution : null;
        if (!found) return false;
      }
      if (!found) {
        // Not past due on the business clock (a pause moved it): store the due times the clock gives.
        yield* io(tx.updateCase(c.id, { firstResponseDueAt: sla.firstResponseDueAt, resolutionDueAt: sla.resolutionDueAt ?? fresh.resolutionDueAt }));
        return false;
      }
      yield* io(tx.updateCase(c.id, { escalatedAt: now }));
      const mail = escalationEmail({ ...c, responsible: c.responsibleName }, found.breach, found.dueAt, caseUrl(d.publicUrl(), c.id), langOf(c.country), tz);
      for (const s of supervisors) {
        yield* io(tx.enqueueNotification(
          { key: `case_escalation:${c.id}:${found.breach}:${found.dueAt}:${s.email.toLowerCase()}`, kind: 'case_escalation', caseId: c.id, leadId: null, clientId: c.clientId, projectId: c.projectId, vendorId: null,
            recipient: s.email, sender: null, subject: mail.subject, text: mail.text, html: mail.html, headers: null, createdAt: now },
          now,
        ));
      }
      yield* io(tx.audit({ at: now, userId: null, actor: SYSTEM_ACTOR, action: 'case.escalate', objectType: 'case', objectId: c.id, data: { breach: found.breach, dueAt: found.dueAt, recipients: supervisors.length } }));
      return true;
    });
    if (done) escalated++;
  }
  // Ids and counts only: case contents are the client's.
  if (escalated) d.log.info({ escalated, supervisors: supervisors.length }, 'cases escalated');
  if (escalated && !supervisors.length) d.log.warn('cases escalated but nobody receives escalations: create an atencion_supervisor (or admin) user with an email');
  return escalated;
}

/** The tick on its cron (`cases.escalationCron`); `after` runs when cases were escalated (the outbox is kicked). */
export function scheduleEscalation(d: EscalationDeps, cronExpr: string, after: () => void) {
  let running = false;
  return cron.schedule(cronExpr, () => {
    if (running) return; // a slow tick is never overlapped by the next
    running = true;
    runEscalation(Date.now(), d).then(
      (n) => { if (n) after(); },
      (e) => d.log.error({ err: (e as Error).message }, 'case escalation failed'),
    ).finally(() => { running = false; });
  }, { name: 'case-escalation', timezone: d.timeZone(), unref: true });
}
