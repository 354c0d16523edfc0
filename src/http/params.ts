import { searchPlan } from '../leads/search.ts';
import type { Country } from '../countries/index.ts';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { CONTACT_STATES, MEDIUMS, NO_PARSER, QUALITIES, STATUSES, type Cursor, type LeadFilter } from '../db/lead-filter.ts';
import { HttpError } from './errors.ts';
import { zoneOffset } from '../time-zone.ts';

/** Keys that would reach Object.prototype in careless code; refused wherever a name comes from a request. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const BODY_LIMIT = 64 * 1024;

/** Query string to a plain null-prototype object: refused names, repeated names and oversize values are 400. */
export function readQuery(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of params) {
    const name = key.slice(0, 40);
    if (FORBIDDEN_KEYS.has(key)) throw new HttpError(400, `${name}: nombre de parámetro rechazado`);
    if (key in out) throw new HttpError(400, `${name}: viene más de una vez`);
    if (value.length > 1000) throw new HttpError(400, `${name}: demasiado largo`);
    out[key] = value;
  }
  return out;
}

/** JSON body, bounded to 64 KB, prototype keys refused; an empty body is {}. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) throw new HttpError(413, `body: más de ${BODY_LIMIT} bytes`, { Connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, `body: más de ${BODY_LIMIT} bytes`, { Connection: 'close' });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'body: el Content-Type debe ser application/json');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'), (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new HttpError(400, `body.${key}: clave rechazada`);
      return value;
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, 'body: no es JSON válido');
  }
}

/** Comma-separated values of a fixed set: "bueno,malo". */
function oneOf<T extends string>(values: readonly T[]) {
  return z
    .string()
    .max(300)
    .transform((s, ctx) => {
      const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
      for (const p of parts) {
        if (!(values as readonly string[]).includes(p)) ctx.addIssue({ code: 'custom', message: `"${p.slice(0, 40)}" is not one of ${values.join(', ')}` });
      }
      return parts as T[];
    });
}

const names = (re: RegExp, what: string) =>
  z
    .string()
    .max(2000)
    .transform((s, ctx) => {
      const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
      if (parts.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 values' });
      for (const p of parts) if (!re.test(p)) ctx.addIssue({ code: 'custom', message: `not a valid ${what}` });
      return parts;
    });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const dateParam = z.string().refine((s) => DATE.test(s) || (DATETIME.test(s) && !Number.isNaN(Date.parse(s))), 'debe ser una fecha ISO (2024-05-31) o fecha y hora con zona (2024-05-31T10:00:00Z)');

/** A vendor id as config gives it: 1-100 characters, no control characters. */
export const vendorId = z
  .string()
  .min(1, 'debe ser un id de vendedor')
  .max(100, 'debe ser un id de vendedor')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'debe ser un id de vendedor');

export const filterShape = {
  quality: oneOf(QUALITIES).optional(),
  contactState: oneOf(CONTACT_STATES).optional(),
  status: oneOf(STATUSES).optional(),
  project: names(/^[^\u0000-\u001f]{1,200}$/, 'project name').optional(),
  parser: names(new RegExp(`^([a-z0-9][a-z0-9-]{0,79}|${NO_PARSER})$`), 'parser id').optional(),
  medium: oneOf(MEDIUMS).optional(),
  from: dateParam.optional(),
  to: dateParam.optional(),
  q: z.string().max(100).optional(),
  owner: vendorId.optional(),
};
export const filterQuery = z.strictObject(filterShape);
export const listQuery = z.strictObject({
  ...filterShape,
  limit: z.string().regex(/^\d{1,3}$/, 'debe ser un número entero de 1 a 200').transform(Number).refine((n) => n >= 1 && n <= 200, 'debe ser de 1 a 200').optional(),
  cursor: z.string().max(200).optional(),
});
export type FilterQuery = z.infer<typeof filterQuery>;

/** Midnight of a calendar day in the company's time zone (a manager's "from 2024-05-01" means local time). */
export function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  try {
    const first = guess - zoneOffset(guess, timeZone);
    return guess - zoneOffset(first, timeZone);
  } catch {
    return guess; // unknown zone in config: UTC rather than a 500
  }
}

/** A date or date-time parameter to epoch ms; a date-only `to` means the end of that day. */
export function resolveDate(value: string, timeZone: string, end: boolean, name = end ? 'to' : 'from'): number {
  const m = DATE.exec(value);
  if (!m) return Date.parse(value) + (end ? 1 : 0);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) throw new HttpError(400, `${name}: no es una fecha del calendario`);
  return end ? zonedMidnight(y, mo, d + 1, timeZone) : zonedMidnight(y, mo, d, timeZone);
}

/** Validated query to the storage filter; unknown project names or vendors are a 400, not an empty page. */
export async function toLeadFilter(q: FilterQuery, country: Country, queries: { projectIds(names: string[]): Promise<Map<string, number>> }, timeZone: string, vendorExists: (id: string) => Promise<boolean>): Promise<LeadFilter> {
  const f: LeadFilter = { quality: q.quality, contactState: q.contactState, status: q.status, medium: q.medium };
  if (q.project?.length) {
    const ids = await queries.projectIds(q.project);
    const unknown = q.project.find((p) => !ids.has(p));
    if (unknown !== undefined) throw new HttpError(400, `project: proyecto desconocido "${unknown.slice(0, 60)}"`);
    f.projectIds = [...ids.values()];
  }
  if (q.parser?.length) f.parsers = q.parser.map((p) => (p === NO_PARSER ? null : p));
  if (q.from) f.from = resolveDate(q.from, timeZone, false);
  if (q.to) f.to = resolveDate(q.to, timeZone, true);
  if (f.from !== undefined && f.to !== undefined && f.to <= f.from) throw new HttpError(400, 'to: debe ser posterior a from');
  const text = q.q?.trim();
  if (text) f.q = searchPlan(text, country);
  if (q.owner !== undefined) {
    if (!(await vendorExists(q.owner))) throw new HttpError(400, `owner: vendedor desconocido "${q.owner.slice(0, 60)}"`);
    f.ownerVendorId = q.owner;
  }
  return f;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.receivedAt, c.id])).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  const bad = new HttpError(400, 'cursor: no es un cursor de este servidor');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(s)) throw bad;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isSafeInteger(n) && n >= 0)) throw bad;
  return { receivedAt: v[0], id: v[1] };
}

/** `:id` path segment: a positive integer, nothing else (path traversal and injection end here). */
export function leadIdParam(s: string | undefined): number {
  if (!s || !/^[1-9]\d{0,14}$/.test(s)) throw new HttpError(400, 'id: debe ser un número entero positivo');
  return Number(s);
}

/** `:id` of a vendor, URL-decoded and validated like any other input. */
export function vendorIdParam(s: string | undefined): string {
  let value: string;
  try {
    value = decodeURIComponent(s ?? '');
  } catch {
    throw new HttpError(400, 'id: debe ser un id de vendedor');
  }
  const r = vendorId.safeParse(value);
  if (!r.success) throw new HttpError(400, `id: ${r.error.issues[0]?.message ?? 'debe ser un id de vendedor'}`);
  return r.data;
}
