// `parsers learn --from-corrections`: the values people corrected on a parser's leads, read back
// as samples with known values, and the rule that would have read each email's own value. Pure:
// the CLI reads the corrections and the emails from the store.
import { runExtractor, type MailView } from '../pipeline/extract.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import type { Country } from '../normalize/national-id.ts';
import { sameValue, type LearnField } from './learn.ts';
import { embeddedValue, locatorCandidates } from './locate.ts';
import type { Extractor } from './schema.ts';

export const CORRECTABLE = ['name', 'nationalId', 'email', 'phone', 'project'] as const satisfies readonly LearnField[];
export type CorrectableField = (typeof CORRECTABLE)[number];

/** An edit action of a lead of the parser: its data JSON carries `corrections` ({field: {from, to}}). */
export interface CorrectionAction { rawEmailId: number; partIndex: number; data: string; name?: string | null; nationalId?: string | null; email?: string | null; phone?: string | null }

/** One corrected email: the fields' corrected values (the latest correction of each) and what the pipeline had read. */
export interface CorrectedEmail {
  rawEmailId: number;
  values: Partial<Record<CorrectableField, string>>;
  extracted: Partial<Record<CorrectableField, string | null>>;
  /** The lead's values besides the corrected ones (its name, ID, email, phone): no rule may name them either. */
  lead: Partial<Record<CorrectableField, string>>;
}

/**
 * The corrected values per email, oldest action first so the latest correction of a field wins.
 * A lead of a digest (part 1, 2…) is not its email's only person: no rule of the email is its own,
 * so it is counted in `skipped` and left out. A field cleared by the person teaches no rule.
 */
export function latestCorrections(rows: CorrectionAction[]): { emails: CorrectedEmail[]; skipped: number } {
  const byEmail = new Map<number, CorrectedEmail>();
  let skipped = 0;
  for (const row of rows) {
    if (row.partIndex !== 0) { skipped++; continue; }
    let corrections: Record<string, { from?: string | null; to?: string | null }> | undefined;
    try {
      corrections = (JSON.parse(row.data) as { corrections?: typeof corrections }).corrections;
    } catch {
      continue;
    }
    const email = byEmail.get(row.rawEmailId) ?? { rawEmailId: row.rawEmailId, values: {}, extracted: {}, lead: {} };
    for (const f of ['name', 'nationalId', 'email', 'phone'] as const) if (row[f]) email.lead[f] = row[f]!;
    for (const field of CORRECTABLE) {
      const c = corrections?.[field];
      if (!c) continue;
      if (c.to) email.values[field] = c.to;
      else delete email.values[field];
      // What the pipeline read first, before any correction.
      if (!(field in email.extracted)) email.extracted[field] = c.from ?? null;
    }
    byEmail.set(row.rawEmailId, email);
  }
  const emails = [...byEmail.values()].filter((e) => Object.keys(e.values).length);
  return { emails, skipped };
}

export interface Sample {
  view: MailView;
  /** The corrected values: what the rule must read. */
  known: Partial<Record<CorrectableField, string>>;
  /** Other values of the sample's lead: what no rule may name. */
  other?: Partial<Record<CorrectableField, string>>;
}

/** What the worker is asked about one stored email: where its known values sit, and what these rules read there. */
export interface LocateJob { country: Country; known: Partial<Record<CorrectableField, string>>; extractors: Extractor[] }
export interface LocateAnswer { candidates: Partial<Record<CorrectableField, Extractor[]>>; reads: (string | null)[] }

/** The untrusted half, run in a worker on the parsed email: candidates for each known value, reads of the given rules. */
export function locateInEmail(view: MailView, job: LocateJob, projects: ProjectIndex): LocateAnswer {
  const candidates: LocateAnswer['candidates'] = {};
  for (const f of CORRECTABLE) {
    const v = job.known[f];
    if (v) candidates[f] = locatorCandidates(view, f, v, job.country, projects);
  }
  return { candidates, reads: job.extractors.map((ex) => runExtractor(view, ex)) };
}

/** One sample as data: its values, its candidates, and what a rule reads on it (answered by the worker). */
export interface SampleData {
  known: Partial<Record<CorrectableField, string>>;
  other?: Partial<Record<CorrectableField, string>>;
  candidates: Partial<Record<CorrectableField, Extractor[]>>;
  read: (ex: Extractor) => string | null;
}

export interface FieldRule {
  field: CorrectableField;
  ex: Extractor | null;
  /** How many samples carry a corrected value of the field, and how many of those write it in the email. */
  samples: number;
  written: number;
  /** Rules tried and refused, with the reason. */
  refused: string[];
}

/**
 * The first rule that reads every sample's own corrected value of `field` and is keyed on no
 * value of any sample's lead. Candidates come from each sample in turn (the first sample's layout
 * may be an odd one); a sample whose corrected value is written nowhere in its email (the person
 * got it on the phone) cannot be read by any rule and is left out of the check.
 */
export function pickRule(samples: SampleData[], field: CorrectableField, country: Country, projects: ProjectIndex): FieldRule {
  const withValue = samples.filter((s) => s.known[field]);
  const refused: string[] = [];
  const written = withValue.filter((s) => (s.candidates[field] ?? []).length > 0);
  const rule: FieldRule = { field, ex: null, samples: withValue.length, written: written.length, refused };
  // Every value of every sample's lead: a rule that names one of them reads that lead, not the layout.
  const values: Record<string, string> = {};
  samples.forEach((s, i) => { for (const [f, v] of Object.entries({ ...s.other, ...s.known })) values[`${f} (correo ${i + 1})`] = v; });
  const tried = new Set<string>();
  for (const ex of written.flatMap((s) => s.candidates[field]!)) {
    const key = JSON.stringify(ex);
    if (tried.has(key)) continue;
    tried.add(key);
    const embedded = embeddedValue(ex, values);
    if (embedded) { refused.push(`${key}: ${embedded}`); continue; }
    const miss = written.find((s) => !sameValue(field, s.read(ex), s.known[field]!, country, projects));
    if (miss) {
      refused.push(`${key}: on corrected email ${samples.indexOf(miss) + 1} it reads ${JSON.stringify(miss.read(ex))}, not the corrected ${field}`);
      continue;
    }
    rule.ex = ex;
    return rule;
  }
  return rule;
}

/** Both halves on parsed emails at hand (tests, tools on trusted samples). */
export function locateAcross(samples: Sample[], field: CorrectableField, country: Country, projects: ProjectIndex): FieldRule {
  const data = samples.map((s): SampleData => ({ known: s.known, other: s.other, candidates: locateInEmail(s.view, { country, known: s.known, extractors: [] }, projects).candidates, read: (ex) => runExtractor(s.view, ex) }));
  return pickRule(data, field, country, projects);
}
