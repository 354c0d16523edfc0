import { openDatabase } from '../src/db/sqlite/open.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { rutCheckDigit } from '../src/normalize/national-id.ts';
import { fold } from '../src/pipeline/text.ts';
import { rng } from './generate.ts';

const DAY = 86_400_000;
const PARSERS = ['portal-inmobiliario', 'toctoc', 'mercado-libre', 'yapo', 'web-form', null];
const MEDIUM = { 'portal-inmobiliario': 'portales', toctoc: 'portales', 'mercado-libre': 'portales', yapo: 'portales', 'web-form': 'web' } as Record<string, string>;
const QUALITY = ['bueno', 'bueno', 'bueno', 'con_problemas', 'con_problemas', 'malo'];
const STATES = ['por_contactar', 'por_contactar', 'contactado', 'contactado', 'abortado', 'descartado'];
const FIRST = ['jose', 'maria', 'sofia', 'martin', 'ines', 'andres', 'catalina', 'tomas'];
const LAST = ['perez', 'gonzalez', 'munoz', 'rodriguez', 'diaz', 'nunez', 'araya', 'valdes'];

export interface QueryDb {
  file: string;
  leads: number;
  sampleRut: string;
  sampleEmail: string;
  project: string;
  from: string;
  to: string;
}

/**
 * A database of `n` leads written directly (not through the pipeline), spread over projects,
 * parsers, qualities, states and two years, with clients for the bueno ones.
 */
export function buildQueryDb(file: string, n: number, projects: string[], progress?: (done: number) => void): QueryDb {
  const db = openDatabase(file);
  const store = new Store(db);
  store.syncProjects(projects.map((name) => ({ name, aliases: [] })));
  const sqlite = db.$client;
  sqlite.pragma('synchronous = OFF');
  // Each lead's raw email is a row whose body was purged after retention, as in a database a year
  // old: the references hold (PostgreSQL checks them on `db copy`) without 1M bodies on disk.
  // (Bodies live in raw_bodies: a purged one has no rows there.)
  const insRaw = sqlite.prepare(`insert into raw_emails (id, source, file, sha256, size, received_at, stored_at, status, processed_at, purged_at)
    values (?, 'file', ?, ?, 2048, ?, ?, 'lead', ?, ?)`);
  const random = rng(42);
  const end = Date.UTC(2026, 10, 1);
  const start = end - 730 * DAY;
  const insLead = sqlite.prepare(`insert into leads (raw_email_id, parser, medium, quality, problems, name, first_name, last_name, national_id, national_id_type, email, phone,
    project_id, search_name, client_id, contact_state, received_at, deadline_at, follow_up_at, created_at, updated_at)
    values (?, ?, ?, ?, '[]', ?, ?, ?, ?, 'rut', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insClient = sqlite.prepare('insert into clients (national_id, national_id_type, email, phone, name, created_at) values (?, ?, ?, ?, ?, ?)');
  let sampleRut = '';
  let sampleEmail = '';
  const batch = 20_000;
  for (let i = 0; i < n; i += batch) {
    sqlite.transaction(() => {
      for (let k = i; k < Math.min(n, i + batch); k++) {
        const body = 3_000_000 + k * 17;
        const rut = `${body}-${rutCheckDigit(String(body))}`;
        const first = FIRST[k % FIRST.length];
        const name = `${first} ${LAST[(k >> 3) % LAST.length]}`;
        const email = `${first}.${k}@correo.cl`;
        const parser = PARSERS[Math.floor(random() * PARSERS.length)];
        const quality = QUALITY[Math.floor(random() * QUALITY.length)];
        const received = Math.floor(start + random() * (end - start));
        const projectId = store.projectId(projects[Math.floor(random() * projects.length)]);
        let clientId: number | null = null;
        if (quality === 'bueno') clientId = Number(insClient.run(rut, 'rut', email, `+5698${String(k).padStart(7, '0')}`, name, received).lastInsertRowid);
        insRaw.run(k + 1, `bench-${k + 1}.eml`, (k + 1).toString(16).padStart(64, '0'), received, received, received, end);
        insLead.run(k + 1, parser, parser ? MEDIUM[parser] : 'otros', quality, name, first, name.split(' ')[1], quality === 'malo' ? null : rut, quality === 'malo' ? null : email,
          `+5698${String(k).padStart(7, '0')}`, projectId, fold(name), clientId, STATES[Math.floor(random() * STATES.length)], received, received + 5 * DAY,
          quality === 'bueno' ? received + 5 * DAY : null, received, received);
        if (k === Math.floor(n / 2)) { sampleRut = rut; sampleEmail = email; }
      }
    })();
    progress?.(Math.min(n, i + batch));
  }
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('analyze');
  store.close();
  return { file, leads: n, sampleRut, sampleEmail, project: projects[0], from: new Date(end - 90 * DAY).toISOString().slice(0, 10), to: new Date(end).toISOString().slice(0, 10) };
}
