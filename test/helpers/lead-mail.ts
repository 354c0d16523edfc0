// Realistic multipart lead notification emails for IMAP tests: unique Message-ID, valid RUT.

/** Check digit of a Chilean RUT body (modulo 11). */
export function rutCheckDigit(body: number): string {
  let sum = 0;
  let factor = 2;
  for (const d of String(body).split('').reverse()) {
    sum += Number(d) * factor;
    factor = factor === 7 ? 2 : factor + 1;
  }
  const dv = 11 - (sum % 11);
  return dv === 11 ? '0' : dv === 10 ? 'K' : String(dv);
}

/** A RUT formatted as 12.345.678-5, derived from n so each lead has its own. */
export function rutFor(n: number): string {
  const body = 10_000_000 + ((n * 7919) % 14_000_000);
  return `${body.toLocaleString('de-DE')}-${rutCheckDigit(body)}`;
}

const FIRST = ['Camila', 'Matías', 'Valentina', 'Benjamín', 'Sofía', 'Joaquín', 'Isidora', 'Tomás'];
const LAST = ['González', 'Muñoz', 'Rojas', 'Díaz', 'Pérez', 'Soto', 'Contreras', 'Silva'];

let seq = 0;

export interface LeadMail {
  messageId: string;
  raw: Buffer;
}

/** One lead email; `tag` keeps Message-IDs unique across tests and runs. */
export function leadMail(tag: string, n = ++seq, opts: { to?: string } = {}): LeadMail {
  const first = FIRST[n % FIRST.length];
  const last = LAST[Math.floor(n / FIRST.length) % LAST.length];
  const messageId = `<lead-${tag}-${n}-${process.pid}@portal.example.cl>`;
  const email = `${first.normalize('NFD').replace(/[^\w]/g, '').toLowerCase()}.${n}.${tag}@gmail.com`;
  const phone = `+56 9 ${String(5000_0000 + n).replace(/(\d{4})(\d{4})/, '$1 $2')}`;
  const boundary = `b-${tag}-${n}`;
  const text = [
    'Has recibido un nuevo contacto para tu proyecto.',
    '',
    `Nombre: ${first} ${last}`,
    `RUT: ${rutFor(n)}`,
    `Email: ${email}`,
    `Teléfono: ${phone}`,
    'Proyecto: Parque Los Robles',
    'Mensaje: Hola, me interesa un departamento de 2 dormitorios.',
    '',
  ].join('\r\n');
  const html = `<html><body><p>Has recibido un nuevo contacto.</p><table>` +
    `<tr><td>Nombre:</td><td>${first} ${last}</td></tr><tr><td>RUT:</td><td>${rutFor(n)}</td></tr>` +
    `<tr><td>Email:</td><td>${email}</td></tr><tr><td>Teléfono:</td><td>${phone}</td></tr>` +
    `<tr><td>Proyecto:</td><td>Parque Los Robles</td></tr></table></body></html>`;
  const raw = [
    'From: Portal de Propiedades <notificaciones@portal.example.cl>',
    'To: ventas@inmobiliaria.example.cl',
    `Subject: Nuevo contacto: Parque Los Robles (${n})`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { messageId, raw: Buffer.from(raw, 'utf8') };
}

/** `count` lead emails for one tag. */
export function leadMails(tag: string, count: number): LeadMail[] {
  return Array.from({ length: count }, (_, i) => leadMail(tag, i + 1));
}
