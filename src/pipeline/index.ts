import type { Limits } from '../config.ts';
import type { Country } from '../normalize/national-id.ts';
import type { LoadedParser } from '../parsers/load.ts';
import type { FieldName } from '../parsers/schema.ts';
import { chooseParser } from './choose-parser.ts';
import { classify, type Quality } from './classify.ts';
import { extractFields, MailView, type ExtractedFields } from './extract.ts';
import { accountNoticeReason, bulkReason, linkSpamReason, notALeadReason, notAnEmail } from './ignore.ts';
import { parseMime, type Address } from './mime.ts';
import { normalizeFields, type LeadFields } from './normalize.ts';
import { findProjectIn, type ProjectIndex } from './project.ts';
import type { OwnIdentifiers } from './own.ts';
import type { ThreadInfo } from './reply.ts';
import { recognizeCase, type CaseSignal } from './recognize-case.ts';
import { PersonView, peopleIn } from './people.ts';

export type Medium = 'portales' | 'web' | 'otros';

/** What the pipeline needs besides the message: today's parsers, projects and rules. */
export interface PipelineContext {
  parsers: LoadedParser[];
  projects: ProjectIndex;
  country: Country;
  limits: Limits;
  /** Parsers whose emails timed out (src/workers/quarantine.ts): their mail takes the generic extraction. */
  quarantined?: readonly string[];
  /** The company's own phones, IDs and domains (config `company`): never read as a client's. */
  company?: OwnIdentifiers;
}

/** What the pipeline tells its runner while it works (the worker passes it on to the pool). */
export interface PipelineHooks {
  /** The parser the extraction runs with, before it runs: a timeout after this is that parser's. */
  onParser?(id: string): void;
}

interface Common {
  messageId: string | null;
  date: Date | null;
  subject: string;
  from: Address | null;
  parser: string | null;
}

export interface IgnoredOutcome extends Common {
  kind: 'ignored';
  reason: string;
}

export interface LeadOutcome extends Common {
  kind: 'lead';
  medium: Medium;
  fields: LeadFields;
  /** The values as extracted, before normalisation: what an admin edits from. */
  rawFields: ExtractedFields;
  quality: Quality;
  problems: string[];
  problemDetails: Record<string, string>;
  fromFallback: string[];
  /** The country the national ID and phone were read in (project, portal, mailbox or company). */
  country: Country;
  /** For a reply in a thread: what links it to the earlier lead (looked up where leads are recorded). */
  thread: ThreadInfo | null;
  createsClient: boolean;
  createsFollowUp: boolean;
  /** What the text says about after-sale service (src/pipeline/recognize-case.ts): the commit makes a case of it, never both. */
  service: CaseSignal;
  /** Our thread's Message-IDs it answers (In-Reply-To, then References), for a case's reply; [] when none. */
  inReplyTo: string[];
  /** Name, type and size of each attachment (a case keeps them; the bytes stay in the raw email). */
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** The body's own text (above the quote), bounded: a case keeps it as the thread's message. */
  bodyText: string;
  /** The person's position in the email: 0, or 1, 2… for the others of a message carrying several. */
  part?: number;
  /** The message's other people (a digest, a CSV with several rows), each a lead of its own; [] for one. */
  others?: LeadOutcome[];
}

export type PipelineOutcome = IgnoredOutcome | LeadOutcome;

/** The country of the mailbox the mail was sent to, when that mailbox has one of its own. */
function mailboxCountry(to: string[], deliveredTo: string | undefined, projects: ProjectIndex): Country | undefined {
  const map = projects.recipients;
  if (!map) return undefined;
  for (const a of [deliveredTo?.trim(), ...to]) {
    const c = a ? map[a.toLowerCase()] : undefined;
    if (c) return c;
  }
  return undefined;
}

/**
 * Raw bytes to a classified lead (or the reason it is not one). Pure apart from CPU: no I/O.
 * Throws LimitExceeded for a message over a bound; other throws are bugs or hostile input, and the
 * caller stores them with the message.
 */
