import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';

/** What every subcommand gets from cli/main.ts (kept here so subcommands never import main back). */
export interface CommandContext {
  config: Config;
  configFile: string | null;
  db: string | undefined;
  args: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Standard input (passwords are read from it, never from arguments). */
  input?: NodeJS.ReadableStream;
}

/** A wrong invocation: main prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  readonly code = 'UsageError';
}

export function commandLogger(config: Config, json: boolean) {
  // Commands print their own results; the log is for warnings, on stderr.
  return createLogger(json ? 'error' : config.log.level === 'info' ? 'warn' : config.log.level);
}
