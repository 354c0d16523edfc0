import pino, { type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type pinoPretty from 'pino-pretty';

/** Personal data and secrets never reach the logs, whatever a call site passes. */
export const REDACT_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'email', '*.email', 'phone', '*.phone', 'nationalId', '*.nationalId', 'name', '*.name', 'fields', '*.fields', 'rawFields', '*.rawFields', 'raw', '*.raw',
  'from', '*.from', 'replyTo', '*.replyTo', 'subject', '*.subject', 'auth', '*.auth',
  'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken', 'clientSecret', '*.clientSecret',
];

/** The keys REDACT_PATHS names, redacted at any depth too (pino's paths reach one level below the top). */
const REDACTED_KEYS = new Set(REDACT_PATHS.filter((p) => !p.includes('.')));

/** Free-text fields (an SMTP refusal, a parser error) in which addresses, phones and IDs are masked. */
export const FREE_TEXT_KEYS = new Set(['err', 'error', 'message', 'msg', 'reason', 'detail', 'lastError', 'stack']);

const EMAIL = /[^\s<>"'(),;:[\]\\]+@[^\s<>"'(),;:[\]\\]+\.[A-Za-z]{2,}/g;
/** RUT 12.345.678-5 / 12345678-K, CPF 123.456.789-09, CURP. */
const NATIONAL_ID = /\b\d{1,2}\.\d{3}\.\d{3}-[\dkK]\b|\b\d{7,8}-[\dkK]\b|\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|\b[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z\d]\d\b/g;
/** Digit runs with the separators phones are written with: +56 9 8123 4567, (11) 98765-4321, DNI 12.345.678, 45678912. */
const PHONE_LIKE = /(?<![\w.:/-])\+?\(?\d[\d\s().-]{5,}\d(?![\w-])/g;

/** Whether a digit run found by PHONE_LIKE may be a phone or an ID (not a date, an IP address, a timestamp or a small number). */
function looksPersonal(s: string): boolean {
  const digits = s.replace(/\D/g, '').length;
  if (digits < 7) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(s) || /^\d{1,3}(\.\d{1,3}){3}$/.test(s.trim())) return false; // a date, an IPv4 address
  if (/^\d+$/.test(s) && digits >= 12) return false; // epoch milliseconds, byte counts
  return true;
}

/** Addresses, national IDs and phone numbers in free text, masked. */
export function maskPersonalData(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(NATIONAL_ID, '[id]')
    .replace(PHONE_LIKE, (m, offset: number, all: string) => {
      if (!looksPersonal(m) || /^\s*(bytes|ms|s|B|KB|MB)\b/.test(all.slice(offset + m.length))) return m; // a size or a duration
      return `${/^\s*/.exec(m)![0]}[phone]${/\s*$/.exec(m)![0]}`;
    });
}

/** The value with every free-text field (at any depth, Error objects included) masked; never mutates it. */
function maskFields(value: unknown, depth: number, free: boolean): unknown {
  if (typeof value === 'string') return free ? maskPersonalData(value) : value;
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Still an Error (same prototype), so pino's err serializer gives its type; every own string masked.
    const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(value)) {
      const v = (value as unknown as Record<string, unknown>)[k];
      Object.defineProperty(copy, k, { value: maskFields(v, depth + 1, true), enumerable: k !== 'stack' && k !== 'message', writable: true, configurable: true });
    }
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => maskFields(v, depth + 1, free));
  if (Buffer.isBuffer(value) || value instanceof Date || value instanceof Map || value instanceof Set) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = REDACTED_KEYS.has(k) && depth > 0 ? '[redacted]' : maskFields(v, depth + 1, free || FREE_TEXT_KEYS.has(k));
  return out;
}

export interface LoggerOptions {
  /** Human-readable lines (local time, level names, colour); default: when stderr is a terminal. */
  pretty?: boolean;
}

/**
 * The process logger, on stderr. On a terminal (or CENTRALIZER_LOG_FORMAT=pretty) one readable
 * line per entry, local time and level name; otherwise (a pipe, journald, a file, or
 * CENTRALIZER_LOG_FORMAT=json) one JSON object per line, `time` in ISO 8601 UTC and `level` as
 * pino's number (README, Logs). Free text in err/error/message fields is masked in both.
 */
export function createLogger(level = 'info', destination?: DestinationStream, opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => maskFields(obj, 0, false) as Record<string, unknown> },
    serializers: { msg: (m: unknown) => (typeof m === 'string' ? maskPersonalData(m) : m) },
  };
  if (destination) return pino(options, opts.pretty ? prettyStream(destination) : destination);
  const format = process.env.CENTRALIZER_LOG_FORMAT;
  const wantPretty = opts.pretty ?? (format === 'pretty' || (format !== 'json' && process.stderr.isTTY === true));
  return pino(options, wantPretty ? prettyStream() : pino.destination(2));
}

function prettyStream(destination?: DestinationStream): DestinationStream {
  // Required when used: a daemon that logs JSON (a pipe, journald) never loads it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof pinoPretty;
  return pretty({
    destination: destination ?? 2,
    sync: true, // lines are written before the process exits (a fatal error, a signal)
    colorize: destination ? false : process.stderr.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', // local time
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

export type { Logger };
