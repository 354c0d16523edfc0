import type { Config, ProjectConfig } from '../config.ts';
import { io, type StoreTx, type Work } from '../db/port.ts';
import { DAY_MS } from '../vocabulary.ts';
import { ackRefusal } from './ack-rules.ts';
import { ackEmail, assignmentEmail, langOf, unassignedEmail, type LeadView, type Rendered } from './templates.ts';

/** What happened to a lead that may deserve an email: it arrived, or an edit/reprocess linked it now. */
export interface LeadEvent {
  leadId: number;
  rawEmailId: number;
}

type VendorNotify = 'email' | 'webhook' | 'both' | 'none';
const vendorModes = new WeakMap<Config, Map<string, VendorNotify>>();

/** The vendor's `notify` setting (both when the config does not list them). */
export function vendorNotify(cfg: Config, vendorId: string): VendorNotify {
  let m = vendorModes.get(cfg);
  if (!m) {
    m = new Map(cfg.projects.flatMap((p) => p.vendors.map((v) => [v.id, v.notify] as const)));
    vendorModes.set(cfg, m);
  }
  return m.get(vendorId) ?? 'both';
}

export const wantsWebhook = (cfg: Config, vendorId: string) => ['webhook', 'both'].includes(vendorNotify(cfg, vendorId));

/** Managers of the lead's project; of every project when the lead matched none. */
function managersOf(cfg: Config, project: ProjectConfig | undefined): string[] {
  const list = project ? project.notify : cfg.projects.flatMap((p) => p.notify);
  return [...new Set(list.map((a) => a.toLowerCase()))];
}

/**
 * The persist hook: renders and queues the lead's notification emails inside the lead's unit of
 * work, so a committed lead always has them and a rolled-back one never does. Idempotent by key.
 */
export function notificationEnqueuer(config: () => Config, clock: () => number = Date.now, portalName: (id: string) => string | null | undefined = () => null) {
  return function* (tx: StoreTx, ev: LeadEvent): Work<void> {
    const cfg = config();
    if (!cfg.notifications.enabled) return;
    const lead = yield* io(tx.getLead(ev.leadId));
    if (!lead) return;
    const now = clock();
    const projectName = lead.projectId !== null ? yield* io(tx.projectName(lead.projectId)) : null;
    const project = projectName ? cfg.projects.find((p) => p.name === projectName) : undefined;
    const lang = langOf(cfg.country);
    const view: LeadView = {
      id: lead.id, quality: lead.quality, name: lead.name, phone: lead.phone, email: lead.email, message: lead.message, portal: lead.parser,
      project: projectName ?? lead.projectText, deadlineAt: lead.deadlineAt, problems: JSON.parse(lead.problems) as string[],
    };
    const opts = { lang, timeZone: cfg.timezone, publicUrl: cfg.admin.publicUrl, greeting: project?.whatsappGreeting, country: cfg.country, portalName };
    const put = (kind: 'assignment' | 'manager' | 'ack', key: string, recipient: string, r: Rendered, extra: { vendorId?: string | null; sender?: string; headers?: Record<string, string> } = {}) =>
      io(tx.enqueueNotification({ key, kind, leadId: lead.id, clientId: lead.clientId, projectId: lead.projectId, vendorId: extra.vendorId ?? null, recipient, sender: extra.sender ?? null, subject: r.subject, text: r.text, html: r.html, headers: extra.headers ? JSON.stringify(extra.headers) : null, createdAt: now }, now));

    let vendorName: string | null = null;
    if (lead.ownerVendorId) {
      const vendor = yield* io(tx.getVendor(lead.ownerVendorId));
      vendorName = vendor?.name ?? null;
      const mode = vendorNotify(cfg, lead.ownerVendorId);
      if (vendor?.email && (mode === 'email' || mode === 'both')) {
        const client = lead.contactType === 'retorno' && lead.clientId !== null ? yield* io(tx.getClient(lead.clientId)) : null;
        const since = client ? (client.ownerSince ?? client.createdAt) : null;
        yield* put('assignment', `assign:${lead.id}:${vendor.id}`, vendor.email, assignmentEmail({ ...view, clientSince: since }, { ...opts, vendorName }), { vendorId: vendor.id });
      }
    } else if (lead.quality === 'con_problemas') {
      const r = unassignedEmail(view, opts);
      for (const m of managersOf(cfg, project)) yield* put('manager', `unassigned:${lead.id}:${m}`, m, r);
    }

    const ack = project?.ack;
    if (ack?.enabled && lead.clientId !== null && lead.email && (lead.quality === 'bueno' || lead.quality === 'con_problemas')) {
      const refusal = ackRefusal(yield* io(tx.rawHeaders(ev.rawEmailId)), lead.email);
      const last = refusal ? null : yield* io(tx.lastNotificationAt('ack', lead.clientId, lead.projectId));
      const cooled = last === null || now - last >= cfg.notifications.ackCooldownDays * DAY_MS;
      if (!refusal && cooled) {
        const headers = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', Precedence: 'auto_reply' };
        yield* put('ack', `ack:${lead.clientId}:${lead.projectId ?? 0}:${lead.id}`, lead.email, ackEmail({ clientName: lead.name, project: projectName, vendorName, lang }), { vendorId: lead.ownerVendorId, sender: ack.from, headers });
      }
    }
  };
}
