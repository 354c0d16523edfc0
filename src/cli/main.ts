import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { ParserConfigError } from '../parsers/load.ts';
import { UsageError, type CommandContext } from './context.ts';
import { replayCommand } from './replay.ts';
import { parsersCommand } from './parsers.ts';
import { reprocessCommand, purgeCommand } from './maintenance.ts';

const USAGE = `usage: centralizer <command> [options]

commands:
  run                               the daemon: IMAP mailboxes and the admin server
  replay <file|dir>... [--json] [--dry-run] [--notify]
                                    ingest .eml files through the full pipeline
  parsers test [--parser ID]        run every fixture against its expected extraction
  parsers check                     validate every parser config
  parsers explain FILE.eml [--parser ID] [--json]
                                    what the extractor reads and which rule gave each field
  parsers learn SAMPLE.eml... --id ID [--name NAME] [--field F=VALUE]... [--accept] [--force]
                                    write parsers/ID.yaml and fixtures from confirmed sample values
  parsers learn --from-corrections ID [--apply]
                                    the rule change that reads what people corrected on ID's leads,
                                    and what it changes on stored emails (--apply writes it)
  reprocess [--quality Q,Q] [--since DATE] [--notify]
                                    re-run stored emails through today's parsers and projects
  purge --before DATE               remove raw bodies older than DATE (leads are kept)
  vendors retire ID                 move a leaving vendor's clients to active vendors
  config apply                      write the config's projects and vendors to the database
                                    (only run and this command do; others just read them)
  backup FILE                       a consistent copy of the database (safe while the daemon runs)
  restore FILE [--yes]              replace the database with a backup (the daemon must be stopped);
                                    says what newer data it drops and asks (--yes: no question)
  users add EMAIL --role ROLE [--vendor ID] [--team ID,ID] [--projects "P1,P2"] [--name NAME]
                                    a person who signs in (password on stdin or --password-env VAR)
  users list | disable EMAIL | enable EMAIL | password EMAIL
  users token EMAIL --label TEXT    a personal API token, printed once on the last line
  users tokens EMAIL | revoke EMAIL LABEL
  interactions import FILE.xlsx|FILE.csv [--dry-run] [--skip-invalid]
                                    cotizaciones, separaciones, minutas and desembolsos from an
                                    ERP export (a file with errors imports nothing)
  db copy --to postgres://USER@HOST/DB
                                    copy the SQLite database into an empty PostgreSQL one
                                    (every table, one transaction, counts checked)
  mailboxes list | login NAME [--device] [--port N] | logout NAME | test NAME
                                    OAuth2 sign-in of a mailbox (refresh token stored encrypted), a login check
  cases list [--status S,S] [--category C,C] [--project NAME] [--since DATE] [--before DATE] [--breached] [--json]
                                    post-sale cases with their due times (business hours) and breaches
  doctor [--json] [--send-to ADDR]  check config, database, every mailbox, SMTP (a test message to
                                    ADDR), the intake port and the clock; exit 1 when one fails

common options:
  --config FILE   configuration (default config/centralizer.yaml)
  --db FILE       database file (overrides database.path)
`;

const OPTIONS = {
  config: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'skip-invalid': { type: 'boolean' },
  parser: { type: 'string' },
  quality: { type: 'string' },
  since: { type: 'string' },
  before: { type: 'string' },
  fixtures: { type: 'string' },
  role: { type: 'string' },
  vendor: { type: 'string' },
  team: { type: 'string' },
  projects: { type: 'string' },
  name: { type: 'string' },
  label: { type: 'string' },
  'password-env': { type: 'string' },
  device: { type: 'boolean' },
  /** replay / reprocess: queue the notification emails a live email would (off by default). */
  notify: { type: 'boolean' },
  port: { type: 'string' },
  to: { type: 'string' }, // db copy: the PostgreSQL URL
  'send-to': { type: 'string' }, // doctor: where the SMTP test message goes
  id: { type: 'string' }, // parsers learn: the new parser's id
  field: { type: 'string', multiple: true }, // parsers learn: a confirmed value, name=VALUE
  accept: { type: 'boolean' }, // parsers learn: take the best guesses without questions
  yes: { type: 'boolean' }, // parsers learn: same as --accept; restore: no question
  force: { type: 'boolean' }, // parsers learn: overwrite an existing parser
  'from-corrections': { type: 'string' }, // parsers learn: learn from the corrections of this parser's leads
  apply: { type: 'boolean' }, // parsers learn --from-corrections: write the parser file
  help: { type: 'boolean', short: 'h' },
  status: { type: 'string' }, // cases list
  category: { type: 'string' }, // cases list
  project: { type: 'string' }, // cases list
  breached: { type: 'boolean' }, // cases list: only cases past a due time
} as const;

/** Entry point of the `centralizer` command; returns the exit code. */
export async function main(argv: string[], io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr }, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = parsed.positionals;
  if (!command || parsed.values.help) {
    (command ? io.out : io.err).write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'doctor') {
    // Before the config is loaded: a config that does not load is one of the doctor's findings.
    const { doctorCommand } = await import('./doctor.ts');
    return await doctorCommand({ configFile: parsed.values.config, db: parsed.values.db, json: parsed.values.json === true, sendTo: parsed.values['send-to'], out: io.out });
  }
  try {
    const { config, file, warnings } = loadConfig(parsed.values.config);
    for (const w of warnings) io.err.write(`warning: ${w}\n`);
    const ctx: CommandContext = { config, configFile: file, db: parsed.values.db, args, values: parsed.values, out: io.out, err: io.err, input };
    switch (command) {
      case 'replay':
        return await replayCommand(ctx);
      case 'parsers':
        return await parsersCommand(ctx);
      case 'reprocess':
        return await reprocessCommand(ctx);
      case 'purge':
        return await purgeCommand(ctx);
      case 'run': {
        const { runDaemon } = await import('../daemon/run.ts');
        return await runDaemon(ctx);
      }
      case 'users': {
        const { usersCommand } = await import('./users.ts');
        return await usersCommand(ctx);
      }
      case 'backup':
      case 'restore': {
        const { backupCommand, restoreCommand } = await import('./backup.ts');
        return await (command === 'backup' ? backupCommand(ctx) : restoreCommand(ctx));
      }
      case 'config': {
        const { configApplyCommand } = await import('./config-apply.ts');
        return await configApplyCommand(ctx);
      }
      case 'mailboxes': {
        const { mailboxesCommand } = await import('./mailboxes.ts');
        return await mailboxesCommand(ctx);
      }
      case 'interactions': {
        const { interactionsCommand } = await import('./interactions.ts');
        return await interactionsCommand(ctx);
      }
      case 'db': {
        const { dbCommand } = await import('./db.ts');
        return await dbCommand(ctx);
      }
      case 'cases': {
        const { casesCommand } = await import('./cases.ts');
        return await casesCommand(ctx);
      }
      case 'vendors': {
        const { vendorsCommand } = await import('./vendors.ts');
        return await vendorsCommand(ctx);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    if ((e as { code?: unknown }).code === 'DatabaseUnusable') {
      io.err.write(`${(e as Error).message}\n`);
      return 1;
    }
    if (e instanceof ConfigError || e instanceof ParserConfigError) {
      io.err.write(`configuration error:\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

