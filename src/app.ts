import path from 'node:path';
import type { Config } from './config.ts';
import type { Storage } from './db/port.ts';
import type { PersistRules } from './leads/record.ts';
import { Ingestor, type IngestHooks } from './ingest.ts';
import type { Logger } from './logger.ts';
import { loadParsers, type LoadedParser } from './parsers/load.ts';
import type { PipelineContext } from './pipeline/index.ts';
import { buildProjectIndex } from './pipeline/project.ts';
import type { ReadModels } from './db/read-side.ts';
import { assertKeepsVendors, ConfigError } from './config.ts';
import { Ownership } from './ownership/ownership.ts';
import { notificationEnqueuer, wantsWebhook } from './outbox/enqueue.ts';
import { defaultPoolSize, sharedPool, type PipelinePool } from './workers/pool.ts';
import { poolRunner } from './workers/runner.ts';
import { ParserQuarantine } from './workers/quarantine.ts';
import { caseRouter } from './cases/route.ts';
import { countryModule } from './countries/index.ts';
import type { NationalId } from './countries/types.ts';
import { LiveBus } from './live/bus.ts';

/** The wired program: config, storage, parsers and the ingest service, built in one place. */
export interface App {
  config: Config;
  /** The storage port: SQLite (the embedded default) or PostgreSQL (`database.url`). */
  store: Storage;
  /** The read models of the admin API, the CLI and the outbox (db/read-side.ts), on the app's connection. */
  reads: ReadModels;
  ingestor: Ingestor;
  ownership: Ownership;
  /** The worker threads the pipeline runs in (shared by the apps of one process). */
  workers: PipelinePool;
  /** Parsers whose emails timed out twice: their mail takes the generic extraction (parser health shows them). */
  quarantine: ParserQuarantine;
  /** New leads, reassignments and contacts, published after their commit for the page's live stream. */
  live: LiveBus;
  log: Logger;
  context(): PipelineContext;
  /** The persistence rules (follow-up days, ownership and its webhooks) ingest and edits share. */
  rules(): PersistRules;
  /** Validates and swaps in new parsers and projects; on error (a rejection) the old set stays. */
  reload(next: { config?: Config }): Promise<void>;
  /** Closes the database (a PostgreSQL pool ends its connections). */
  close(): Promise<void>;
}

/**
 * The storage the config names: PostgreSQL when `database.url` (or CENTRALIZER_DATABASE_URL) is
 * set and no `--db` file was given, else the SQLite file (the embedded default). Each engine's
 * modules load only when it is chosen: a SQLite daemon never holds pg and its adapter in memory.
 */
export async function openStore(config: Config, log: Logger, dbPath?: string): Promise<{ store: Storage; reads: ReadModels }> {
  if (config.database.url && dbPath === undefined) {
    const [{ openPostgres }, { PgStore }, { pgReadSide }] = await Promise.all([import('./db/postgres/open.ts'), import('./db/postgres/store.ts'), import('./db/postgres/read-side.ts')]);
    const store = await PgStore.connect(await openPostgres(config.database.url), log, { prepared: config.database.preparedStatements });
    return { store, reads: pgReadSide(store) };
  }
  const [{ openDatabase }, { Store }, { readSide }] = await Promise.all([import('./db/sqlite/open.ts'), import('./db/sqlite/store.ts'), import('./db/sqlite/read-side.ts')]);
  const file = dbPath ?? config.database.path;
  const store = new Store(openDatabase(file === ':memory:' ? file : path.resolve(file)), log);
  return { store, reads: readSide(store) };
}

