import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { formatIssues, ZOD_SPANISH, type SourceLocator } from './yaml-errors.ts';
import { PACKAGE_ROOT } from './paths.ts';
import { projectCollisions } from './config-projects.ts';
import { resolveAuthSecrets } from './mail-auth/schema.ts';
import { unknownKeyMessages, unknownKeys } from './config-keys.ts';

export { closestKey } from './config-keys.ts';

export { configSchema, type Config, type Limits, type MailboxConfig, type ProjectConfig } from './config-schema.ts';
import { configSchema, type Config } from './config-schema.ts';

/** A refused configuration: the message names file, line and key; `code` is dotted (`config.unknown_key`, …). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly code: string = 'config.invalid',
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Replaces `${NAME}` (or `${NAME:-default}`) in string values with the environment's value; a missing one is an error. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, at: string[], missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const v = env[name] || fallback;
      if (v === undefined) missing.push(`${at.join('.') || '(raíz)'}: la variable de entorno ${name} no está definida`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...at, String(i)], missing));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, [...at, k], missing);
    return out;
  }
  return value;
}

/** Parses config text; throws ConfigError naming file, line, key path and bad value. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML no válido: ${e.message.split('\n')[0]}`);
  }
  const missing: string[] = [];
  const data = substituteEnv(doc.toJS() ?? {}, env, [], missing);
  if (missing.length) throw new ConfigError(`${file}: ${missing.join('; ')}`);
  const unknown = unknownKeys(data, configSchema);
  if (unknown.length) throw new ConfigError(unknownKeyMessages(unknown, file, { doc, lineCounter }), 'config.unknown_key');
  const result = configSchema.safeParse(data, { error: ZOD_SPANISH });
  if (!result.success) {
    const locate: SourceLocator = { doc, lineCounter };
    throw new ConfigError(formatIssues(file, result.error.issues, data, locate));
  }
  const config = result.data;
  const collisions = projectCollisions(config.projects, file, { doc, lineCounter });
  if (collisions.length) throw new ConfigError(collisions.join('\n'));
  for (const [i, v] of config.vendors.entries()) {
    for (const name of v.projects) {
      const project = config.projects.find((p) => p.name === name);
      if (!project) throw new ConfigError(`${file}: vendors.${i}.projects: "${name}" no es un proyecto de projects`);
      if (!project.vendors.some((x) => x.id === v.id)) project.vendors.push({ id: v.id, name: v.name, email: v.email, type: v.type, active: v.active, webhook: v.webhook, notify: v.notify });
    }
  }
  for (const [i, m] of config.mailboxes.entries()) {
    const authErrors = m.auth ? resolveAuthSecrets(m.auth, env) : [];
    if (authErrors.length) throw new ConfigError(`${file}: ${authErrors.map((e) => `mailboxes.${i}.auth.${e}`).join('; ')}`);
    if (m.auth) continue; // an OAuth2 mailbox needs no password
    if (m.password === undefined && m.passwordEnv) {
      const v = env[m.passwordEnv];
      if (v === undefined) throw new ConfigError(`${file}: mailboxes.${i}.passwordEnv: la variable de entorno ${m.passwordEnv} no está definida`);
      m.password = v;
    }
  }
  if (config.smtp?.auth) {
    const authErrors = resolveAuthSecrets(config.smtp.auth, env);
    if (authErrors.length) throw new ConfigError(`${file}: ${authErrors.map((e) => `smtp.auth.${e}`).join('; ')}`);
  } else if (config.smtp && config.smtp.password === undefined && config.smtp.passwordEnv) {
    // A missing password is reported by the SMTP check at startup; it must not stop ingestion.
    config.smtp.password = env[config.smtp.passwordEnv];
  }
  const names = new Set<string>();
  for (const [i, m] of config.mailboxes.entries()) {
    if (names.has(m.name)) throw new ConfigError(`${file}: mailboxes.${i}.name: nombre de buzón repetido "${m.name}"`);
    names.add(m.name);
  }
  if (env.CENTRALIZER_ADMIN_TOKEN) config.admin.token = env.CENTRALIZER_ADMIN_TOKEN;
  if (env.CENTRALIZER_DATABASE_URL) config.database.url = env.CENTRALIZER_DATABASE_URL;
  if (env.CENTRALIZER_SURVEY_SECRET) config.cases.survey.secret = env.CENTRALIZER_SURVEY_SECRET;
  return config;
}

/** The ids of the vendors a config leaves active (projects[].vendors, with the top-level list merged in). */
export function activeVendorIds(config: Config): string[] {
  return [...new Set(config.projects.flatMap((p) => p.vendors.filter((v) => v.active).map((v) => v.id)))];
}

/**
 * A reload that would deactivate every vendor (a `vendor:` typo, the list deleted, every one set
 * inactive) is refused: new leads would be left without an owner. The running config stays.
 */
export function assertKeepsVendors(running: Config, next: Config): void {
  const before = activeVendorIds(running);
  if (before.length && !activeVendorIds(next).length) {
    const names = before.slice(0, 5).join(', ') + (before.length > 5 ? ', …' : '');
    throw new ConfigError(
      `la nueva configuración no deja ningún vendedor activo (la que corre tiene ${before.length}: ${names}); ¿falta la lista "vendors:" o está mal escrita? Rechazada: sigue la configuración que corre`,
      'config.no_vendors',
    );
  }
}

export const DEFAULT_CONFIG_PATH = 'config/centralizer.yaml';

/**
 * A relative parsers directory is relative to the working directory, like the CLI's own flags;
 * when it is not there (run from elsewhere), the parsers shipped with the package are used.
 */
function resolveParsersDir(dir: string): string {
  const fromCwd = path.resolve(dir);
  if (path.isAbsolute(dir) || fs.existsSync(fromCwd)) return fromCwd;
  const shipped = path.join(PACKAGE_ROOT, dir);
  return fs.existsSync(shipped) ? shipped : fromCwd;
}

/** Loads the config file; the default path may be absent (built-in defaults), an explicit one may not. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: Config; file: string | null; warnings: string[] } {
  const chosen = file ?? DEFAULT_CONFIG_PATH;
  if (!fs.existsSync(chosen)) {
    if (file) throw new ConfigError(`${file}: no se encontró el archivo de configuración`);
    const config = parseConfig('{}', '(defaults)', env);
    config.parsersDir = resolveParsersDir(config.parsersDir);
    return { config, file: null, warnings: [] };
  }
  const text = fs.readFileSync(chosen, 'utf8');
  const config = parseConfig(text, chosen, env); // unknown keys are refused there, with file:line
  config.parsersDir = resolveParsersDir(config.parsersDir);
  return { config, file: chosen, warnings: [] };
}
