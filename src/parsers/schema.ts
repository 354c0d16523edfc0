import { z } from 'zod';
import type { PatternUse } from './regex-guard.ts';
import { FIELD_NAMES, patternProblem } from './patterns.ts';
import { COUNTRY_CODES } from '../countries/index.ts';
import { selectorProblem, senderProblem } from './checks.ts';

// Also here for the modules that read them with the schema; the pipeline reads them from patterns.ts
// (no zod in the worker threads).
export { FIELD_NAMES, type FieldName, compilePattern, patternProblem } from './patterns.ts';


/** A refinement from a check that returns why a value is refused, or null. */
const refuse = (check: (v: string) => string | null) => (v: string, ctx: z.RefinementCtx) => {
  const problem = check(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/**
 * A pattern written in config (JavaScript syntax, case-insensitive): it runs on the linear-time
 * engine (regex-guard.ts) and is refused when that engine cannot express it.
 */
const patternSchema = (use: PatternUse) => z.string().min(1).max(500).superRefine(refuse((v) => patternProblem(v, use)));
const selectorSchema = z.string().min(1).max(300).superRefine(refuse(selectorProblem));
const senderSchema = z.string().min(1).superRefine(refuse(senderProblem));

const postStep = z.union([
  z.enum(['trim', 'lowercase', 'uppercase', 'titlecase', 'firstLine', 'digits', 'collapseSpaces', 'stripQuotes']),
  z.object({ replace: z.tuple([patternSchema('replace'), z.string()]) }).strict(),
  z.object({ before: z.string().min(1) }).strict(),
  z.object({ after: z.string().min(1) }).strict(),
  z.object({ maxLength: z.number().int().min(1) }).strict(),
]);
export type PostStep = z.infer<typeof postStep>;

const base = { post: z.array(postStep).optional() };
const sourceEnum = z.enum(['subject', 'text', 'html', 'from', 'fromName', 'replyTo', 'body']);

export const extractorSchema = z.union([
  // CSS selector (cheerio); text of the first match, or an attribute's value.
  z.object({ css: selectorSchema, attr: z.string().optional(), ...base }).strict(),
  // Value beside a label: table row, dt/dd, strong/span, or a `Label: value` line.
  z.object({ label: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]), ...base }).strict(),
  // Text of the element carrying attribute `name=value` (e.g. title=lead-email).
  z.object({ attribute: z.string().regex(/^[\w:-]+=.+$/, 'escríbalo como nombre=valor'), ...base }).strict(),
  // Content of <meta name="..."> in the HTML head.
  z.object({ meta: z.string().min(1), ...base }).strict(),
  // A regex on one source; group `value` (or the first group, or the whole match) is the value.
  z.object({ regex: patternSchema('extract'), in: sourceEnum.default('body'), ...base }).strict(),
  // A header (address headers give the address, `fromName` style gives the display name).
  z.object({ header: z.string().min(1), part: z.enum(['address', 'name', 'value']).default('value'), ...base }).strict(),
]);
export type Extractor = z.infer<typeof extractorSchema>;

const extractorList = z.union([extractorSchema, z.array(extractorSchema).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const parserSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'solo minúsculas, dígitos y guiones'),
    name: z.string().min(1),
    medium: z.enum(['portales', 'web', 'otros']),
    country: z.enum(COUNTRY_CODES).optional(),
    priority: z.number().int().default(0),
    match: z
      .object({
        // Sender address or domain (any one of them); a domain also matches its subdomains.
        from: z.union([senderSchema, z.array(senderSchema).min(1)]).optional(),
        subject: patternSchema('test').optional(),
        body: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
        header: z.record(z.string(), patternSchema('test')).optional(),
      })
      .strict()
      .refine((m) => m.from || m.subject || m.body || m.header, { message: 'necesita al menos uno de from, subject, body, header' }),
    fields: z.partialRecord(z.enum(FIELD_NAMES), extractorList).default({}),
    // Ignore the generic fallback for these fields (e.g. a portal whose footer has a misleading email).
    noFallback: z.array(z.enum(FIELD_NAMES)).default([]),
    // A digest of a known shape: each element this selector matches is one person (one lead), its
    // fields read inside it. Without it, repeated label blocks and table rows are found on their own.
    repeat: z.object({ css: selectorSchema }).strict().optional(),
    // The portal's own identifiers (its call centre, its tax ID, its domains): never the client's.
    own: z
      .object({
        phones: z.array(z.string().min(1)).default([]),
        nationalIds: z.array(z.string().min(1)).default([]),
        domains: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ParserConfig = z.infer<typeof parserSchema>;
