import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase } from './db/open.ts';
import { Store } from './db/store.ts';
import type { PersistRules } from './leads/record.ts';
import { Ingestor, type IngestHooks } from './ingest.ts';
import type { Logger } from './logger.ts';
import { loadParsers, type LoadedParser } from './parsers/load.ts';
import type { PipelineContext } from './pipeline/index.ts';
import { buildProjectIndex } from './pipeline/project.ts';
import { Ownership } from './ownership/ownership.ts';

/** The wired program: config, storage, parsers and the ingest service, built in one place. */
export interface App {
  config: Config;
  store: Store;
  ingestor: Ingestor;
  ownership: Ownership;
  log: Logger;
  context(): PipelineContext;
  /** The persistence rules (follow-up days, ownership and its webhooks) ingest and edits share. */
  rules(): PersistRules;
  /** Validates and swaps in new parsers and projects; on error the old set stays. */
  reload(next: { config?: Config }): void;
  close(): void;
}

export function createApp(config: Config, log: Logger, opts: { dbPath?: string; hooks?: IngestHooks; rules?: Partial<PersistRules> } = {}): App {
  const dbPath = opts.dbPath ?? config.database.path;
  const store = new Store(openDatabase(dbPath === ':memory:' ? dbPath : path.resolve(dbPath)), log);
  let current = config;
  let parsers: LoadedParser[] = loadParsers(config.parsersDir);
  let context: PipelineContext = { parsers, projects: buildProjectIndex(config.projects), country: config.country, limits: config.limits };
  const ownership = new Ownership(store, () => current);
  const syncProjects = (cfg: Config) => {
    store.syncProjects(cfg.projects);
    ownership.syncVendors(cfg.projects);
    projectWebhooks = new Map(cfg.projects.filter((p) => p.webhook).map((p) => [store.projectId(p.name)!, p.webhook!]));
  };
  let projectWebhooks = new Map<number, string>();
  syncProjects(config);
  const assignOwner = ownership.assigner(() => projectWebhooks);
  const rules = (): PersistRules => ({ followUpDays: current.followUpDays, assignOwner, ...opts.rules });
  const ingestor = new Ingestor(store, () => context, rules, log, opts.hooks);
  return {
    get config() {
      return current;
    },
    store,
    ingestor,
    ownership,
    log,
    context: () => context,
    rules,
    reload(next) {
      const cfg = next.config ?? current;
      const newParsers = loadParsers(cfg.parsersDir); // throws before anything is swapped
      parsers = newParsers;
      context = { parsers, projects: buildProjectIndex(cfg.projects), country: cfg.country, limits: cfg.limits };
      syncProjects(cfg);
      current = cfg;
    },
    close() {
      store.close();
    },
  };
}
