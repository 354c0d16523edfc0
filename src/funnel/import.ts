// Takes interactions in (an ERP file, the API): every record is checked and matched to its client
// first; only then, and only when nothing failed (or --skip-invalid), is anything written, in one
// transaction. A record already stored (same external id, or same content) changes nothing.
import { createHash } from 'node:crypto';
import type { Scope } from '../auth/scope.ts';
import type { ClientRow, NewClient, StoreReads, StoreTx, Work } from '../db/port.ts';
import { io } from '../db/port.ts';
import { fillGaps, findClient } from '../leads/matching.ts';
import { followUpDue } from '../leads/follow-ups.ts';
import type { SourceRecord } from './columns.ts';
import { deriveClient } from './rules.ts';
import { validateRecord, type InteractionInput, type ValidationContext } from './validate.ts';
import { NO_LEAD, type IntakeSource } from './vocabulary.ts';
import type { UpsertOutcome } from '../db/funnel-reads.ts';

export interface ImportSettings extends Omit<ValidationContext, 'defaultSource'> {
  followUpDays: number;
}

export interface ImportOptions {
  actor: string;
  defaultSource: IntakeSource;
  dryRun?: boolean;
  /** Import the valid records and report the others, instead of importing nothing. */
  skipInvalid?: boolean;
  /** A record whose client is unknown creates the client (full-scope callers); otherwise it is refused. */
  createClients: boolean;
  /** Limited callers: the scope a matched client must be in (acted on only when visible). */
  clientScope?: Scope;
  /** Limited callers: may they act on this project? */
  seesProject?: (projectId: number) => boolean;
  /** The vendor a record without `vendedor` names (a vendedor's own writes name themselves). */
  defaultVendorId?: string | null;
  /** Limited callers: why a record may not name this vendor (another vendor, outside the team), given the projects the vendor sells; or null. */
  vendorRefusal?: (vendorId: string, projectId: number | null, vendorProjects: number[]) => string | null;
  /** Each row created or updated, inside the import's transaction (the audit trail). */
  onWritten?: (w: WrittenInteraction) => void;
  onProgress?: (phase: 'validando' | 'importando', done: number, total: number) => void;
  now: number;
}

export interface RecordError { line: number; reason: string }

export interface WrittenInteraction {
  id: number;
  outcome: Exclude<UpsertOutcome, 'unchanged'>;
  kind: string;
  externalId: string | null;
  clientId: number;
  projectId: number;
  /** Updates: the content the row had. */
  before?: Record<string, unknown>;
}

export interface ImportReport {
  records: number;
  valid: number;
  errors: RecordError[];
  created: number;
  updated: number;
  unchanged: number;
  clientsCreated: number;
  /** False when errors stopped the import: nothing was written. */
  imported: boolean;
  dryRun: boolean;
  ids: number[];
}

interface Checked { line: number; input: InteractionInput; projectId: number; vendorId: string | null }

/** Ends a dry run's unit of work (its writes roll back) carrying the report. */
class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}
const PROGRESS_EVERY = 500;

const clientKeys = (i: InteractionInput) => ({ nationalId: i.nationalId, email: i.email, phone: i.phone });

