import pino, { type Logger, type DestinationStream } from 'pino';

/** Personal data and secrets never reach the logs, whatever a call site passes. */
export const REDACT_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'email', '*.email', 'phone', '*.phone', 'nationalId', '*.nationalId', 'name', '*.name', 'fields', '*.fields', 'rawFields', '*.rawFields', 'raw', '*.raw',
  'from', '*.from', 'replyTo', '*.replyTo', 'subject', '*.subject', 'auth', '*.auth',
  'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken', 'clientSecret', '*.clientSecret',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, destination ?? pino.destination(2));
}

export type { Logger };
