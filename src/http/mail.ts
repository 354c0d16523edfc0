import type { RenderedMail } from '../pipeline/render-mail.ts';
import { HttpError } from './errors.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

/** What the email frame may do: nothing. No scripts, forms, plugins or remote content; shown only inside the page. */
const MAIL_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A stored email parsed in the worker pool (untrusted work never runs on this thread); `attachment`: with its bytes. */
export async function renderStored(ctx: RequestContext, row: { raw: Buffer | null; purgedAt: number | null }, attachment?: number): Promise<RenderedMail> {
  if (!row.raw) throw new HttpError(410, row.purgedAt ? 'el correo original fue eliminado por la política de retención' : 'el correo no se guardó completo (supera el límite de tamaño)');
  const { app } = ctx.services;
  return app.workers.render(row.raw, app.config.limits, app.config.workers.deadlineMs, attachment);
}

/** The lead's stored email, if the lead is in the caller's scope. */
async function storedMail(ctx: RequestContext): Promise<{ raw: Buffer | null; purgedAt: number | null }> {
  const id = leadIdParam(ctx.params.id);
  const row = await ctx.services.queries.rawBody(id, callerOf(ctx).scope);
  if (!row) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  return row;
}

/** The lead's stored email, parsed in the worker pool. */
async function rendered(ctx: RequestContext): Promise<RenderedMail> {
  return renderStored(ctx, await storedMail(ctx));
}

/** `:n` of an attachment: its position in the email's list of attachments, from 0. */
export function attachmentParam(s: string | undefined): number {
  if (!s || !/^\d{1,2}$/.test(s)) throw new HttpError(400, 'n: debe ser la posición del adjunto (0 a 99)');
  return Number(s);
}

/** A name a browser can save as: no folders, quotes or control characters. */
function safeFilename(name: string | null, n: number): string {
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f"\\/:*?<>|]+/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 150);
  return clean || `adjunto-${n + 1}`;
}

/**
 * The attachment as a download, never shown in the page: its type is only the sender's claim, so
 * it goes as bytes to save (octet-stream, nosniff, sandboxed), named as in the email.
 */
export function attachmentReply(m: RenderedMail, n: number) {
  const a = m.attachment;
  if (!a) throw new HttpError(404, `el correo no tiene el adjunto ${n}`);
  const name = safeFilename(a.filename, n);
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return {
    body: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    type: 'application/octet-stream',
    headers: {
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'private, no-store',
    },
  };
}

/** One attachment of the lead's email, to download. */
export async function leadMailAttachment(ctx: RequestContext) {
  const row = await storedMail(ctx); // a lead out of scope is 404 whatever else the path says
  const n = attachmentParam(ctx.params.n);
  return attachmentReply(await renderStored(ctx, row, n), n);
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
