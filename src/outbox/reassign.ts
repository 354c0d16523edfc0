import type { Config } from '../config.ts';
import { io, type StoreTx, type Work } from '../db/port.ts';
import { contactLinks } from '../leads/contact-links.ts';
import { vendorNotify } from './enqueue.ts';
import { esc, formatDate, langOf, leadUrl, type Lang, type Rendered } from './templates.ts';

const T = {
  es: { subject: 'Cliente reasignado a ti', heading: (n: string) => `Te reasignaron a ${n}`, by: 'Reasignado por', reason: 'Motivo', phone: 'Teléfono', email: 'Email', project: 'Proyecto', deadline: 'Contactar antes de', noName: '(sin nombre)', noProject: '(sin proyecto)', call: 'Llamar', whatsapp: 'WhatsApp', mail: 'Escribir', open: 'Ver el lead' },
  pt: { subject: 'Cliente reatribuído a você', heading: (n: string) => `${n} foi reatribuído a você`, by: 'Reatribuído por', reason: 'Motivo', phone: 'Telefone', email: 'E-mail', project: 'Projeto', deadline: 'Contatar antes de', noName: '(sem nome)', noProject: '(sem projeto)', call: 'Ligar', whatsapp: 'WhatsApp', mail: 'Escrever', open: 'Ver o lead' },
} as const;

export interface ReassignView {
  leadId: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  project: string | null;
  deadlineAt: number | null;
  reason: string;
  by: string;
}

/** The new owner's email: who the client is, why it moved, and one tap to call, write or open it. */
export function reassignEmail(v: ReassignView, o: { lang: Lang; timeZone: string; publicUrl?: string; vendorName: string | null; greeting?: string }): Rendered {
  const t = T[o.lang];
  const name = v.name ?? t.noName;
  const links = contactLinks({ name: v.name, phone: v.phone, email: v.email, project: v.project }, o.vendorName, { lang: o.lang, greeting: o.greeting });
  const rows: [string, string][] = [[t.reason, v.reason], [t.by, v.by], [t.project, v.project ?? t.noProject], [t.phone, v.phone ?? '—'], [t.email, v.email ?? '—']];
  if (v.deadlineAt !== null) rows.push([t.deadline, formatDate(v.deadlineAt, o.lang, o.timeZone)]);
  const url = leadUrl(o.publicUrl, v.leadId);
  const linkList: [string, string][] = [];
  if (links.tel) linkList.push([t.call, links.tel]);
  if (links.whatsapp) linkList.push([t.whatsapp, links.whatsapp]);
  if (links.mailto) linkList.push([t.mail, links.mailto]);
  if (url) linkList.push([t.open, url]);
  const heading = t.heading(name);
  const text = [heading, '', ...rows.map(([k, x]) => `${k}: ${x}`), '', ...linkList.map(([k, x]) => `${k}: ${x}`)].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="margin:0 0 8px">${esc(heading)}</h2>
<table>${rows.map(([k, x]) => `<tr><th align="left">${esc(k)}</th><td>${esc(x)}</td></tr>`).join('')}</table>
<p>${linkList.map(([k, x]) => `<a href="${esc(x)}" style="display:inline-block;padding:10px 14px;margin:4px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">${esc(k)}</a>`).join(' ')}</p>
</body></html>`;
  return { subject: `${t.subject}: ${name} - ${v.project ?? t.noProject}`.replace(/[\r\n\t]+/g, ' ').trim(), text, html };
}

/**
 * Queues the reassignment email to the new owner in the reassignment's own unit of work (the
 * outbox): a committed reassignment always has it, a refused one never. The lead described is the
 * newest one that moved to them (else the client's newest); the vendor's `notify` setting applies.
 */
export function* enqueueReassignNotice(tx: StoreTx, cfg: Config, r: { clientId: number; vendorId: string; reason: string; by: string; leadIds: number[]; now: number }): Work<boolean> {
  if (!cfg.notifications.enabled) return false;
  const vendor = yield* io(tx.getVendor(r.vendorId));
  const mode = vendorNotify(cfg, r.vendorId);
  if (!vendor?.email || (mode !== 'email' && mode !== 'both')) return false;
  const ids = r.leadIds.length ? r.leadIds : yield* io(tx.clientLeadIds(r.clientId));
  const leadId = ids.at(-1);
  const lead = leadId === undefined ? null : yield* io(tx.getLead(leadId));
  if (!lead) return false;
  const project = lead.projectId !== null ? yield* io(tx.projectName(lead.projectId)) : null;
  const greeting = cfg.projects.find((p) => p.name === project)?.whatsappGreeting;
  const view: ReassignView = { leadId: lead.id, name: lead.name, phone: lead.phone, email: lead.email, project: project ?? lead.projectText, deadlineAt: lead.contactState === 'por_contactar' ? lead.deadlineAt : null, reason: r.reason, by: r.by };
  const rendered = reassignEmail(view, { lang: langOf(cfg.country), timeZone: cfg.timezone, publicUrl: cfg.admin.publicUrl, vendorName: vendor.name, greeting });
  return yield* io(tx.enqueueNotification({
    key: `reassign:${r.clientId}:${r.vendorId}:${r.now}`, kind: 'assignment', leadId: lead.id, clientId: r.clientId, projectId: lead.projectId, vendorId: vendor.id,
    recipient: vendor.email, sender: null, subject: rendered.subject, text: rendered.text, html: rendered.html, headers: null, createdAt: r.now,
  }, r.now));
}
