import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

// A client answering the company's email is a lead of that client, linked to the earlier lead:
// the quoted text finds the earlier lead, it never supplies the new lead's data.
const eml = (headers: Record<string, string>, body: string) =>
  `${Object.entries({ Date: 'Tue, 24 Nov 2026 10:15:00 -0300', 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Transfer-Encoding': '8bit', ...headers }).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`;

const first = eml(
  { From: 'Portal Casas <no-reply@portalcasas.cl>', To: 'ventas@inmobiliariaandes.cl', Subject: 'Nuevo contacto: Costanera Sur', 'Message-ID': '<lead-555@portalcasas.cl>' },
  'Nombre: Lucía Ramírez\nRUT: 9.876.543-3\nTeléfono: +56 9 3000 4000\nEmail: lucia.ramirez@gmail.com\nProyecto: Costanera Sur\n',
);
// From another address, answering through the thread (References names the portal's notification).
const reply = eml(
  { From: 'Lucía Ramírez <lr.trabajo@empresa.cl>', To: 'Pedro Salinas <psalinas@inmobiliariaandes.cl>', Subject: 'Re: Cotización Costanera Sur', 'Message-ID': '<reply-1@empresa.cl>', 'In-Reply-To': '<cot-1@inmobiliariaandes.cl>', References: '<lead-555@portalcasas.cl> <cot-1@inmobiliariaandes.cl>' },
  'Gracias Pedro, ¿podemos vernos el sábado?\n\nEl lun, 23 nov 2026 a las 16:02, Pedro Salinas <psalinas@inmobiliariaandes.cl> escribió:\n> Estimada Lucía, adjunto la cotización.\n> Pedro Salinas | +56 9 8888 1111 | psalinas@inmobiliariaandes.cl\n',
);
// No Message-ID in the store: the quoted portal notification names the earlier lead's email.
const reply2 = eml(
  { From: 'Lucía <lucia.r.2026@outlook.com>', To: 'ventas@inmobiliariaandes.cl', Subject: 'RE: Nuevo contacto: Costanera Sur', 'Message-ID': '<reply-2@outlook.com>', 'In-Reply-To': '<unknown@portalcasas.cl>' },
  'Sigo interesada, llámenme al 9 6111 2222.\n\n________________________________\nDe: Portal Casas <no-reply@portalcasas.cl>\nEnviado: lunes, 23 de noviembre de 2026 11:00\nPara: ventas@inmobiliariaandes.cl\nAsunto: Nuevo contacto: Costanera Sur\n\nNombre: Lucía Ramírez\nEmail: lucia.ramirez@gmail.com\n',
);

describe('replies in a thread', () => {
  it('link to the earlier lead\'s client and take nothing from the quote', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thread-'));
    fs.writeFileSync(path.join(dir, '1-first.eml'), first);
    fs.writeFileSync(path.join(dir, '2-reply.eml'), reply);
    fs.writeFileSync(path.join(dir, '3-reply.eml'), reply2);
    let out = '';
    const code = await main(['replay', dir, '--json', '--db', path.join(dir, 't.db'), '--config', 'fixtures/config.yaml'], {
      out: { write: (s: string) => ((out += s), true) } as never,
      err: { write: () => true } as never,
    });
    expect(code).toBe(0);
    const [a, b, c] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.quality).toBe('bueno');
    expect(b.fields).toMatchObject({ name: 'Lucía Ramírez', email: 'lr.trabajo@empresa.cl', phone: null, nationalId: null, project: 'Costanera Sur' });
    expect(b.clientId).toBe(a.clientId);
    expect(c.fields).toMatchObject({ email: 'lucia.r.2026@outlook.com', phone: '+56961112222', nationalId: null });
    expect(c.clientId).toBe(a.clientId);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
