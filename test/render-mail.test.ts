// What the worker sends back for the mail view and for an attachment's download.
import { describe, expect, it } from 'vitest';
import { renderMail } from '../src/pipeline/render-mail.ts';
import { mailWithAttachment, testConfig } from './helpers/mail.ts';

const BYTES = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 13) % 256));
const raw = mailWithAttachment({
  from: 'Formulario Web <web@inmobiliaria-ejemplo.cl>', to: 'ventas@inmobiliaria-ejemplo.cl', subject: 'Nuevo contacto',
  text: 'Nombre: Rigoberta Quispe\r\nFono: +56 9 8123 4567', name: 'plano.pdf', type: 'application/pdf', bytes: BYTES,
});
const { limits } = testConfig();

describe('renderMail', () => {
  it('the mail view: the body and the attachment list, no attachment bytes', async () => {
    const m = await renderMail(raw, limits);
    expect(m.text).toContain('Rigoberta Quispe');
    expect(m.attachments).toEqual([expect.objectContaining({ filename: 'plano.pdf', size: BYTES.length })]);
    expect(m.attachment).toBeUndefined();
  });

  it('a download: the attachment bytes, and no body copied back', async () => {
    const m = await renderMail(raw, limits, 0);
    expect(Buffer.from(m.attachment!.content).equals(BYTES)).toBe(true);
    expect(m.attachment!.filename).toBe('plano.pdf');
    expect(m.text).toBeNull();
    expect(m.html).toBeNull();
    expect(m.subject).toBe('Nuevo contacto');
  });

  it('an attachment position the email does not have: null, not an error', async () => {
    expect((await renderMail(raw, limits, 3)).attachment).toBeNull();
  });
});