export async function runPipeline(raw: Buffer, ctx: PipelineContext, hooks: PipelineHooks = {}): Promise<PipelineOutcome> {
  const mail = await parseMime(raw, ctx.limits);
  const view = new MailView(mail);
  const common = { messageId: mail.messageId, date: mail.date, subject: mail.subject, from: mail.from };
  const hard = notAnEmail(mail) ? 'not-an-email' : notALeadReason(mail) ?? accountNoticeReason(mail, view.bodyText);
  if (hard) return { kind: 'ignored', reason: hard, parser: null, ...common };
  // The extraction clock starts before the parser choice, which builds the text views.
  const deadline = performance.now() + ctx.limits.maxExtractMs;
  // A quarantined parser still claims its mail (no other parser takes it by accident), but the
  // mail is read by the generic extraction, as when no parser matches.
  const chosen = chooseParser(view, ctx.parsers);
  const parser = chosen && ctx.quarantined?.includes(chosen.config.id) ? null : chosen;
  if (parser) hooks.onParser?.(parser.config.id);
  // The country IDs and phones are read in: the project's, else the portal's, else the mailbox's
  // (by the recipient address), else the company's.
  const baseCountry = parser?.config.country ?? mailboxCountry(mail.to, mail.headers['delivered-to'], ctx.projects) ?? ctx.country;
  let extraction = extractFields(view, parser, baseCountry, deadline, undefined, ctx.company);
  // Bulk mail (newsletters, a portal's reports) is ignored unless it carries a person's form data:
  // an email or national ID beside a label, a name with a phone, or a name the portal's own
  // extractors found. A phone or project picked from an article does not make a newsletter a lead.
  const has = (f: FieldName) => extraction.fromParser.includes(f) || extraction.labelledFields.includes(f);
  // A portal's question with only the asker's name (Mercado Libre) is still an enquiry: malo at worst.
  const personData = has('email') || has('nationalId') || (has('name') && has('phone')) || extraction.fromParser.includes('name');
  if (!personData) {
    const bulk = bulkReason(mail);
    if (bulk) return { kind: 'ignored', reason: bulk, parser: parser?.config.id ?? null, ...common };
    // A meeting invitation (a colleague booking a visit) is not an enquiry.
    if (!parser && mail.partTypes.includes('text/calendar')) return { kind: 'ignored', reason: 'calendar-invite', parser: null, ...common };
    const spam = parser ? null : linkSpamReason(mail, view.fullText);
    if (spam) return { kind: 'ignored', reason: spam, parser: null, ...common };
  }
  const people = peopleIn(view, parser?.config.repeat?.css);
  const lead = (v: MailView, first: typeof extraction | null, part: number): LeadOutcome => {
    let ex = first ?? extractFields(v, parser, baseCountry, deadline, undefined, ctx.company);
    const projectFallback = () => findProjectIn(mail.subject, ctx.projects) ?? findProjectIn(v.bodyText, ctx.projects);
    let normalized = normalizeFields(ex.fields, baseCountry, ctx.projects, projectFallback, ex.projectCandidates);
    const projectCountry = normalized.fields.project ? ctx.projects.countries?.[normalized.fields.project] : undefined;
    if (projectCountry && projectCountry !== baseCountry) {
      ex = extractFields(v, parser, projectCountry, deadline, undefined, ctx.company);
      normalized = normalizeFields(ex.fields, projectCountry, ctx.projects, projectFallback, ex.projectCandidates);
    }
    const verdict = classify(normalized);
    return {
      kind: 'lead',
      ...common,
      parser: parser?.config.id ?? null,
      medium: parser?.config.medium ?? 'otros',
      country: projectCountry ?? baseCountry,
      fields: normalized.fields,
      rawFields: ex.fields,
      quality: verdict.quality,
      problems: verdict.problems,
      problemDetails: normalized.details,
      fromFallback: ex.fromFallback,
      thread: v.isReply ? v.thread : null,
      createsClient: verdict.createsClient,
      createsFollowUp: verdict.createsFollowUp,
      // A digest's people are enquiries, never one after-sale thread.
      service: people ? recognizeCase({ subject: '', body: '', parser: null }) : recognizeCase({ subject: mail.subject, body: v.bodyText, parser: parser ? { id: parser.config.id, medium: parser.config.medium } : null }),
      inReplyTo: people ? [] : v.thread.messageIds,
      attachments: mail.attachments,
      // The whole email's text: what a case keeps of it (a digest in a service mailbox is one case).
      bodyText: view.bodyText.slice(0, 20_000),
      part,
      others: [],
    };
  };
  if (!people) return lead(view, extraction, 0);
  // Several people: each read on their own lines, as if each had come in their own email.
  const [head, ...rest] = people.map((person, k) => lead(new PersonView(mail, person), null, k));
  return { ...head, others: rest };
}
