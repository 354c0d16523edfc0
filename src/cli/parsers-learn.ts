import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { explainEmail, formatExplanation } from '../parsers/explain.ts';
import { LEARN_FIELDS, type Candidate, type LearnField } from '../parsers/learn.ts';
import { compileParser, loadParsers, type LoadedParser } from '../parsers/load.ts';
import { proposeParser, readSamples, suggestFields } from '../parsers/teach.ts';
import { checkParserText, renderParser } from '../parsers/teach-check.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import { buildProjectIndex } from '../pipeline/project.ts';
import { type CommandContext, UsageError } from './context.ts';

type FixtureContext = (ctx: CommandContext, fixturesDir: string, base?: CommandContext['config'], parsers?: LoadedParser[]) => PipelineContext;
interface FixtureHelpers {
  fixtureContext: FixtureContext;
  checkFixture: (file: string, context: PipelineContext) => Promise<{ ok: boolean; diffs: string[] }>;
}

/** The company's own context (its projects and country): what an admin's emails run with. */
function companyContext(ctx: CommandContext): PipelineContext {
  return { parsers: loadParsers(ctx.config.parsersDir), projects: buildProjectIndex(ctx.config.projects, ctx.config.mailboxes), country: ctx.config.country, limits: ctx.config.limits, company: ctx.config.company };
}

/** `centralizer parsers explain FILE.eml [--parser ID] [--json]`. */
export async function explainCommand(ctx: CommandContext): Promise<number> {
  const files = ctx.args.slice(1);
  if (!files.length) throw new UsageError('parsers explain needs an .eml file');
  const context = companyContext(ctx);
  const only = ctx.values.parser as string | undefined;
  if (only && !context.parsers.some((p) => p.config.id === only)) throw new UsageError(`no parser with id "${only}"`);
  for (const file of files) {
    const e = await explainEmail(fs.readFileSync(file), context, only);
    ctx.out.write(ctx.values.json ? `${JSON.stringify({ file, ...e })}\n` : `== ${file}\n${formatExplanation(e)}\n`);
  }
  return 0;
}

const fieldFlags = (ctx: CommandContext): Partial<Record<LearnField, string | null>> => {
  const raw = ctx.values.field as unknown as string[] | undefined;
  const out: Partial<Record<LearnField, string | null>> = {};
  for (const f of raw ?? []) {
    const k = f.indexOf('=');
    const key = f.slice(0, k) as LearnField;
    if (k < 1 || !LEARN_FIELDS.includes(key)) throw new UsageError(`--field takes name=VALUE with name one of ${LEARN_FIELDS.join(', ')}`);
    out[key] = f.slice(k + 1).trim() || null;
  }
  return out;
};

/** Asks for each field on a terminal: Enter keeps the guess, a number picks a candidate, text is the value, "-" none. */
async function ask(ctx: CommandContext, cands: Candidate[], guesses: Partial<Record<LearnField, Candidate>>, given: Partial<Record<LearnField, string | null>>): Promise<Partial<Record<LearnField, string | null>>> {
  const rl = readline.createInterface({ input: ctx.input!, output: ctx.out });
  const out = { ...given };
  try {
    for (const f of LEARN_FIELDS) {
      if (f in given) continue;
      const guess = guesses[f]?.value ?? '';
      const answer = (await rl.question(`${f} [${guess || 'none'}]: `)).trim();
      if (answer === '-') out[f] = null;
      else if (/^\d+$/.test(answer) && cands[Number(answer) - 1]) out[f] = cands[Number(answer) - 1].value;
      else out[f] = answer || guess || null;
    }
  } finally {
    rl.close();
  }
  return out;
}

async function questionOnce(ctx: CommandContext, q: string): Promise<string> {
  const rl = readline.createInterface({ input: ctx.input!, output: ctx.out });
  try {
    return (await rl.question(q)).trim();
  } finally {
    rl.close();
  }
}

