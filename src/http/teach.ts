// The page's teaching view (admins): from 1–3 stored emails and the values the admin confirms, the
// parser `parsers learn` would write, what it would change on the stored mail, and its save. The
// samples are read, the parser proposed and the preview run in the worker pool (src/workers/),
// with the same engine as the CLI (src/parsers/teach.ts); only the file's own checks run here.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LEARN_FIELDS } from '../parsers/learn.ts';
import { compileParser, ParserConfigError } from '../parsers/load.ts';
import { ValueInRule, type Confirmed, type Proposal } from '../parsers/teach.ts';
import { checkParserText, renderParser } from '../parsers/teach-check.ts';
import { previewLearned } from '../parsers/teach-preview.ts';
import type { Suggested } from '../workers/teach-task.ts';
import { io } from '../db/port.ts';
import { auditEntry } from './audit.ts';
import { HttpError } from './errors.ts';
import type { RequestContext } from './types.ts';

const rawId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ids = z.array(rawId).min(1, 'elige al menos un correo').max(3, 'a lo más 3 correos de ejemplo');
const value = z.string().trim().max(2000).nullable();
const fields = z.strictObject(Object.fromEntries(LEARN_FIELDS.map((f) => [f, value.optional()])) as Record<(typeof LEARN_FIELDS)[number], z.ZodOptional<typeof value>>);
const parserId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,60}$/, 'el id del parser: letras minúsculas, dígitos y guiones');

export const suggestBody = z.strictObject({ ids });
export const proposeBody = z.strictObject({ ids, id: parserId, name: z.string().trim().min(1).max(120).optional(), fields });
export const saveBody = z.strictObject({ ids, fields, yaml: z.string().min(1).max(60_000), confirm: z.boolean().optional() });

/** The samples' bytes, in the order given: a missing email answers 404, one whose body is gone 410. */
async function samples(ctx: RequestContext, list: number[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const id of new Set(list)) {
    const row = await ctx.services.app.store.getRaw(id);
    if (!row) throw new HttpError(404, `correo ${id} no encontrado`);
    if (!row.raw) throw new HttpError(410, `el correo ${id} ya no está guardado (retención o tamaño)`);
    out.push(row.raw);
  }
  return out;
}

const deadline = (ctx: RequestContext) => ctx.services.app.config.workers.deadlineMs * 4;

/** `POST /api/teach/suggest`: the first sample explained, its candidate values and the guess of each field. */
export async function suggest(ctx: RequestContext<unknown, z.output<typeof suggestBody>>) {
  const { app } = ctx.services;
  const raws = await samples(ctx, ctx.body.ids);
  const s = await app.workers.learn<Suggested>(raws, app.context(), { mode: 'suggest' }, deadline(ctx));
  return { json: { ids: ctx.body.ids, ...s } };
}

/** Where the parser `id` is (the file that holds it) or would be written. */
function targetOf(ctx: RequestContext, id: string): { file: string; exists: boolean } {
  const { app } = ctx.services;
  const holder = app.context().parsers.find((p) => p.config.id === id)?.file;
  const file = holder ?? path.join(app.config.parsersDir, `${id}.yaml`);
  return { file, exists: fs.existsSync(file) };
}

const confirmedOf = (f: z.output<typeof fields>): Confirmed => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v || null]));