/** `notify`: new leads queue their notification emails (the daemon; replay and reprocess only with --notify). */
export async function createApp(config: Config, log: Logger, opts: { dbPath?: string; hooks?: IngestHooks; rules?: Partial<PersistRules>; syncConfig?: boolean; notify?: boolean } = {}): Promise<App> {
  const { store, reads } = await openStore(config, log, opts.dbPath);
  let current = config;
  let parsers: LoadedParser[] = loadParsers(config.parsersDir);
  const ownership = new Ownership(store, () => current);
  let projectWebhooks = new Map<number, string>();
  // Only `run` (and its reloads) and `config apply` write projects and vendors: `replay --config
  // other.yaml` against the live database must not deactivate the daemon's vendors. Other commands
  // match with the config's projects that the database has; a fresh database is filled once.
  const dbProjects = () => reads.queries.projectNames();
  const writes = opts.syncConfig === true || (await dbProjects()).length === 0;
  const applyProjects = async (cfg: Config): Promise<PipelineContext['projects']> => {
    let usable = cfg.projects;
    if (writes) {
      await ownership.syncConfig(cfg.projects);
    } else {
      const known = new Set(await dbProjects());
      usable = cfg.projects.filter((p) => known.has(p.name));
      const missing = cfg.projects.filter((p) => !known.has(p.name)).map((p) => p.name);
      if (missing.length) log.warn({ projects: missing }, 'projects in the config but not in the database are not matched here; `centralizer config apply` adds them');
    }
    projectWebhooks = new Map(usable.filter((p) => p.webhook).map((p) => [store.projectId(p.name)!, p.webhook!]));
    return buildProjectIndex(usable, cfg.mailboxes);
  };
  let context: PipelineContext = { parsers, projects: await applyProjects(config), country: config.country, limits: config.limits, company: config.company };
  const assignOwner = ownership.assigner(() => projectWebhooks, (vendorId) => wantsWebhook(current, vendorId));
  const onLead = opts.notify ? notificationEnqueuer(() => current, Date.now, (id) => parsers.find((p) => p.config.id === id)?.config.name) : undefined;
  // Post-sale mail becomes a case, never also a lead; its acknowledgement is queued when notifications are.
  const routeCase = caseRouter({ config: () => current, notify: Boolean(opts.notify) });
  const samePerson = (id: NationalId) => countryModule(current.country).samePerson?.(id) ?? [];
  const rules = (): PersistRules => ({ followUpDays: current.followUpDays, assignOwner, ...(onLead ? { onLead } : {}), routeCase, samePerson, ...opts.rules });
  const workers = sharedPool(config.workers.size ?? defaultPoolSize(), log.child({ component: 'workers' }));
  const quarantine = new ParserQuarantine(log.child({ component: 'quarantine' }));
  const live = new LiveBus();
  // Every committed new lead (IMAP, files, intake) reaches the open pages from here.
  const hooks: IngestHooks = {
    ...opts.hooks,
    onResult: (r, ms) => {
      if (r.leadId !== null && !r.duplicate) live.publish({ type: 'lead', leadId: r.leadId });
      opts.hooks?.onResult?.(r, ms);
    },
  };
  const ingestor = new Ingestor(store, () => context, rules, log, hooks, poolRunner(workers, () => current.workers.deadlineMs, quarantine));
  return {
    get config() {
      return current;
    },
    store,
    reads,
    ingestor,
    ownership,
    workers,
    quarantine,
    live,
    log,
    context: () => context,
    rules,
    async reload(next) {
      const cfg = next.config ?? current;
      // A file caught half-written (or emptied by mistake) must not leave the daemon matching nothing.
      if (!cfg.projects.length && current.projects.length) throw new ConfigError(`the new configuration has no projects (the running one has ${current.projects.length}); refused, the running projects stay`);
      assertKeepsVendors(current, cfg);
      const newParsers = loadParsers(cfg.parsersDir); // throws before anything is swapped
      if (!newParsers.length && parsers.length) throw new ConfigError(`${cfg.parsersDir}: no parsers (the running set has ${parsers.length}); refused, the running parsers stay`);
      const projects = await applyProjects(cfg);
      parsers = newParsers;
      quarantine.reloaded(parsers); // a changed parser file lifts its quarantine
      context = { parsers, projects, country: cfg.country, limits: cfg.limits, company: cfg.company };
      current = cfg;
    },
    async close() {
      await store.close();
    },
  };
}
