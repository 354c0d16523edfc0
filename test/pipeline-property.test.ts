import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { formEmail, testConfig, testContext } from './helpers/mail.ts';

const app = await createApp(testConfig(), createLogger('silent'), { dbPath: ':memory:' });
afterAll(() => app.close());

const header = fc.constantFrom('From', 'Subject', 'Content-Type', 'Content-Transfer-Encoding', 'Message-ID', 'Date', 'Reply-To', 'X-Junk');
const mimeish = fc
  .tuple(fc.array(fc.tuple(header, fc.string({ maxLength: 80 })), { maxLength: 8 }), fc.oneof(fc.string({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a).toString('latin1'))))
  .map(([hs, body]) => Buffer.from(`${hs.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`, 'latin1'));

describe('raw bytes to classification, for any input', () => {
  it('ingest stores a result or an error and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mimeish, fc.uint8Array({ maxLength: 4000 }).map((a) => Buffer.from(a))), async (raw) => {
        const r = await app.ingestor.ingest(raw, { source: 'file' });
        expect(['lead', 'ignored', 'error', 'too_large']).toContain(r.status);
        expect(app.store.getRaw(r.rawEmailId)).not.toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it('the same input gives the same outcome', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('Nombre', 'RUT', 'Correo', 'Fono', 'Proyecto', 'Mensaje', 'Otro'), fc.string({ maxLength: 60 })), async (lines) => {
        const raw = formEmail({ lines, messageId: '<fixed@x>' });
        const a = await runPipeline(raw, testContext());
        const b = await runPipeline(raw, testContext());
        expect(b).toEqual(a);
        if (a.kind === 'lead' && a.quality === 'bueno') expect(a.fields.nationalId && a.fields.email && a.fields.name && a.fields.project).toBeTruthy();
      }),
      { numRuns: 150 },
    );
  });
});