/** A refusal of the engine, in Spanish for the page ("it contains the sample's name …"). */
export function refusalText(reason: string): string {
  return reason
    .replace(/it contains the sample's (\w+)( \(sample (\d+)\))? ("[^"]*"): a rule must read the layout, never a value/, (_m, f, _s, n, v) => `contiene el valor ${v} (${f}${n ? `, ejemplo ${n}` : ''}) del correo: una regla debe leer la estructura, nunca un valor`)
    .replace(/on sample (\d+) it reads ("[^"]*"|null), not that sample's own (\w+)/, (_m, n, v, f) => `en el ejemplo ${n} lee ${v}, no el ${f} propio de ese correo`);
}

/** The checks `parsers check` makes, as a Spanish refusal (422) naming what is wrong. */
function checked(text: string, file: string, values: Confirmed) {
  try {
    return checkParserText(text, file, values);
  } catch (e) {
    if (e instanceof ValueInRule) throw new HttpError(422, `Rechazado, no se guardó nada: una regla del campo ${e.field} contiene un valor del correo de ejemplo; las reglas deben leer la estructura del correo, nunca un valor. (${refusalText(e.message)})`);
    if (e instanceof ParserConfigError) throw new HttpError(422, `El parser no pasa las comprobaciones de \`parsers check\`, no se guardó nada: ${e.message}`);
    throw e;
  }
}

/**
 * `POST /api/teach/propose`: the parser the confirmed values teach (its YAML), the rules refused
 * and why, and what it would change on the stored mail; with the diff when it replaces a file.
 */
export async function propose(ctx: RequestContext<unknown, z.output<typeof proposeBody>>) {
  const { app } = ctx.services;
  const b = ctx.body;
  const raws = await samples(ctx, b.ids);
  const confirmed = confirmedOf(b.fields);
  if (!Object.values(confirmed).some(Boolean)) throw new HttpError(400, 'confirma al menos un campo');
  const target = targetOf(ctx, b.id);
  const before = app.context();
  const p = await app.workers.learn<Proposal>(raws, before, { mode: 'propose', input: { id: b.id, name: b.name, confirmed, target: target.file } }, deadline(ctx));
  const yaml = renderParser(p.config, 'the admin page', b.ids.map((id) => `correo ${id}`));
  const learned = checked(yaml, target.file, confirmed);
  const after = { ...before, parsers: [...before.parsers.filter((x) => x.config.id !== b.id), compileParser(learned.config, target.file)] };
  const preview = await previewLearned(app.store, (raw, c) => app.workers.run(raw, c, { deadlineMs: app.config.workers.deadlineMs }), before, after, b.id, 1000);
  const old = target.exists ? fs.readFileSync(target.file, 'utf8') : null;
  // Loaded here, the only place the daemon needs it (split bundle: not in memory until a rule is taught).
  const { createTwoFilesPatch } = await import('diff');
  return {
    json: {
      id: b.id,
      file: path.basename(target.file),
      yaml,
      exists: target.exists,
      diff: old === null ? null : createTwoFilesPatch(`${path.basename(target.file)} (actual)`, `${path.basename(target.file)} (nuevo)`, old, yaml),
      fields: p.fields,
      refused: p.refused.map((r) => ({ field: r.field, reason: refusalText(r.reason) })),
      unread: p.unread.map((u) => u.field),
      mismatches: p.mismatches,
      outranked: p.outranked,
      preview,
    },
  };
}

/**
 * `POST /api/teach/save`: writes the (possibly edited) YAML to parsers/<id>.yaml once it passes the
 * checks of `parsers check` (no rule keyed on a sample's value), reloads the parsers as a config
 * reload does, and audits the admin's action. Replacing a file needs `confirm` (the page shows the diff).
 */
export async function save(ctx: RequestContext<unknown, z.output<typeof saveBody>>) {
  const { app } = ctx.services;
  const b = ctx.body;
  await samples(ctx, b.ids); // the samples exist: the audit names them
  const confirmed = confirmedOf(b.fields);
  const probe = checked(b.yaml, 'parser', confirmed);
  const id = probe.config.id;
  const target = targetOf(ctx, id);
  const learned = checked(b.yaml, target.file, confirmed);
  const old = target.exists ? fs.readFileSync(target.file, 'utf8') : null;
  if (old !== null && !b.confirm) throw new HttpError(409, `El parser ${id} ya existe (${path.basename(target.file)}): revisa las diferencias y confirma para reemplazarlo.`);
  const tmp = `${target.file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, b.yaml);
  fs.renameSync(tmp, target.file);
  const putBack = () => (old === null ? fs.rmSync(target.file, { force: true }) : fs.writeFileSync(target.file, old));
  try {
    await app.reload({}); // as a config reload: every parser file read and checked again
  } catch (e) {
    putBack();
    throw new HttpError(422, `Los parsers no se pudieron recargar, el archivo se dejó como estaba: ${(e as Error).message}`);
  }
  // The only database write is the audit entry (the parser lives in its file, outside any
  // transaction): if it cannot be written, the file goes back, so no change stays without its person.
  const entry = auditEntry(ctx, old === null ? 'parser.learn' : 'parser.replace', 'parser', id, { file: path.basename(target.file), emails: b.ids, fields: Object.keys(learned.config.fields) });
  try {
    await app.store.unitOfWork(function* (tx) {
      yield* io(tx.audit(entry));
    });
  } catch (e) {
    putBack();
    await app.reload({}).catch(() => undefined); // the parsers as they were
    throw e;
  }
  ctx.services.deps.log.info({ parser: id, replaced: old !== null }, 'parser learned on the admin page');
  return { json: { ok: true, id, file: path.basename(target.file), replaced: old !== null } };
}
