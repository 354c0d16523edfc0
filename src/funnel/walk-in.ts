// A client who walks into the sales room, registered by hand: written as a form email and taken
// through the same pipeline as the portals' mail, so classification, matching and owners are the same.
import { randomUUID } from 'node:crypto';

export interface WalkIn { name?: string; nationalId?: string; email?: string; phone?: string; project?: string; message?: string }

export const WALK_IN_SENDER = 'sala-de-ventas@centralizador.invalid';

const clean = (s: string | undefined) => (s ?? '').replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ').trim();

/** The walk-in as a plain-text form email (`Label: value` lines, which the generic extraction reads). */
export function walkInEmail(w: WalkIn, actor: string, at: number): Buffer {
  const subject = `Registro manual en sala de ventas (${clean(actor)})`;
  const lines = [
    w.name && `Nombre: ${clean(w.name)}`,
    w.nationalId && `Documento: ${clean(w.nationalId)}`,
    w.email && `Email: ${clean(w.email)}`,
    w.phone && `Teléfono: ${clean(w.phone)}`,
    w.project && `Proyecto: ${clean(w.project)}`,
    `Mensaje: ${clean(w.message) || 'Visita en sala de ventas'}`,
  ].filter(Boolean);
  return Buffer.from(
    [
      `From: Sala de ventas <${WALK_IN_SENDER}>`,
      `To: ${WALK_IN_SENDER}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <walk-in-${randomUUID()}@centralizador.invalid>`,
      `Date: ${new Date(at).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      ...lines,
      '',
    ].join('\r\n'),
  );
}
