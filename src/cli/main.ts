import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { ParserConfigError } from '../parsers/load.ts';
import { UsageError, type CommandContext } from './context.ts';
import { replayCommand } from './replay.ts';
import { parsersCommand } from './parsers.ts';
import { reprocessCommand, purgeCommand } from './maintenance.ts';

const USAGE = `uso: centralizer <comando> [opciones]

comandos:
  run                               el daemon: buzones IMAP y el servidor de administración
  replay <archivo|carpeta>... [--json] [--dry-run] [--notify]
                                    procesa archivos .eml por el pipeline completo
  parsers test [--parser ID]        compara cada fixture con su extracción esperada
  parsers check                     valida la configuración de cada parser
  parsers explain CORREO.eml [--parser ID] [--json]
                                    qué lee el extractor y qué regla dio cada campo
  parsers learn MUESTRA.eml... --id ID [--name NOMBRE] [--field CAMPO=VALOR]... [--accept] [--force]
                                    escribe parsers/ID.yaml y sus fixtures desde valores confirmados
  parsers learn --from-corrections ID [--apply]
                                    el cambio de reglas que lee lo que las personas corrigieron en
                                    los leads de ID, y qué cambia en los correos guardados
                                    (--apply lo escribe)
  reprocess [--quality Q,Q] [--since FECHA] [--notify]
                                    vuelve a procesar los correos guardados con los parsers y
                                    proyectos de hoy
  purge --before FECHA              borra los cuerpos de correo anteriores a FECHA (los leads quedan)
  vendors retire ID                 pasa los clientes de un vendedor que se va a vendedores activos
  config apply                      escribe en la base de datos los proyectos y vendedores de la
                                    configuración (solo run y este comando lo hacen)
  backup ARCHIVO                    una copia consistente de la base de datos (segura con el daemon
                                    en marcha)
  restore ARCHIVO [--yes]           reemplaza la base de datos por un respaldo (con el daemon
                                    detenido); dice qué datos más nuevos se pierden y pregunta
                                    (--yes: sin pregunta)
  users add CORREO --role ROL [--vendor ID] [--team ID,ID] [--projects "P1,P2"] [--name NOMBRE]
                                    una persona que inicia sesión (contraseña por stdin o
                                    --password-env VARIABLE)
  users list | disable CORREO | enable CORREO | password CORREO
  users token CORREO --label TEXTO  un token personal de la API, impreso una vez en la última línea
  users tokens CORREO | revoke CORREO ETIQUETA
  interactions import ARCHIVO.xlsx|ARCHIVO.csv [--dry-run] [--skip-invalid]
                                    cotizaciones, separaciones, minutas y desembolsos de una
                                    exportación del ERP (un archivo con errores no importa nada)
  db copy --to postgres://USUARIO@HOST/BASE
                                    copia la base SQLite a una PostgreSQL vacía (todas las tablas,
                                    una transacción, cantidades verificadas)
  mailboxes list | login NOMBRE [--device] [--port N] | logout NOMBRE | test NOMBRE
                                    inicio de sesión OAuth2 de un buzón (token guardado cifrado) y
                                    prueba de acceso
  cases list [--status S,S] [--category C,C] [--project NOMBRE] [--since FECHA] [--before FECHA] [--breached] [--json]
                                    casos de postventa con sus plazos (horario hábil) y atrasos
  doctor [--json] [--send-to CORREO]
                                    revisa configuración, base de datos, cada buzón, SMTP (un
                                    mensaje de prueba a CORREO), el puerto de intake y el reloj;
                                    sale con 1 si algo falla

opciones comunes:
  --config ARCHIVO  configuración (por omisión config/centralizer.yaml)
  --db ARCHIVO      archivo de base de datos (reemplaza database.path)
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
        throw new UsageError(`comando desconocido: "${command}"`);
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
      io.err.write(`error de configuración:\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

