// The engine of `parsers learn` and of the page's teaching view: from sample emails and the values
// an admin confirms, a parser config and what it reads. No terminal, no files, no database: the CLI
// calls it on its own thread, the admin server in a worker (src/workers/), as it parses mail. It
// loads no YAML or zod (the workers do not): the file's text and its schema check are in
// teach-check.ts, run by the caller.
import type { Limits } from '../config.ts';
import type { Country } from '../normalize/national-id.ts';
import { chooseParser } from '../pipeline/choose-parser.ts';
import { extractFields, MailView } from '../pipeline/extract.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import { parseMime } from '../pipeline/mime.ts';
import { explainEmail } from './explain.ts';
import { bestGuesses, findCandidates, guessCountry, hostileTimes, LEARN_FIELDS, matchRules, sameValue, type Candidate, type LearnField } from './learn.ts';
import { compileParser } from './compile.ts';
import { chooseLocator, embeddedValue } from './locate.ts';
import type { Extractor, ParserConfig } from './schema.ts';

export type Confirmed = Partial<Record<LearnField, string | null>>;

export async function readSamples(raws: Buffer[], limits: Limits): Promise<MailView[]> {
  return Promise.all(raws.map(async (raw) => new MailView(await parseMime(raw, limits))));
}

export interface Suggestion {
  candidates: Candidate[];
  /** The candidate most likely to be each field (its index in `candidates`). */
  guesses: Partial<Record<LearnField, Candidate>>;
}

/** The values of the first sample worth offering, and the best guess for each field. */
export function suggestFields(views: MailView[], company: PipelineContext, given: Confirmed = {}): Suggestion {
  const country = guessCountry(views, given, company.country);
  const candidates = findCandidates(views[0], country, company.projects, company.company);
  return { candidates, guesses: bestGuesses(candidates) };
}

export interface ProposeInput {
  id: string;
  name?: string;
  confirmed: Confirmed;
  /** Where the parser would be written. */
  target: string;
}

export interface Proposal {
  config: Record<string, unknown>;
  country: Country;
  /** Fields with a rule of their own. */
  fields: LearnField[];
  /** Rules tried and refused, with the reason (a rule keyed on a sample's value, one that misreads another sample). */
  refused: { field: LearnField; reason: string }[];
  /** Confirmed fields no rule reads on every sample: the generic extraction looks for them. */
  unread: { field: LearnField; value: string }[];
  /** A more specific parser still claims the samples. */
  outranked: boolean;
  slow: { pattern: string; ms: number }[];
  /** What the learned parser gives on the first sample where it differs from the confirmed value. */
  mismatches: { field: LearnField; want: string; got: string | null }[];
}

/**
 * The parser the confirmed values teach, and what it reads on the first sample. Each rule reads
 * the layout, never a sample's value (chooseLocator refuses those, with the reason); the caller
 * checks the file's text as `parsers check` does (teach-check.ts) before writing it.
 */
export async function proposeParser(raws: Buffer[], views: MailView[], company: PipelineContext, input: ProposeInput): Promise<Proposal> {
  const { id, confirmed } = input;
  const country = guessCountry(views, confirmed, company.country);
  const fields: Record<string, Extractor> = {};
  const refused: Proposal['refused'] = [];
  const unread: Proposal['unread'] = [];
  for (const f of LEARN_FIELDS) {
    const value = confirmed[f];
    if (!value) continue;
    // A message running over several lines is read whole by the generic extraction; a rule would cut it.
    const flat = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
    if (f === 'message' && flat(extractFields(views[0], null, country).fields.message) === flat(value)) continue;
    const choice = chooseLocator(views, f, value, country, company.projects, confirmed);
    for (const r of choice.refused.slice(0, 5)) refused.push({ field: f, reason: r });
    if (choice.ex) fields[f] = choice.ex;
    else unread.push({ field: f, value });
  }
  const values = Object.values(confirmed).filter((v): v is string => Boolean(v));
  const config: Record<string, unknown> = { id, name: input.name || id, medium: 'portales', ...(country !== company.country ? { country } : {}), match: matchRules(views, values), fields };
  const out: Proposal = { config, country, fields: Object.keys(fields) as LearnField[], refused, unread, outranked: false, slow: [], mismatches: [] };
  let learned = compileParser(asValidated(config), input.target);
  // A catch-all parser as specific as this one (same score) must not take the portal's emails.
  const others = company.parsers.filter((p) => p.config.id !== id);
  if (views.some((v) => chooseParser(v, [...others, learned])?.config.id !== id)) {
    config.priority = 100;
    learned = compileParser(asValidated(config), input.target);
    out.outranked = views.some((v) => chooseParser(v, [...others, learned])?.config.id !== id);
  }
  out.slow = hostileTimes(fields).filter((t) => t.ms > 50);
  const first = await explainEmail(raws[0], { ...company, parsers: [...others, learned] });
  for (const f of LEARN_FIELDS) {
    const want = confirmed[f];
    if (!want || f === 'message') continue;
    const got = first.fields.find((x) => x.field === f)?.normalized ?? null;
    if (!sameValue(f, got, want, country, company.projects)) out.mismatches.push({ field: f, want, got });
  }
  return out;
}

/** The config as the schema gives it (lists of extractors, defaults filled), for a run before the file exists. */
function asValidated(config: Record<string, unknown>): ParserConfig {
  const fields = Object.fromEntries(Object.entries(config.fields as Record<string, Extractor>).map(([k, ex]) => [k, [{ ...('regex' in ex ? { in: 'body' } : {}), ...('header' in ex ? { part: 'value' } : {}), ...ex }]]));
  return { priority: 0, noFallback: [], ...config, fields } as unknown as ParserConfig;
}

/** Why a rule of `config` contains one of `values` (a sample's confirmed value), or null. */
export function valueInRules(fields: Record<string, Extractor | Extractor[] | undefined>, values: Confirmed): string | null {
  const strings = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string' && v));
  for (const [field, rules] of Object.entries(fields)) {
    for (const ex of [rules ?? []].flat()) {
      const why = embeddedValue(ex, strings);
      if (why) return `fields.${field}: ${JSON.stringify(ex)}: ${why}`;
    }
  }
  return null;
}

export class ValueInRule extends Error {
  readonly code = 'ValueInRule';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ValueInRule';
  }
}
