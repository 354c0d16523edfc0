import fs from 'node:fs';
import { parseDocument, stringify } from 'yaml';
import { createApp } from '../app.ts';
import { CORRECTABLE, latestCorrections, pickRule, type FieldRule, type SampleData } from '../parsers/learn-corrections.ts';
import { compileParser, loadParsers, parseParserFile, type LoadedParser } from '../parsers/load.ts';
import { buildProjectIndex } from '../pipeline/project.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import { commandLogger, type CommandContext, UsageError } from './context.ts';
import { fieldDiffOnStored } from './learn-preview.ts';

const SHOWN_CHANGES = 50;

/** `- phone: …` / `+ phone: …`: the parser file's lines that the change replaces, as a unified diff of its `fields`. */
function fieldsDiff(file: string, before: Record<string, unknown>, after: Record<string, unknown>): string {
  const block = (f: string, v: unknown) => (v === undefined ? [] : stringify({ fields: { [f]: v } }, { lineWidth: 0 }).trimEnd().split('\n').slice(1));
  const out = [`--- ${file}`, `+++ ${file}`];
  for (const f of Object.keys(after)) {
    if (JSON.stringify(before[f]) === JSON.stringify(after[f])) continue;
    out.push(`@@ fields.${f} @@`, ...block(f, before[f]).map((l) => `-${l}`), ...block(f, after[f]).map((l) => `+${l}`));
  }
  return out.join('\n');
}

/**
 * `centralizer parsers learn --from-corrections PARSER [--apply]`: the corrections people made to
 * the parser's leads are samples with known values; for each corrected field, the rule that reads
 * every corrected email's own value (never a rule keyed on a value). Prints the parser file's
 * change and what it changes on the stored emails of that parser; `--apply` writes the file.
 */
