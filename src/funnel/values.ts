// Cell values as ERP exports and people write them: dates, amounts, names of states and columns.
import { zoneOffset } from '../time-zone.ts';

/** Lower case, no accents, words joined by '_': "Modificada en minuta CV" -> "modificada_en_minuta_cv". */
export function foldKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A wall-clock time in the company's zone to epoch ms (a date written in a file means local time). */
export function zonedTime(y: number, m: number, d: number, h: number, min: number, s: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d, h, min, s);
  try {
    return guess - zoneOffset(guess - zoneOffset(guess, timeZone), timeZone);
  } catch {
    return guess;
  }
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
const LATAM_DATE = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * ISO (2026-03-05, 2026-03-05T10:30, with or without a zone) or dd-mm-aaaa (also with / or .),
 * or a spreadsheet date cell; times without a zone are the company's local time. null when not a date.
 */
export function parseDate(v: unknown, timeZone: string): number | null {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    // Spreadsheet cells carry no zone: exceljs reads the wall clock as UTC.
    return zonedTime(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate(), v.getUTCHours(), v.getUTCMinutes(), v.getUTCSeconds(), timeZone);
  }
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (ISO_ZONED.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  let y: number, mo: number, d: number, parts: RegExpExecArray | null;
  if ((parts = ISO_DATE.exec(s))) [y, mo, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  else if ((parts = LATAM_DATE.exec(s))) [d, mo, y] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  else return null;
  const [h, min, sec] = [Number(parts[4] ?? 0), Number(parts[5] ?? 0), Number(parts[6] ?? 0)];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || min > 59 || sec > 59) return null;
  return zonedTime(y, mo, d, h, min, sec, timeZone);
}

/**
 * "1.234.567", "1,234,567.50", "3.500,25", "UF 3.500", "$ 120000" to a number; null when it is not one.
 * The last of '.' and ',' is the decimal mark when both appear; alone, a mark followed by exactly
 * three digits (once or repeated) groups thousands.
 */
export function parseAmount(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  let s = v.trim().replace(/^(uf|clp|pen|brl|usd|s\/|r\$|\$)\s*/i, '').replace(/\s+/g, '');
  if (!/^-?[\d.,]+$/.test(s) || !/\d/.test(s)) return null;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const dec = lastDot > lastComma ? '.' : ',';
    s = s.split(dec === '.' ? ',' : '.').join('').replace(dec, '.');
  } else {
    const mark = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
    if (mark) {
      const groups = s.replace(/^-/, '').split(mark);
      const thousands = groups.length > 1 && groups.slice(1).every((g) => g.length === 3) && groups[0].length <= 3 && groups[0].length > 0;
      s = thousands ? `${s.startsWith('-') ? '-' : ''}${groups.join('')}` : groups.length === 2 ? s.replace(mark, '.') : '';
    }
  }
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : null;
}
