import type { RenderedMail } from '../pipeline/render-mail.ts';
import { HttpError } from './errors.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

/** What the email frame may do: nothing. No scripts, forms, plugins or remote content; shown only inside the page. */
const MAIL_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The lead's stored email, parsed in the worker pool (untrusted work never runs on this thread). */
async function rendered(ctx: RequestContext): Promise<RenderedMail> {
  const id = leadIdParam(ctx.params.id);
  const row = await ctx.services.queries.rawBody(id, callerOf(ctx).scope);
  if (!row) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  if (!row.raw) throw new HttpError(410, row.purgedAt ? 'el correo original fue eliminado por la política de retención' : 'el correo no se guardó completo (supera el límite de tamaño)');
  const { app } = ctx.services;
  return app.workers.render(row.raw, app.config.limits, app.config.workers.deadlineMs);
}

/** Decoded headers, attachments and whether there is an HTML or text body. */
export async function leadMail(ctx: RequestContext) {
  const m = await rendered(ctx);
  return { json: { from: m.from, to: m.to, subject: m.subject, date: m.date, hasHtml: m.html !== null, text: m.text, attachments: m.attachments } };
}

/** The body as a document for a sandboxed frame: the email's HTML, or its text in a <pre>. */
export async function leadMailHtml(ctx: RequestContext) {
  const m = await rendered(ctx);
  const body = m.html ?? `<pre style="white-space:pre-wrap;font:14px/1.4 system-ui,sans-serif;margin:12px">${escapeHtml(m.text ?? '')}</pre>`;
  return {
    body: `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"></head><body>${body}</body></html>`,
    type: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': MAIL_CSP, 'X-Frame-Options': 'SAMEORIGIN' },
  };
}
