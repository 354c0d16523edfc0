import type { Country } from '../countries/index.ts';
import { OTHER_LISTINGS } from './decoys.ts';
import { fold } from './text.ts';

export interface ProjectDef {
  name: string;
  aliases: string[];
  /** The project's country, when it differs from the company's. */
  country?: Country;
}

/** A mailbox with its own country: leads sent to its address read IDs and phones of that country. */
export interface MailboxCountry {
  user: string;
  address?: string;
  country?: Country;
}

export interface ProjectMatch {
  /** Canonical project name, or null when nothing matched. */
  project: string | null;
  /** The closest configured name when nothing matched, for the problem report. */
  candidate: string | null;
  similarity: number;
}

/** Words that decorate project names in portals' text and say nothing about which project. */
const FILLER = new Set(['edificio', 'condominio', 'proyecto', 'conjunto', 'residencial', 'condominios', 'edificios', 'proy', 'edif', 'cond', 'empreendimento', 'residencia']);

export function projectKey(s: string): string {
  return fold(s)
    .split(' ')
    .filter((w) => w && !FILLER.has(w))
    .join(' ');
}

interface Entry {
  key: string;
  project: string;
}

export interface ProjectIndex {
  entries: Entry[];
  /** Projects with a country of their own. */
  countries?: Record<string, Country>;
  /** Recipient addresses (lowercase) of mailboxes with a country of their own. */
  recipients?: Record<string, Country>;
}

export function buildProjectIndex(projects: ProjectDef[], mailboxes: MailboxCountry[] = []): ProjectIndex {
  const entries: Entry[] = [];
  for (const p of projects) {
    for (const label of [p.name, ...p.aliases]) {
      const key = projectKey(label);
      if (key) entries.push({ key, project: p.name });
    }
  }
  // Longest keys first, so "Parque Los Robles II" wins over "Parque Los Robles" inside a text.
  entries.sort((a, b) => b.key.length - a.key.length);
  const countries = Object.fromEntries(projects.filter((p) => p.country).map((p) => [p.name, p.country!]));
  const recipients = Object.fromEntries(
    mailboxes.filter((m) => m.country).flatMap((m) => [m.user, m.address].filter((a): a is string => Boolean(a?.includes('@'))).map((a) => [a.toLowerCase(), m.country!])),
  );
  return { entries, ...(Object.keys(countries).length ? { countries } : {}), ...(Object.keys(recipients).length ? { recipients } : {}) };
}

/** Levenshtein similarity in [0, 1]; inputs are short (project names), capped at 80 chars. */
export function similarity(a: string, b: string): number {
  a = a.slice(0, 80);
  b = b.slice(0, 80);
  if (a === b) return 1;
  if (!a.length || !b.length) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return 1 - prev[b.length] / Math.max(a.length, b.length);
}

const contains = (text: string, key: string) => ` ${text} `.includes(` ${key} `);

/**
 * Finds a configured project named inside a text (subject, body): whole words only. The first
 * mention wins (the listing asked about comes before anything else a template shows; the longest
 * name at the same place), and nothing past a template's "other listings" section counts.
 */
export function findProjectIn(text: string, index: ProjectIndex): string | null {
  let key = projectKey(text.slice(0, 20_000));
  if (!key) return null;
  const others = OTHER_LISTINGS.exec(key);
  if (others) key = key.slice(0, others.index);
  const padded = ` ${key} `;
  // Short aliases (PLR, ELE) are also everyday words ("ele" is Portuguese's "he"): a name counts first.
  const first = (entries: Entry[]) => {
    let best: { at: number; entry: Entry } | null = null;
    for (const e of entries) {
      const at = padded.indexOf(` ${e.key} `);
      if (at >= 0 && (!best || at < best.at || (at === best.at && e.key.length > best.entry.key.length))) best = { at, entry: e };
    }
    return best?.entry.project ?? null;
  };
  return first(index.entries.filter((e) => e.key.length > SHORT_ALIAS)) ?? first(index.entries.filter((e) => e.key.length <= SHORT_ALIAS));
}

/** Keys this short are acronyms, read only when no longer name is in the text. */
const SHORT_ALIAS = 4;

/**
 * Matches a project text to a configured project: exact, then a name inside the text
 * ("PLR - Parque Los Robles", "Parque Los Robles - Depto 3D"), then a unique partial name, then a
 * close spelling. Otherwise records the closest candidate.
 */
export function matchProject(text: string | null, index: ProjectIndex): ProjectMatch {
  if (!text) return { project: null, candidate: null, similarity: 0 };
  const key = projectKey(text);
  if (!key) return { project: null, candidate: null, similarity: 0 };
  const exact = index.entries.find((e) => e.key === key);
  if (exact) return { project: exact.project, candidate: null, similarity: 1 };
  const inside = index.entries.find((e) => contains(key, e.key));
  if (inside) return { project: inside.project, candidate: null, similarity: 1 };
  if (key.length >= 6 && key.includes(' ')) {
    const partial = new Set(index.entries.filter((e) => contains(e.key, key)).map((e) => e.project));
    if (partial.size === 1) return { project: [...partial][0], candidate: null, similarity: 0.9 };
  }
  let best: Entry | null = null;
  let bestSim = 0;
  for (const e of index.entries) {
    const sim = similarity(key, e.key);
    if (sim > bestSim) { bestSim = sim; best = e; }
  }
  if (best && bestSim >= 0.85 && key.length >= 5) return { project: best.project, candidate: null, similarity: bestSim };
  return { project: null, candidate: best && bestSim >= 0.4 ? best.project : null, similarity: bestSim };
}
