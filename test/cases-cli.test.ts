// `centralizer cases list` through the real entry point, against a real SQLite file: the Spanish
// table with due times and breaches, the filters, one JSON object per case, and clear errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { casesSchema } from '../src/cases/config.ts';
import { calendarFor, initialDueTimes } from '../src/cases/targets.ts';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/config.ts';
import { io } from '../src/db/port.ts';
import { createLogger } from '../src/logger.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-cases-cli-'));
const db = path.join(dir, 'cases.db');
const config = path.join(dir, 'config.yaml');
fs.writeFileSync(config, ['country: CL', `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`, 'projects:', '  - name: Parque Los Robles', '  - name: Mirador del Valle', ''].join('\n'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const streams = { out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never };
  const code = await main([...args, '--config', config, '--db', db], streams);
  return { code, out, err };
}

beforeAll(async () => {
  expect((await run(['config', 'apply'])).code).toBe(0);
  const app = await createApp(loadConfig(config).config, createLogger('silent'), { dbPath: db });
  const cfg = casesSchema.parse({});
  const cal = calendarFor(cfg, 'CL', 'America/Santiago');
  const now = Date.now();
  await app.store.unitOfWork(function* (tx) {
    for (const [category, subject, project, at] of [
      ['reclamo', 'Filtración en el baño', 'Parque Los Robles', now - 15 * 86_400_000],
      ['consulta', 'Gastos comunes', 'Mirador del Valle', now],
    ] as const) {
      const number = yield* io(tx.nextCounter('case_number'));
      yield* io(tx.insertCase({ number, category, status: 'abierto', subject, country: 'CL', projectId: app.store.projectId(project), createdAt: at, updatedAt: at, ...initialDueTimes(cfg, cal, category, at) }));
    }
  });
  await app.close();
});

describe('cases list', () => {
  it('prints every case in Spanish with its due times and whether it is late', async () => {
    const r = await run(['cases', 'list']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^Caso\s+Categoría\s+Estado\s+Proyecto\s+Responsable\s+Ingreso\s+Vence 1ª resp\.\s+Vence resolución\s+Vencido$/);
    expect(lines.find((l) => l.includes('Reclamo'))).toMatch(/Abierto.*Parque Los Robles.*\(sin responsable\).*SÍ$/);
    expect(lines.find((l) => l.includes('Consulta'))).toMatch(/no$/);
    expect(lines.at(-1)).toBe('2 casos');
  });

  it('filters by category, project and breach; --json gives one object per case', async () => {
    expect((await run(['cases', 'list', '--category', 'consulta'])).out).toMatch(/1 caso\n$/);
    expect((await run(['cases', 'list', '--breached'])).out).toMatch(/Reclamo[\s\S]*1 caso\n$/);
    const json = (await run(['cases', 'list', '--project', 'Mirador del Valle', '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ category: 'consulta', status: 'abierto', project: 'Mirador del Valle', breached: { firstResponse: false, resolution: false } });
    expect(json[0].due.firstResponse).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses unknown words and projects with a clear message', async () => {
    const bad = await run(['cases', 'list', '--status', 'perdido']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--status: "perdido" no es válido/);
    const unknown = await run(['cases', 'list', '--project', 'Torre X']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/proyecto desconocido/);
    expect((await run(['cases', 'show'])).code).toBe(2);
  });
});