export async function learnFromCorrectionsCommand(ctx: CommandContext): Promise<number> {
  const id = ctx.values['from-corrections'] as string;
  const parsers = loadParsers(ctx.config.parsersDir);
  const parser = parsers.find((p) => p.config.id === id);
  if (!parser) throw new UsageError(`no parser with id "${id}"`);
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const { emails, skipped } = latestCorrections(await app.reads.corrections.ofParser(id));
    if (skipped) ctx.err.write(`${skipped} corrección(es) de leads de un correo con varias personas no se usan: ninguna regla del correo es solo de esa persona\n`);
    if (!emails.length) {
      ctx.err.write(`no hay correcciones de leads de ${id}: nada que aprender (una corrección se guarda cuando alguien corrige un dato del lead o de la ficha)\n`);
      return 1;
    }
    const projects = buildProjectIndex(ctx.config.projects, ctx.config.mailboxes);
    const country = parser.config.country ?? ctx.config.country;
    // The stored emails are untrusted: parsed and searched in the worker pool, under its deadline.
    const context: PipelineContext = { ...app.context(), projects, country: ctx.config.country };
    const deadlineMs = app.config.workers.deadlineMs;
    const found: { e: (typeof emails)[number]; candidates: SampleData['candidates'] }[] = [];
    for (const [i, e] of emails.entries()) {
      const row = await app.store.getRaw(e.rawEmailId);
      const answer = row?.raw ? await app.workers.locate(row.raw, context, { country, known: e.values, extractors: [] }, deadlineMs).catch(() => null) : null;
      if (answer) found.push({ e, candidates: answer.candidates });
      ctx.err.write(`correos corregidos leídos ${i + 1}/${emails.length}\n`);
    }
    if (found.length < emails.length) ctx.err.write(`${emails.length - found.length} correo(s) corregido(s) no se pueden leer (borrados por la retención, o fuera de los límites o del plazo): no se usan\n`);
    if (!found.length) {
      ctx.err.write(`los correos de las correcciones de ${id} no se pueden leer (borrados por la retención, o fuera de los límites): nada que aprender\n`);
      return 1;
    }
    // Every rule found, read on every corrected email (again in the pool).
    const all = [...new Map(found.flatMap((f) => Object.values(f.candidates).flat()).map((ex) => [JSON.stringify(ex), ex])).values()];
    const samples: SampleData[] = [];
    for (const [i, f] of found.entries()) {
      const row = await app.store.getRaw(f.e.rawEmailId);
      const answer = row?.raw ? await app.workers.locate(row.raw, context, { country, known: {}, extractors: all }, deadlineMs).catch(() => null) : null;
      const reads = new Map(all.map((ex, k) => [JSON.stringify(ex), answer?.reads[k] ?? null]));
      samples.push({ known: f.e.values, other: f.e.lead, candidates: f.candidates, read: (ex) => reads.get(JSON.stringify(ex)) ?? null });
      ctx.err.write(`reglas probadas en ${i + 1}/${found.length} correos\n`);
    }
    const fields = CORRECTABLE.filter((f) => samples.some((s) => s.known[f]));
    ctx.out.write(`${samples.length} ${samples.length === 1 ? 'correo corregido' : 'correos corregidos'} de ${id}; campos corregidos: ${fields.join(', ')}\n`);
    const rules: FieldRule[] = fields.map((f) => pickRule(samples, f, country, projects));
    for (const r of rules) {
      for (const why of r.refused.slice(0, 5)) ctx.out.write(`rechazado para ${r.field}: ${why}\n`);
      if (r.written < r.samples) ctx.out.write(`${r.field}: en ${r.samples - r.written} de ${r.samples} correos el valor corregido no está escrito en el correo (no lo lee ninguna regla)\n`);
    }
    const learned = rules.filter((r): r is FieldRule & { ex: NonNullable<FieldRule['ex']> } => r.ex !== null);
    if (!learned.length) {
      const keyed = rules.some((r) => r.refused.some((w) => w.includes('a rule must read the layout')));
      ctx.err.write(`ninguna regla lee los valores corregidos de ${fields.join(', ')} en cada correo${keyed ? ': la única encontrada contiene el valor de un correo, y una regla debe leer el formato, nunca un valor' : ''}; nada que proponer\n`);
      return 1;
    }
    // The parser file with the learned rules in place of the field's old ones (its comments kept).
    const text = fs.readFileSync(parser.file, 'utf8');
    const doc = parseDocument(text);
    const oldFields = Object.fromEntries(learned.map((r) => [r.field, (doc.getIn(['fields', r.field]) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? doc.getIn(['fields', r.field])]));
    for (const r of learned) doc.setIn(['fields', r.field], doc.createNode(r.ex));
    const nextText = doc.toString({ lineWidth: 0 });
    let next: LoadedParser;
    try {
      next = parseParserFile(nextText, parser.file); // the same checks as `parsers check`
    } catch (e) {
      ctx.err.write(`el cambio no pasa las verificaciones de parsers check, nada escrito:\n${(e as Error).message}\n`);
      return 1;
    }
    const newFields = Object.fromEntries(learned.map((r) => [r.field, r.ex]));
    ctx.out.write(`${fieldsDiff(parser.file, oldFields, newFields)}\n`);
    // What the change does on the stored emails of the parser.
    const base: PipelineContext = { ...context, parsers };
    const after: PipelineContext = { ...base, parsers: parsers.map((p) => (p.config.id === id ? compileParser(next.config, parser.file) : p)) };
    const diff = await fieldDiffOnStored(app, base, after, id, (done, total) => ctx.err.write(`correos guardados ${done}/${total}\n`));
    const by = Object.entries(diff.byField).map(([f, n]) => `${f} ${n}`).join(', ');
    ctx.out.write(`en los correos guardados: ${diff.changed} de ${diff.claimed} correos de ${id} cambian${by ? ` (${by})` : ''}\n`);
    for (const c of diff.changes.slice(0, SHOWN_CHANGES)) ctx.out.write(`  correo ${c.rawEmailId} ${c.field}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}\n`);
    if (diff.changes.length > SHOWN_CHANGES) ctx.out.write(`  … y ${diff.changes.length - SHOWN_CHANGES} cambios más\n`);
    if (!ctx.values.apply) {
      ctx.out.write(`nada escrito: --apply escribe ${parser.file}\n`);
      return 0;
    }
    fs.writeFileSync(parser.file, nextText);
    ctx.out.write(`${parser.file} escrito; \`centralizer reprocess\` aplica el cambio a los correos guardados\n`);
    return 0;
  } finally {
    await app.close();
  }
}
