// One interaction as a file row or an API item gives it, checked and normalised: every reason a
// row is refused is reported (in Spanish, for the people who fix the ERP export).
import { countryModule, type Country } from '../countries/index.ts';
import { checkNationalId } from '../normalize/national-id.ts';
import { normalizeEmail } from '../normalize/email.ts';
import { normalizePhone } from '../normalize/phone.ts';
import { normalizeName, type PersonName } from '../normalize/name.ts';
import { matchProject, type ProjectIndex } from '../pipeline/project.ts';
import type { Cell, Column } from './columns.ts';
import { foldKey, parseAmount, parseDate } from './values.ts';
import { INTAKE_SOURCES, SEPARATION_STATES, type IntakeSource, type InteractionKind, type SeparationState } from './vocabulary.ts';

export type RecordedKind = Exclude<InteractionKind, 'lead'>;

export interface InteractionInput {
  kind: RecordedKind;
  nationalId: string | null;
  nationalIdType: string | null;
  email: string | null;
  phone: string | null;
  name: PersonName | null;
  project: string;
  at: number;
  state: SeparationState | null;
  amount: number | null;
  product: string | null;
  model: string | null;
  externalId: string | null;
  source: IntakeSource;
  /** As written (vendor id, email or name); resolved against the vendors by the import. */
  vendor: string | null;
}

export interface ValidationContext {
  country: Country;
  timeZone: string;
  projects: ProjectIndex;
  defaultSource: IntakeSource;
}

const KINDS: Record<string, RecordedKind> = {
  cotizacion: 'cotizacion', cotizaciones: 'cotizacion', cotizado: 'cotizacion', quote: 'cotizacion',
  separacion: 'separacion', separaciones: 'separacion', reserva: 'separacion', reservation: 'separacion',
  minuta: 'minuta', minuta_cv: 'minuta', minuta_compraventa: 'minuta', minuta_de_compraventa: 'minuta',
  desembolso: 'desembolso', desembolsos: 'desembolso', disbursement: 'desembolso',
};
const STATES = new Map<string, SeparationState>([
  ...SEPARATION_STATES.map((s) => [s, s] as [string, SeparationState]),
  ['cancelado', 'cancelada'], ['caducado', 'caducada'], ['rechazado', 'rechazada'], ['modificado', 'modificada'],
  ['modificada_en_minuta_cv', 'modificada_en_minuta'], ['modificado_en_minuta', 'modificada_en_minuta'], ['modificado_en_minuta_cv', 'modificada_en_minuta'],
  ['fuera_plazo', 'fuera_de_plazo'], ['inconcluso', 'inconclusa'], ['pendientes', 'pendiente'],
]);
const SOURCES: Record<string, IntakeSource> = {
  ...Object.fromEntries(INTAKE_SOURCES.map((s) => [s, s])),
  sala: 'sala_de_ventas', sala_ventas: 'sala_de_ventas', cotizador: 'cotizador_web', web: 'cotizador_web', cotizador_web_api: 'cotizador_web',
};

const text = (v: Cell | undefined, max = 300): string | null => {
  if (v === null || v === undefined) return null;
  const s = (v instanceof Date ? v.toISOString() : String(v)).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return s ? s.slice(0, max) : null;
};
const show = (s: string) => `"${s.slice(0, 40)}"`;

/** A record to an interaction, or every reason it cannot be one. */
export function validateRecord(v: Partial<Record<Column, Cell>>, ctx: ValidationContext): { value: InteractionInput | null; errors: string[] } {
  const errors: string[] = [];
  const kindText = text(v.kind);
  const kind = kindText ? KINDS[foldKey(kindText)] : undefined;
  if (!kindText) errors.push('falta el tipo (cotizacion, separacion, minuta o desembolso)');
  else if (!kind) errors.push(`tipo ${show(kindText)} desconocido: debe ser cotizacion, separacion, minuta o desembolso`);

  const idLabel = countryModule(ctx.country).idLabel;
  const idText = text(v.nationalId, 100);
  const id = idText ? checkNationalId(idText, ctx.country) : null;
  if (id && !id.id) errors.push(`${idLabel} ${show(idText!)} no es válido${id.reason ? ` (${id.reason})` : ''}`);
  const emailText = text(v.email, 300);
  const email = emailText ? normalizeEmail(emailText).email : null;
  const phoneText = text(v.phone, 64);
  const phone = phoneText ? normalizePhone(phoneText, ctx.country).e164 : null;
  // With a valid national ID the other keys only fill gaps: a bad one is left out, not fatal.
  if (!id?.id) {
    if (emailText && !email) errors.push(`email ${show(emailText)} no es válido`);
    if (phoneText && !phone) errors.push(`teléfono ${show(phoneText)} no es válido`);
    if (!idText && !emailText && !phoneText) errors.push(`sin ${idLabel}, email ni teléfono para identificar al cliente`);
  }

  const projectText = text(v.project);
  const project = projectText ? matchProject(projectText, ctx.projects) : null;
  if (!projectText) errors.push('falta el proyecto');
  else if (!project?.project) errors.push(`proyecto ${show(projectText)} desconocido${project?.candidate ? ` (¿${project.candidate}?)` : ''}`);

  const atCell = v.at ?? null;
  const at = parseDate(atCell instanceof Date ? atCell : text(atCell), ctx.timeZone);
  if (atCell === null || text(atCell) === null) errors.push('falta la fecha');
  else if (at === null) errors.push(`fecha ${show(text(atCell)!)} no válida: use aaaa-mm-dd o dd-mm-aaaa`);

  let state: SeparationState | null = null;
  const stateText = text(v.state);
  if (kind === 'separacion') {
    state = stateText ? (STATES.get(foldKey(stateText)) ?? null) : 'emitida';
    if (!state) errors.push(`estado ${show(stateText!)} desconocido: debe ser uno de ${SEPARATION_STATES.join(', ')}`);
  }

  const amountText = v.amount === null || v.amount === undefined ? null : typeof v.amount === 'number' ? v.amount : text(v.amount);
  const amount = amountText === null ? null : parseAmount(amountText);
  if (amountText !== null && (amount === null || amount < 0)) errors.push(`monto ${show(String(amountText))} no es un número válido`);

  const sourceText = text(v.source);
  const source = sourceText ? SOURCES[foldKey(sourceText)] : ctx.defaultSource;
  if (!source) errors.push(`tipo de ingreso ${show(sourceText!)} desconocido: debe ser ${INTAKE_SOURCES.join(', ')}`);

  const externalId = text(v.externalId, 100);
  if (errors.length) return { value: null, errors };
  return {
    value: {
      kind: kind!, nationalId: id?.id?.value ?? null, nationalIdType: id?.id?.type ?? null, email, phone,
      name: normalizeName(text(v.name, 200)).name, project: project!.project!, at: at!, state, amount,
      product: text(v.product, 200), model: text(v.model, 200), externalId, source: source!, vendor: text(v.vendor, 200),
    },
    errors,
  };
}
