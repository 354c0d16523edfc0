import { rutCheckDigit } from '../src/normalize/national-id.ts';

/** Deterministic PRNG (mulberry32), so runs compare like with like. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['José', 'María', 'Ñuño', 'Sofía', 'Martín', 'Inés', 'Andrés', 'Catalina', 'Tomás', 'Valentina', 'Joaquín', 'Daniela'];
const LAST = ['Pérez', 'González', 'Muñoz', 'Rodríguez', 'Díaz', 'Núñez', 'Sepúlveda', 'Contreras', 'Fernández', 'Araya', 'Valdés', 'Ibáñez'];
export const BENCH_PROJECTS = ['Parque Los Robles', 'Mirador del Valle', 'Costanera Sur', 'Alto Ñuñoa', 'Vista Cordillera'];

function qp(s: string): string {
  // Quoted-printable for UTF-8 text, lines kept under 76 characters with soft breaks.
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  let line = '';
  for (const b of bytes) {
    const ch = b === 0x0a ? '\n' : (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ch === '\n') { out += `${line}\r\n`; line = ''; continue; }
    if (line.length + ch.length > 75) { out += `${line}=\r\n`; line = ''; }
    line += ch;
  }
  return out + line;
}

const FOOTER = Array.from({ length: 24 }, (_, i) => `<p style="font-family:Arial,sans-serif;font-size:11px;color:#888;margin:0 0 4px 0">Este correo fue enviado automáticamente por el portal. Línea informativa ${i + 1}: revisa nuestras políticas de privacidad, términos y condiciones de uso del servicio.</p>`).join('\n');

export interface GeneratedLead {
  raw: Buffer;
  messageId: string;
  rut: string;
  email: string;
}

/** A realistic 8-15 KB multipart lead email in one of several portal layouts. */
export function leadEmail(i: number, random: () => number, tag = 'bench'): GeneratedLead {
  const pick = <T>(a: T[]) => a[Math.floor(random() * a.length)];
  const first = pick(FIRST);
  const last = `${pick(LAST)} ${pick(LAST)}`;
  const body = 5_000_000 + ((i * 7919) % 20_000_000);
  const rut = `${body}-${rutCheckDigit(String(body))}`;
  const dotted = `${String(body).replace(/\B(?=(\d{3})+(?!\d))/g, '.')}-${rut.slice(-1)}`;
  const email = `${first.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()}.${i}@correo.cl`;
  const phone = `+56 9 ${8000 + (i % 1999)} ${String(1000 + (i % 8999)).padStart(4, '0')}`;
  const project = pick(BENCH_PROJECTS);
  const layout = i % 3;
  const messageId = `<${tag}-${i}-${Math.floor(random() * 1e9)}@notificaciones.portal.test>`;
  const rows: [string, string][] = [['Nombre', `${first} ${last}`], ['RUT', dotted], ['Correo electrónico', email], ['Teléfono', phone], ['Proyecto', `Edificio ${project}`], ['Mensaje', 'Hola, me interesa el departamento de 2 dormitorios. ¿Tienen disponibilidad y cuál es el valor del pie? Gracias.']];
  const htmlRows = layout === 0
    ? `<table cellpadding="4" style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><td style="font-weight:bold;color:#333">${k}:</td><td style="color:#555">${v}</td></tr>`).join('')}</table>`
    : layout === 1
      ? rows.map(([k, v]) => `<p style="margin:0 0 8px 0"><strong>${k}:</strong> <span>${v}</span></p>`).join('\n')
      : `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Nuevo contacto</title><style>body{font-family:Arial}</style></head><body><div style="max-width:600px;margin:0 auto"><h2 style="color:#e4002b">¡Tienes un nuevo contacto!</h2>${htmlRows}<hr>${FOOTER}</div></body></html>`;
  const text = `${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${FOOTER.replace(/<[^>]+>/g, '')}`;
  const boundary = `=_b${i}_${Math.floor(random() * 1e9).toString(36)}`;
  const raw = [
    `From: Portal de Prueba <notificaciones@portal.test>`,
    'To: ventas@inmobiliaria-ejemplo.cl',
    `Subject: =?UTF-8?Q?Nuevo_contacto_para_${encodeURIComponent(project).replace(/%/g, '=').replace(/=20/g, '_')}?=`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { raw: Buffer.from(raw), messageId, rut, email };
}
