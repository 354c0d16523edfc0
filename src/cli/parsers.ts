import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { loadParsers } from '../parsers/load.ts';
import { runPipeline, type PipelineContext } from '../pipeline/index.ts';
import { buildProjectIndex } from '../pipeline/project.ts';
import { explainEmail } from '../parsers/explain.ts';
import { embeddedValue } from '../parsers/locate.ts';
import { type CommandContext, UsageError } from './context.ts';
import { collectEmailFiles } from './files.ts';

export interface FixtureResult {
  file: string;
  ok: boolean;
  diffs: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** An `.expected.json`; a malformed one is an error naming the file (and line) instead of a stack trace. */
export function readExpected(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const before = at ? text.slice(0, Number(at[1])).split('\n') : null;
    const where = before ? `:${before.length}:${before[before.length - 1].length + 1}` : '';
    throw new Error(`${file}${where}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/s, '')}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file}: expected a JSON object`);
  return data as Record<string, unknown>;
}

/**
 * Channel directories: fixtures no single parser claims (relays, lead ads, site forms, replies, a
 * country's set), each optionally with its own config.yaml (country, projects) beside the emails.
 */
export function channelDirs(fixturesDir: string, ids: string[]): string[] {
  if (!fs.existsSync(fixturesDir)) return [];
  const skip = new Set([...ids, 'generic', 'corpus']);
  // Only directories with expected results: other tools keep sample emails under fixtures/ too.
  const hasExpected = (name: string) => fs.readdirSync(path.join(fixturesDir, name)).some((f) => f.endsWith('.expected.json'));
  return fs.readdirSync(fixturesDir, { withFileTypes: true }).filter((e) => e.isDirectory() && !skip.has(e.name) && hasExpected(e.name)).map((e) => e.name).sort();
}

/** The expected-result files of the fixtures of these parser ids (and generic/ and the channels). */
function expectedFiles(fixturesDir: string, ids: string[]): string[] {
  return [...ids, 'generic', ...channelDirs(fixturesDir, ids)].flatMap((id) => {
    const dir = path.join(fixturesDir, id);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.expected.json')).sort().map((f) => path.join(dir, f)) : [];
  });
}

/** For each failing field: which rule found what (or nothing), the raw value and why it was refused. */
async function teach(file: string, context: PipelineContext, wrong: string[], parser: string | null): Promise<string[]> {
  try {
    const e = await explainEmail(fs.readFileSync(file), context, parser ?? undefined);
    return e.fields.filter((f) => wrong.includes(f.field)).map((f) => {
      const found = f.raw === null ? 'no se encontró nada' : `${f.source === 'parser' ? 'tu regla' : `la extracción genérica (${f.rule})`} encontró ${JSON.stringify(f.raw)}`;
      // The problems already say when the parser's own rule matched nothing and the fallback filled it.
      return `  ${f.field}: ${found}${f.problems.length ? `; ${f.problems.join('; ')}` : ''}`;
    });
  } catch {
    return [];
  }
}

/** Compares a pipeline outcome with an `.expected.json`; only the keys it gives are checked. */
export async function checkFixture(file: string, context: PipelineContext): Promise<FixtureResult> {
  const expectedFile = file.replace(/\.[^./]+$/, '.expected.json');
  if (!fs.existsSync(expectedFile)) return { file, ok: false, diffs: [`falta ${path.basename(expectedFile)} a su lado`] };
  let expected: Record<string, unknown>;
  try {
    expected = readExpected(expectedFile);
  } catch (e) {
    return { file, ok: false, diffs: [(e as Error).message] };
  }
  const diffs: string[] = [];
  let outcome;
  try {
    outcome = await runPipeline(fs.readFileSync(file), context);
  } catch (e) {
    return { file, ok: false, diffs: [`el pipeline falló: ${(e as Error).message}`] };
  }
  const got: Record<string, unknown> = {
    parser: outcome.parser,
    quality: outcome.kind === 'lead' ? outcome.quality : null,
    ignored: outcome.kind === 'ignored' ? outcome.reason : null,
    problems: outcome.kind === 'lead' ? [...outcome.problems].sort() : [],
    medium: outcome.kind === 'lead' ? outcome.medium : null,
  };
  for (const key of ['parser', 'quality', 'ignored', 'medium'] as const) {
    if (key in expected && !same(expected[key], got[key])) diffs.push(`${key}: se esperaba ${JSON.stringify(expected[key])}, se obtuvo ${JSON.stringify(got[key])}`);
  }
  if (Array.isArray(expected.problems) && !same([...expected.problems].sort(), got.problems)) {
    diffs.push(`problems: se esperaba ${JSON.stringify([...expected.problems].sort())}, se obtuvo ${JSON.stringify(got.problems)}`);
  }
  const fields = (expected.fields ?? {}) as Record<string, unknown>;
  const actual = (outcome.kind === 'lead' ? outcome.fields : {}) as Record<string, unknown>;
  const wrong: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (!same(v, actual[k] ?? null)) {
      diffs.push(`fields.${k}: se esperaba ${JSON.stringify(v)}, se obtuvo ${JSON.stringify(actual[k] ?? null)}`);
      wrong.push(k);
    }
  }
  if (wrong.length) diffs.push(...(await teach(file, context, wrong, outcome.parser)));
  return { file, ok: diffs.length === 0, diffs };
}

