import Database from 'better-sqlite3';
import { rng } from './generate.ts';

const KINDS = ['cotizacion', 'cotizacion', 'cotizacion', 'cotizacion', 'cotizacion', 'cotizacion', 'separacion', 'separacion', 'minuta', 'desembolso'];
const STATES = ['emitida', 'aprobada', 'cancelada', 'pendiente', 'modificada'];
const DAY = 86_400_000;

/**
 * `n` interactions on the clients of a query database (buildQueryDb), written directly: each
 * attributed to its client's lead (portal, medium, project), dated within weeks after the lead.
 */
export function addInteractions(file: string, n: number): void {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const leads = db.prepare('SELECT id, client_id, project_id, parser, medium, received_at, owner_vendor_id FROM leads WHERE client_id IS NOT NULL ORDER BY id').raw().all() as [number, number, number, string | null, string, number, string | null][];
  const ins = db.prepare(`INSERT INTO interactions (key, external_id, kind, client_id, project_id, at, product, model, amount, source, state, contact_state, deadline_at,
    lead_id, parser, medium, owner_vendor_id, reentry, actor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, 'sala_de_ventas', ?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?, ?)`);
  const random = rng(7);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const [leadId, clientId, projectId, parser, medium, received, owner] = leads[Math.floor(random() * leads.length)];
      const kind = KINDS[Math.floor(random() * KINDS.length)];
      const at = received + Math.floor(random() * 40 * DAY);
      const quote = kind === 'cotizacion';
      ins.run(`ext:${kind}:B${i}`, `B${i}`, kind, clientId, projectId, at, `Depto ${100 + (i % 900)}`, 2000 + (i % 3000), kind === 'separacion' ? STATES[i % STATES.length] : null,
        quote ? ['por_contactar', 'contactado', 'abortado'][i % 3] : null, quote ? at + 5 * DAY : null, leadId, parser, medium, owner, quote && random() < 0.05 ? 1 : 0, at, at);
    }
  })();
  db.exec('ANALYZE');
  db.pragma('synchronous = NORMAL');
  db.close();
}