function keyOf(i: InteractionInput, clientId: number, projectId: number): string {
  if (i.externalId) return `ext:${i.kind}:${i.externalId}`;
  const content = JSON.stringify([i.kind, clientId, projectId, i.at, i.product, i.model, i.amount, i.state]);
  return `sum:${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}

/** Checks every record (fields, project, vendor, client, duplicates) without writing. */
function* check(records: SourceRecord[], s: StoreReads, settings: ImportSettings, o: ImportOptions): Work<{ errors: RecordError[]; valid: Checked[] }> {
  const errors: RecordError[] = [];
  const valid: Checked[] = [];
  const seenIds = new Map<string, { line: number; content: string }>();
  const ctx: ValidationContext = { ...settings, defaultSource: o.defaultSource };
  const scope = o.clientScope;
  const sees = function* (clientId: number): Work<boolean> {
    return scope ? yield* io(s.clientVisible(clientId, scope)) : true;
  };
  for (const [n, r] of records.entries()) {
    if (n % PROGRESS_EVERY === 0) o.onProgress?.('validando', n, records.length);
    const { value, errors: reasons } = validateRecord(r.values, ctx);
    const projectId = value ? s.projectId(value.project) : null;
    let vendorId: string | null = null;
    if (value) {
      if (projectId === null) reasons.push(`el proyecto "${value.project}" no está en la base de datos (centralizer config apply)`);
      else if (o.seesProject && !o.seesProject(projectId)) reasons.push(`proyecto "${value.project}" fuera de tu alcance`);
      if (value.vendor) {
        vendorId = yield* io(s.vendorIdFor(value.vendor));
        if (!vendorId) reasons.push(`vendedor "${value.vendor.slice(0, 40)}" desconocido`);
      } else vendorId = o.defaultVendorId ?? null;
      const refused = vendorId && o.vendorRefusal ? o.vendorRefusal(vendorId, projectId, yield* io(s.vendorProjectIds(vendorId))) : null;
      if (refused) reasons.push(refused);
      const client = yield* findClient(s as StoreTx, clientKeys(value));
      if (client && !(yield* sees(client.id))) reasons.push('ningún cliente tuyo coincide con el documento, email o teléfono');
      if (!client && !o.createClients) reasons.push('ningún cliente tuyo coincide con el documento, email o teléfono');
      if (value.externalId) {
        // An external id is the company's: one already recorded outside the caller's scope (another
        // vendor's or project's interaction) is not theirs to move or rewrite.
        const stored = scope ? yield* io(s.interactionByKey(`ext:${value.kind}:${value.externalId}`)) : null;
        if (stored && scope && !(yield* io(s.interactionInScope(`ext:${value.kind}:${value.externalId}`, scope)))) {
          reasons.push(`el id "${value.externalId.slice(0, 40)}" ya está registrado en una interacción que no es tuya: no se puede modificar`);
        }
        const key = `${value.kind}:${value.externalId}`;
        const content = JSON.stringify({ ...value, vendor: vendorId });
        const seen = seenIds.get(key);
        if (seen && seen.content !== content) reasons.push(`el id "${value.externalId.slice(0, 40)}" ya aparece en la línea ${seen.line} con otros datos`);
        else if (!seen) seenIds.set(key, { line: r.line, content });
      }
    }
    if (reasons.length) errors.push({ line: r.line, reason: reasons.join('; ') });
    else valid.push({ line: r.line, input: value!, projectId: projectId!, vendorId });
  }
  return { errors, valid };
}

function* clientFor(tx: StoreTx, c: Checked, now: number): Work<{ client: ClientRow; created: boolean }> {
  const i = c.input;
  const found = yield* findClient(tx, clientKeys(i));
  const f = { ...clientKeys(i), nationalIdType: i.nationalIdType, name: i.name?.full ?? null, firstName: i.name?.first ?? null, lastName: i.name?.last ?? null };
  if (found) {
    const fill = fillGaps(found, f);
    if (Object.keys(fill).length) yield* io(tx.updateClient(found.id, fill));
    return { client: found, created: false };
  }
  const row: NewClient = { ...f, ownerVendorId: c.vendorId, ownerSince: c.vendorId ? now : null, createdAt: now };
  const id = yield* io(tx.insertClient(row));
  return { client: { id, ...row, ownerVendorId: c.vendorId, ownerSince: row.ownerSince ?? null, lastActivityAt: null } as ClientRow, created: true };
}

/**
 * Validates everything, then (unless errors or a dry run) writes the records: one unit of work
 * (run it with `store.unitOfWork`; a dry run throws DryRun at its end, so nothing is kept: use
 * `runImport`).
 */
export function* importRecords(tx: StoreTx, records: SourceRecord[], settings: ImportSettings, o: ImportOptions): Work<ImportReport> {
  const { errors, valid } = yield* check(records, tx, settings, o);
  o.onProgress?.('validando', records.length, records.length);
  const report: ImportReport = { records: records.length, valid: valid.length, errors, created: 0, updated: 0, unchanged: 0, clientsCreated: 0, imported: false, dryRun: Boolean(o.dryRun), ids: [] };
  if (errors.length && !o.skipInvalid) return report;
  const counts: Record<UpsertOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  const touched = new Set<number>();
  for (const [n, c] of valid.entries()) {
    if (n % PROGRESS_EVERY === 0) o.onProgress?.('importando', n, valid.length);
    const { client, created } = yield* clientFor(tx, c, o.now);
    if (created) report.clientsCreated++;
    const i = c.input;
    const r = yield* io(tx.upsertInteraction({
        key: keyOf(i, client.id, c.projectId), externalId: i.externalId, kind: i.kind, clientId: client.id, projectId: c.projectId, at: i.at, product: i.product, model: i.model,
        amount: i.amount, source: i.source, state: i.state, deadlineAt: followUpDue(i.at, settings.followUpDays), leadId: null,
      ownerVendorId: c.vendorId ?? client.ownerVendorId, actor: o.actor,
    }, o.now));
    counts[r.outcome]++;
    report.ids.push(r.id);
    if (r.outcome !== 'unchanged') o.onWritten?.({ id: r.id, outcome: r.outcome, kind: i.kind, externalId: i.externalId, clientId: client.id, projectId: c.projectId, ...(r.before ? { before: r.before } : {}) });
    if (r.outcome !== 'unchanged') touched.add(client.id);
  }
  for (const clientId of touched) yield* rederive(tx, clientId, o.now);
  o.onProgress?.('importando', valid.length, valid.length);
  Object.assign(report, counts, { imported: !o.dryRun });
  if (o.dryRun) throw new DryRun(report);
  return report;
}

/** Runs an import in one unit of work; a dry run's writes are rolled back and its report answered. */
export async function runImport(store: { unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T> }, work: (tx: StoreTx) => Work<ImportReport>): Promise<ImportReport> {
  try {
    return await store.unitOfWork(work);
  } catch (e) {
    if (e instanceof DryRun) return e.report;
    throw e;
  }
}

/** Attribution and the counting rule, recomputed from the client's whole history. */
export function* rederive(tx: StoreTx, clientId: number, now: number): Work<void> {
  const { leads, events } = yield* io(tx.clientHistory(clientId));
  for (const [id, d] of deriveClient(leads, events)) yield* io(tx.setInteractionDerived(id, d, NO_LEAD, now));
}
