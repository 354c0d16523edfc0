import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { CommandContext } from './context.ts';

interface DbState {
  projects: Set<string>;
  vendors: Set<string>;
}

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

/** Active projects and vendors, read through a read-only app (a fresh database is filled by it). */
async function readState(config: Config, dbPath: string | undefined): Promise<DbState> {
  const app = await createApp(config, createLogger('error'), { dbPath });
  try {
    return {
      projects: new Set(await app.reads.queries.projectNames()),
      vendors: new Set((await app.reads.vendors.list()).filter((v) => v.active).map((v) => v.id)),
    };
  } finally {
    app.close();
  }
}

/**
 * `centralizer config apply`: writes the config's projects and vendors to the database, as `run`
 * does at start and on reload (projects and vendors missing from the config are deactivated).
 * Every other command only reads them, so trying another config never changes the live daemon.
 */
export async function configApplyCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args[0] !== 'apply' || ctx.args.length > 1) {
    ctx.err.write('uso: centralizer config apply [--config ARCHIVO] [--db ARCHIVO]\n');
    return 2;
  }
  const dbPath = ctx.db ?? ctx.config.database.path;
  const existed = dbPath !== ':memory:' && fs.existsSync(path.resolve(dbPath));
  const before = existed ? await readState(ctx.config, ctx.db) : { projects: new Set<string>(), vendors: new Set<string>() };
  const app = await createApp(ctx.config, createLogger('error'), { dbPath: ctx.db, syncConfig: true });
  app.close();
  const after = await readState(ctx.config, ctx.db);
  const list = (names: string[]) => (names.length ? `: ${names.join(', ')}` : '');
  const added = minus(after.projects, before.projects);
  const deactivated = minus(before.projects, after.projects);
  const vendorsOff = minus(before.vendors, after.vendors);
  const vendorsOn = minus(after.vendors, before.vendors);
  ctx.out.write(`${ctx.configFile ?? '(valores por defecto)'} aplicada a ${dbPath}${existed ? '' : ' (base de datos nueva)'}\n`);
  ctx.out.write(`  proyectos:   ${after.projects.size} activos, ${added.length} agregados${list(added)}, ${deactivated.length} desactivados${list(deactivated)}\n`);
  ctx.out.write(`  vendedores:  ${after.vendors.size} activos, ${vendorsOn.length} activados${list(vendorsOn)}, ${vendorsOff.length} desactivados${list(vendorsOff)}\n`);
  return 0;
}