/** The context fixtures run in: their own config (projects, country) beside them, when present; `parsers` when already loaded. */
export function fixtureContext(ctx: CommandContext, fixturesDir: string, base = ctx.config, parsers = loadParsers(ctx.config.parsersDir)): PipelineContext {
  const own = path.join(fixturesDir, 'config.yaml');
  const cfg = fs.existsSync(own) ? loadConfig(own).config : base;
  return { parsers, projects: buildProjectIndex(cfg.projects, cfg.mailboxes), country: cfg.country, limits: ctx.config.limits, company: cfg.company };
}

/** `centralizer parsers test|check`. */
export async function parsersCommand(ctx: CommandContext): Promise<number> {
  const [sub] = ctx.args;
  if (sub === 'check') {
    const parsers = loadParsers(ctx.config.parsersDir); // throws ParserConfigError with file:line
    for (const p of parsers) ctx.out.write(`ok  ${p.config.id.padEnd(22)} ${p.file}\n`);
    ctx.out.write(`${parsers.length} ${parsers.length === 1 ? 'parser válido' : 'parsers válidos'}\n`);
    // The fixtures' expected results are config too: a malformed one is named here, not at test time.
    const fixturesDir = (ctx.values.fixtures as string | undefined) ?? 'fixtures';
    const bad: string[] = [];
    for (const file of expectedFiles(fixturesDir, parsers.map((p) => p.config.id))) {
      try {
        readExpected(file);
      } catch (e) {
        bad.push((e as Error).message);
      }
    }
    // A rule keyed on a sample's value (`label: Francisca Muñoz`) passes its own fixture and reads
    // nothing, or the wrong thing, on every other email of the portal.
    for (const p of parsers) {
      const dir = path.join(fixturesDir, p.config.id);
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.expected.json')).sort()) {
        let values: Record<string, string | null>;
        try {
          values = ((readExpected(path.join(dir, file)).fields ?? {}) as Record<string, string | null>);
        } catch {
          continue; // already reported above
        }
        const strings = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string'));
        for (const [field, rules] of Object.entries(p.config.fields)) {
          for (const ex of rules ?? []) {
            const why = embeddedValue(ex, strings);
            if (why) bad.push(`${p.file}: fields.${field}: ${JSON.stringify(ex)}: ${why.replace("the sample's", `${file}'s`)}`);
          }
        }
      }
    }
    for (const b of bad) ctx.err.write(`${b}\n`);
    return bad.length ? 1 : 0;
  }
  if (sub === 'learn' && ctx.values['from-corrections']) {
    const { learnFromCorrectionsCommand } = await import('./learn-corrections.ts');
    return learnFromCorrectionsCommand(ctx);
  }
  if (sub === 'explain' || sub === 'learn') {
    // Loaded on demand: the other subcommands never pay for them.
    const { explainCommand, learnCommand } = await import('./parsers-learn.ts');
    // The fixture helpers are handed over, not imported back, so the modules form no cycle.
    return sub === 'explain' ? explainCommand(ctx) : learnCommand(ctx, { fixtureContext, checkFixture });
  }
  if (sub !== 'test') throw new UsageError('parsers needs "test", "check", "explain" or "learn"');
  const fixturesDir = (ctx.values.fixtures as string | undefined) ?? 'fixtures';
  const context = fixtureContext(ctx, fixturesDir);
  const only = ctx.values.parser as string | undefined;
  if (only && !context.parsers.some((p) => p.config.id === only)) throw new UsageError(`no parser with id "${only}"`);
  // Mail no parser claims (unknown senders, charset damage, non-leads) lives in fixtures/generic.
  const ids = context.parsers.map((p) => p.config.id);
  const channels = new Set(only ? [] : channelDirs(fixturesDir, ids));
  const dirs = [...ids, ...(only ? [] : ['generic', ...channels])].filter((id) => !only || id === only);
  const baseConfig = fs.existsSync(path.join(fixturesDir, 'config.yaml')) ? loadConfig(path.join(fixturesDir, 'config.yaml')).config : ctx.config;
  let failed = 0;
  let passed = 0;
  for (const id of dirs) {
    const dir = path.join(fixturesDir, id);
    const { files } = collectEmailFiles(fs.existsSync(dir) ? [dir] : []);
    if (!files.length) {
      ctx.out.write(`FAIL ${id}: no hay fixtures en ${dir}\n`);
      failed++;
      continue;
    }
    // A channel directory may carry its own config.yaml (a country's set: MX projects, country MX).
    const dirContext = channels.has(id) ? fixtureContext(ctx, dir, baseConfig, context.parsers) : context;
    for (const file of files) {
      const r = await checkFixture(file, dirContext);
      ctx.out.write(`${r.ok ? 'ok  ' : 'FAIL'} ${file}\n`);
      for (const d of r.diffs) ctx.out.write(`       ${d}\n`);
      if (r.ok) passed++;
      else failed++;
    }
  }
  ctx.out.write(`\n${passed} ${passed === 1 ? 'correcto' : 'correctos'}, ${failed} ${failed === 1 ? 'fallido' : 'fallidos'}\n`);
  return failed ? 1 : 0;
}
