// Attachments to download (SQLite, and PostgreSQL in the postgres project): a lead's email (the detail view) and a case's incoming
// email (atención). The stored email is parsed again in the worker pool; the bytes come back whole,
// as a download (octet-stream, nosniff), named as in the email; scope is checked in SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './http-fixture.ts';
import { mailWithAttachment, rut } from './helpers/mail.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';

/** Every byte value, so a lossy decoding or a text conversion would show. */
const BINARY = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const PDF_NAME = 'plano del depto — 2º piso.pdf';

describe('attachments to download', () => {
  let h: Harness;
  let outsider: string;
  let atencion: string;
  let leadId: number;
  let caseId: number;

  beforeAll(async () => {
    h = await startHarness({
      projects: [`  - name: ${PLR}`, '    vendors:', '      - {id: v1, name: Vera Díaz}', `  - name: ${MDV}`, '    vendors:', '      - {id: v3, name: Ana Soto}'],
      extraYaml: ['mailboxes:', '  - {name: postventa, host: 127.0.0.1, user: postventa@inmobiliaria-ejemplo.cl, password: x, purpose: servicio}'],
    });
    outsider = await h.addUser('ana@inmo.cl', 'vendedor', { name: 'Ana', vendorId: 'v3' });
    atencion = await h.addUser('pilar@inmo.cl', 'atencion', { name: 'Pilar' });
    const lead = await h.app.ingestor.ingest(
      mailWithAttachment({
        from: 'Formulario Web <web@inmobiliaria-ejemplo.cl>', to: 'ventas@inmobiliaria-ejemplo.cl', subject: 'Nuevo contacto',
        text: `Nombre: Rigoberta Quispe\r\nRUT: ${rut(18765432)}\r\nCorreo: rigoberta.q@correo.cl\r\nFono: +56 9 8123 4567\r\nProyecto: ${PLR}`,
        name: PDF_NAME, type: 'application/pdf', bytes: BINARY,
      }),
      { source: 'file' },
    );
    leadId = lead.leadId!;
    const complaint = await h.app.ingestor.ingest(
      mailWithAttachment({
        from: 'Hugo Tapia <hugo.tapia@gmail.com>', to: 'postventa@inmobiliaria-ejemplo.cl', subject: 'Filtración en el baño',
        text: 'Buenas tardes, hay una filtración en el baño del depto 1502 desde ayer. Adjunto foto.',
        name: 'foto.jpg', type: 'image/jpeg', bytes: BINARY.subarray(0, 1234),
      }),
      { source: 'imap', mailbox: 'postventa', uidValidity: 1, uid: 1 },
    );
    caseId = (complaint as { caseId?: number }).caseId!;
  });
  afterAll(() => h?.close());

  it("a lead's attachment downloads whole, as bytes to save, named as in the email", async () => {
    expect(leadId).toBeGreaterThan(0);
    const m = await h.json<{ attachments: { filename: string; size: number }[] }>(`/api/leads/${leadId}/mail`);
    expect(m.attachments).toEqual([expect.objectContaining({ filename: PDF_NAME, size: BINARY.length })]);
    const r = await h.call(`/api/leads/${leadId}/mail/attachments/0`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(BINARY)).toBe(true);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    // An ASCII name for old clients, the exact one (RFC 6266) for the rest.
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="plano del depto _ 2_ piso.pdf"; filename*=UTF-8''${encodeURIComponent(PDF_NAME)}`);
  });

  it('an attachment the email lacks is 404, a bad position 400, a lead out of scope 404', async () => {
    expect((await h.call(`/api/leads/${leadId}/mail/attachments/1`)).status).toBe(404);
    expect((await h.call(`/api/leads/${leadId}/mail/attachments/x`)).status).toBe(400);
    expect((await h.call(`/api/leads/${leadId}/mail/attachments/0`, { token: outsider })).status).toBe(404);
  });

  it("a case's incoming email: atención downloads its attachment; another case's message and a vendor outside see nothing", async () => {
    expect(caseId).toBeGreaterThan(0);
    const detail = await h.json<{ messages: { id: number; direction: string; attachments: { filename: string }[] }[] }>(`/api/cases/${caseId}`, { token: atencion });
    const incoming = detail.messages.find((m) => m.direction === 'in')!;
    expect(incoming.attachments).toEqual([expect.objectContaining({ filename: 'foto.jpg' })]);
    const path = `/api/cases/${caseId}/messages/${incoming.id}/attachments/0`;
    const r = await h.call(path, { token: atencion });
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(BINARY.subarray(0, 1234))).toBe(true);
    expect(r.headers.get('content-disposition')).toContain('filename="foto.jpg"');
    expect((await h.call(`/api/cases/${caseId}/messages/${incoming.id + 1000}/attachments/0`, { token: atencion })).status).toBe(404);
    expect((await h.call(path, { token: outsider })).status).toBe(404);
  });
});
