import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

describe('personal data stays out of the logs', () => {
  it('a full ingest at info level logs none of the field values, even when call sites pass them', async () => {
    let logged = '';
    const sink = new Writable({ write(chunk, _enc, cb) { logged += chunk.toString(); cb(); } });
    const log = createLogger('info', sink);
    const app = await createApp(testConfig(), log, { dbPath: ':memory:' });
    const values = { Nombre: 'Rigoberta Quispe', RUT: rut(18765432), Correo: 'rigoberta.q@correo.cl', Fono: '+56 9 8123 4567', Proyecto: 'PLR' };
    await app.ingestor.ingest(formEmail({ lines: values }), { source: 'file' });
    await app.ingestor.ingest(Buffer.from('Subject: Rigoberta Quispe rigoberta.q@correo.cl\r\n\r\n'), { source: 'file' });
    log.info({ email: values.Correo, lead: { name: values.Nombre, phone: '+56981234567', nationalId: values.RUT } }, 'a careless call site');
    // Deeper than pino's redaction paths reach: the same keys, masked at any depth.
    log.info({ lead: { client: { email: 'deep.rigoberta@correo.cl', name: 'Rigoberta Deep', auth: { password: 'hunter2-secret' } } } }, 'a deeper careless call site');
    log.flush?.();
    await new Promise((r) => setTimeout(r, 50));
    expect(logged).toContain('a careless call site');
    expect(logged).toContain('a deeper careless call site');
    for (const v of [values.Nombre, values.RUT, values.Correo, '+56981234567', 'Quispe', 'deep.rigoberta', 'Rigoberta Deep', 'hunter2-secret']) expect(logged).not.toContain(v);
    app.close();
  });

  it('the readable format (a terminal) prints one line per entry, masked too', () => {
    let logged = '';
    const sink = new Writable({ write(chunk, _enc, cb) { logged += chunk.toString(); cb(); } });
    const log = createLogger('info', sink, { pretty: true });
    log.warn({ component: 'smtp', reason: 'refused for rigoberta.q@correo.cl' }, 'delivery failed');
    expect(logged).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] WARN: delivery failed /);
    expect(logged).toContain('[email]');
    expect(logged).not.toContain('rigoberta.q@correo.cl');
    expect(logged.trim().split('\n')).toHaveLength(1);
  });
});
