/**
 * Word lists looked up in a folded text (` text `, words between single spaces): a term is a word
 * or a phrase (`quisiera saber`), a trailing `*` makes its last word a stem (`filtrac*`). The text
 * is split into words once and each term looked up by its first word: a dozen lists of a few
 * hundred terms cost one pass, not one scan of 20 KB per term (a fifth of a worker's time). Only the
 * words that can open a term are indexed: most of a text's words are never asked about.
 */
export type Terms = readonly (readonly [term: string, weight: number])[];

/** A term split once: its words, and whether the last one is a stem. */
interface Compiled { term: string; weight: number; parts: string[]; prefix: boolean }
const compiled = new WeakMap<Terms, Compiled[]>();
function compile(list: Terms): Compiled[] {
  let c = compiled.get(list);
  if (!c) {
    // A term listed twice is found (or not) the first time: the repeat is dropped here.
    const once = list.filter(([term], k) => list.findIndex(([t]) => t === term) === k);
    c = once.map(([term, weight]) => {
      const prefix = term.endsWith('*');
      return { term, weight, parts: (prefix ? term.slice(0, -1) : term).split(' '), prefix };
    });
    compiled.set(list, c);
  }
  return c;
}

/** A word's first three letters as a number (no string is cut for each word of a text); -1 when shorter. */
const headOf = (w: string): number => (w.length < 3 ? -1 : w.charCodeAt(0) * 2 ** 32 + w.charCodeAt(1) * 2 ** 16 + w.charCodeAt(2));

/** What an index is asked about: the lists' first words, and their one-word stems by first three letters. */
interface Vocabulary {
  lists: Set<Terms>;
  firsts: Set<string>;
  stems: Map<number, string[]>;
  shortStems: string[];
}
const vocabularies = new WeakMap<readonly Terms[], Vocabulary>();
function vocabularyOf(lists: readonly Terms[]): Vocabulary {
  let v = vocabularies.get(lists);
  if (!v) {
    v = { lists: new Set(lists), firsts: new Set(), stems: new Map(), shortStems: [] };
    for (const list of lists) {
      for (const { parts, prefix } of compile(list)) {
        const stem = parts[0];
        if (!prefix || parts.length > 1) v.firsts.add(stem);
        else if (stem.length < 3) v.shortStems.push(stem);
        else {
          const same = v.stems.get(headOf(stem));
          if (same) same.push(stem);
          else v.stems.set(headOf(stem), [stem]);
        }
      }
    }
    vocabularies.set(lists, v);
  }
  return v;
}

export class TermIndex {
  private readonly words: string[];
  private readonly vocabulary: Vocabulary;
  /** Where each word that can open a term occurs, in order (the others are never looked up). */
  private readonly at = new Map<string, number[]>();
  /** Those words by their first three letters (a stem's candidates). */
  private readonly byHead = new Map<number, string[]>();

  /** `lists`: every list `found` will be asked (a constant array: its vocabulary is compiled once). */
  constructor(padded: string, lists: readonly Terms[]) {
    this.vocabulary = vocabularyOf(lists);
    this.words = padded.split(' ');
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i];
      if (!w) continue;
      const list = this.at.get(w);
      if (list) list.push(i);
      else if (this.opens(w)) {
        this.at.set(w, [i]);
        const same = this.byHead.get(headOf(w));
        if (same) same.push(w);
        else this.byHead.set(headOf(w), [w]);
      }
    }
  }

  private opens(w: string): boolean {
    const { firsts, stems, shortStems } = this.vocabulary;
    if (firsts.has(w)) return true;
    const same = stems.get(headOf(w));
    if (same) for (const s of same) if (w.startsWith(s)) return true;
    for (const s of shortStems) if (w.startsWith(s)) return true;
    return false;
  }

  /**
   * The terms of `list` present, each once, in the list's order, with the words as written for a
   * stem ("filtracion" for "filtrac*"): the first place it occurs.
   */
  found(list: Terms): [string, number][] {
    if (!this.vocabulary.lists.has(list)) throw new Error('TermIndex: a list outside the vocabulary it was built with');
    const hits: [string, number][] = [];
    for (const { term, weight, parts, prefix } of compile(list)) {
      const written = prefix && parts.length === 1 ? this.firstWithStem(parts[0]) : this.first(term, parts, prefix);
      if (written !== null) hits.push([written, weight]);
    }
    return hits;
  }

  /** The first word that starts with a one-word stem, as written; null when none does. */
  private firstWithStem(stem: string): string | null {
    let best = -1;
    const consider = (w: string) => {
      if (!w.startsWith(stem)) return;
      const i = this.at.get(w)![0];
      // The text's first "word" is the padding's empty string: a match needs a space before it.
      if (i > 0 && (best < 0 || i < best)) best = i;
    };
    if (stem.length >= 3) for (const w of this.byHead.get(headOf(stem)) ?? []) consider(w);
    else for (const w of this.at.keys()) consider(w);
    return best < 0 ? null : this.words[best];
  }

  /** The first occurrence of a word or phrase (its last word a stem when `prefix`): the term, or the words as written; null when absent. */
  private first(term: string, parts: string[], prefix: boolean): string | null {
    const last = parts.length - 1;
    for (const i of this.at.get(parts[0]) ?? []) {
      if (i > 0 && this.matchesAt(i, parts, prefix)) return prefix ? this.words.slice(i, i + last + 1).join(' ') : term;
    }
    return null;
  }

  private matchesAt(i: number, parts: string[], prefix: boolean): boolean {
    const last = parts.length - 1;
    for (let k = 0; k <= last; k++) {
      const w = this.words[i + k];
      if (w === undefined) return false;
      if (k === last && prefix ? !w.startsWith(parts[k]) : w !== parts[k]) return false;
    }
    // A whole word needs the space after it: the padded text's last "word" is the empty string.
    return prefix || i + last + 1 < this.words.length;
  }
}