/** `centralizer parsers learn SAMPLE.eml… --id ID [--name NAME] [--field F=V]… [--accept|--yes] [--force]`. */
export async function learnCommand(ctx: CommandContext, helpers: FixtureHelpers): Promise<number> {
  const files = ctx.args.slice(1);
  const id = ctx.values.id as string | undefined;
  if (!files.length || !id) throw new UsageError('parsers learn needs sample .eml files and --id ID');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UsageError('--id: lowercase letters, digits and dashes');
  const existing = loadParsers(ctx.config.parsersDir);
  const clash = existing.find((p) => p.config.id === id);
  // --force replaces the file that holds the id, so two files never claim it.
  const target = clash?.file ?? path.join(ctx.config.parsersDir, `${id}.yaml`);
  if ((fs.existsSync(target) || clash) && !ctx.values.force) {
    ctx.err.write(`${clash?.file ?? target} exists: add --force to replace it\n`);
    return 1;
  }
  const company = companyContext(ctx);
  const raws = files.map((f) => fs.readFileSync(f));
  const views = await readSamples(raws, ctx.config.limits);
  const given = fieldFlags(ctx);
  const { candidates: cands, guesses } = suggestFields(views, company, given);
  ctx.out.write(`valores candidatos en ${files[0]}:\n`);
  cands.forEach((c, i) => { ctx.out.write(`  ${String(i + 1).padStart(2)}. ${JSON.stringify(c.value)}${c.label ? `  (label "${c.label}")` : ''}  ${c.types.join(', ') || '-'}\n`); });
  ctx.out.write('mejores suposiciones:\n');
  for (const f of LEARN_FIELDS) ctx.out.write(`  ${f.padEnd(10)} ${guesses[f] ? `${cands.indexOf(guesses[f]!) + 1}. ${JSON.stringify(guesses[f]!.value)}` : '-'}\n`);
  const interactive = !ctx.values.accept && !ctx.values.yes && Boolean((ctx.input as { isTTY?: boolean } | undefined)?.isTTY);
  let confirmed: Partial<Record<LearnField, string | null>>;
  if (interactive) confirmed = await ask(ctx, cands, guesses, given);
  else if (ctx.values.accept || ctx.values.yes || Object.keys(given).length) {
    // Scripts: the given values only (a field left out is left to the generic extraction: a guess
    // such as the portal's own phone would be worse than none); the guesses when none is given.
    confirmed = Object.keys(given).length ? given : Object.fromEntries(LEARN_FIELDS.map((f) => [f, guesses[f]?.value ?? null]));
  } else throw new UsageError('not a terminal: confirm the values with --field name=VALUE … or take the guesses with --accept');
  const name = (ctx.values.name as string | undefined) ?? id;
  const proposal = await proposeParser(raws, views, company, { id, name, confirmed, target });
  for (const r of proposal.refused) ctx.out.write(`rechazado para ${r.field}: ${r.reason}\n`);
  for (const u of proposal.unread) ctx.err.write(`warning: no rule reads ${u.field} ${JSON.stringify(u.value)} on every sample; the generic extraction will look for it\n`);
  const { config } = proposal;
  const yamlText = renderParser(config, '`centralizer parsers learn`', files.map((f) => path.basename(f)));
  // The same checks as `parsers check`: schema, selectors, sender rules and the regex guard.
  let learned: LoadedParser;
  try {
    learned = checkParserText(yamlText, target, confirmed);
  } catch (e) {
    ctx.err.write(`the learned parser does not pass the checks, nothing written:\n${(e as Error).message}\n`);
    return 1;
  }
  if (proposal.outranked) ctx.err.write('warning: a more specific parser still claims these samples\n');
  for (const ms of proposal.slow) ctx.err.write(`warning: ${ms.pattern} took ${ms.ms.toFixed(0)} ms on a hostile input\n`);
  const parsers = [...existing.filter((p) => p.config.id !== id), compileParser(learned.config, target)];
  for (const m of proposal.mismatches) ctx.err.write(`warning: ${m.field}: confirmed ${JSON.stringify(m.want)}, the learned parser gives ${JSON.stringify(m.got)}\n`);
  const mismatch = proposal.mismatches.length;
  const fixturesDir = (ctx.values.fixtures as string | undefined) ?? 'fixtures';
  const fixtureCtx = helpers.fixtureContext(ctx, fixturesDir, ctx.config, parsers);
  const run = explainEmail;
  if (ctx.db) {
    // Before going live: what it would change on the stored emails it would claim (read only).
    const { previewOnStored } = await import('./learn-preview.ts');
    ctx.out.write(`${await previewOnStored(ctx, { ...company, parsers: existing }, { ...company, parsers }, id)}\n`);
    if (interactive && !/^(s|si|sí|y|yes|)$/i.test(await questionOnce(ctx, 'write the parser? [S/n] '))) return 1;
  }
  fs.writeFileSync(target, yamlText);
  ctx.out.write(`${target} escrito\n`);
  const dir = path.join(fixturesDir, id);
  fs.mkdirSync(dir, { recursive: true });
  let failed = 0;
  for (const file of files) {
    const eml = path.join(dir, path.basename(file).replace(/\.[^.]+$/, '') + '.eml');
    if (path.resolve(eml) !== path.resolve(file)) fs.copyFileSync(file, eml);
    const e = await run(fs.readFileSync(eml), fixtureCtx);
    const pick = (f: string) => e.fields.find((x) => x.field === f)?.normalized ?? null;
    const expected = { parser: id, quality: e.quality, fields: Object.fromEntries(['name', 'nationalId', 'email', 'phone', 'project'].map((f) => [f, pick(f)])) };
    fs.writeFileSync(eml.replace(/\.eml$/, '.expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
    const r = await helpers.checkFixture(eml, fixtureCtx);
    ctx.out.write(`${r.ok ? 'ok  ' : 'FAIL'} ${eml}\n`);
    for (const d of r.diffs) ctx.out.write(`       ${d}\n`);
    if (!r.ok) failed++;
  }
  ctx.out.write(`aprendido: ${proposal.fields.join(', ') || 'ninguna regla de campo'}; reconoce ${JSON.stringify(config.match)}\n`);
  return failed || mismatch ? 1 : 0;
}

export { formatExplanation };
