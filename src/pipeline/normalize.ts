import type { Country } from '../normalize/national-id.ts';
import { normalizeNationalId } from '../normalize/national-id.ts';
import { countryModule } from '../countries/index.ts';
import { normalizePhone } from '../normalize/phone.ts';
import { normalizeName } from '../normalize/name.ts';
import { normalizeEmail } from '../normalize/email.ts';
import type { ExtractedFields } from './extract.ts';
import { matchProject, type ProjectIndex } from './project.ts';

/** A lead's contact data after normalisation: canonical values, or null when missing or invalid. */
export interface LeadFields {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  nationalId: string | null;
  nationalIdType: string | null;
  email: string | null;
  phone: string | null;
  /** Canonical name of the matched project. */
  project: string | null;
  /** The project as the email wrote it. */
  projectText: string | null;
  message: string | null;
}

export interface Normalized {
  fields: LeadFields;
  /** Problem codes: `name.missing`, `nationalId.invalid`, `project.unmatched`, ... */
  problems: string[];
  /** Extra words for a problem, e.g. the closest project for `project.unmatched`. */
  details: Record<string, string>;
}

export function normalizeFields(raw: ExtractedFields, country: Country, projects: ProjectIndex, projectFallback: () => string | null, projectCandidates: string[] = []): Normalized {
  const problems: string[] = [];
  const details: Record<string, string> = {};
  const name = normalizeName(raw.name);
  if (name.problem) problems.push(`name.${name.problem}`);
  const id = normalizeNationalId(raw.nationalId, country);
  if (id.problem) problems.push(`nationalId.${id.problem}`);
  // A tax ID that is not a person's ID (Mexico's RFC) is recognised but does not stand for one.
  const kind = id.id ? countryModule(country).ids.find((k) => k.type === id.id!.type) : undefined;
  if (id.id && kind && !kind.personal) {
    problems.push('nationalId.notPersonal');
    // Shown beside the problem's own words on the page: no language of its own.
    details['nationalId.notPersonal'] = `${kind.name} ${kind.format(id.id.value)}`;
    id.id = null;
  }
  const email = normalizeEmail(raw.email);
  if (email.problem) problems.push(`email.${email.problem}`);
  const phone = normalizePhone(raw.phone, country);
  if (phone.problem === 'invalid') problems.push('phone.invalid');
  let match = matchProject(raw.project, projects);
  let projectText = raw.project;
  // Other labelled values ("Código de propiedad", then "Proyecto") may name a known project.
  for (const candidate of projectCandidates) {
    if (match.project) break;
    const m = matchProject(candidate, projects);
    if (m.project) {
      match = m;
      projectText = candidate;
    }
  }
  if (!match.project) {
    // The subject or body often names the project even when no labelled field does.
    const found = projectFallback();
    if (found) {
      match = { project: found, candidate: null, similarity: 1 };
      projectText ??= found;
    }
  }
  if (!match.project) {
    problems.push(raw.project ? 'project.unmatched' : 'project.missing');
    if (raw.project && match.candidate) details['project.unmatched'] = `¿${match.candidate}?`;
  }
  const message = raw.message?.trim().slice(0, 5000) || null;
  return {
    fields: {
      name: name.name?.full ?? null,
      firstName: name.name?.first || null,
      lastName: name.name?.last || null,
      nationalId: id.id?.value ?? null,
      nationalIdType: id.id?.type ?? null,
      email: email.email,
      phone: phone.e164,
      project: match.project,
      projectText: projectText?.slice(0, 300) ?? null,
      message,
    },
    problems,
    details,
  };
}
