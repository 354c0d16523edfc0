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
    c = list.map(([term, weight]) => {
      const prefix = term.endsWith('*');
      return { term, weight, parts: (prefix ? term.slice(0, -1) : term).split(' '), prefix };
    });
    compiled.set(list, c);
  }
  return c;
}

/** What an index is asked about: the lists' first words, and their one-word stems by first three letters. */
interface Vocabulary {
  lists: Set<Terms>;
  firsts: Set<string>;
  stems: Map<string, string[]>;
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
          const same = v.stems.get(stem.slice(0, 3));
          if (same) same.push(stem);
          else v.stems.set(stem.slice(0, 3), [stem]);
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
  private readonly byHead = new Map<string, string[]>();

  /** `lists`: every list `found` will be asked (a constant array: its vocabulary is compiled once). */
  constructor(padded: string, lists: readonly Terms[]) {
    this.vocabulary = vocabularyOf(lists);
    const { firsts, stems, shortStems } = this.vocabulary;
    const opens = (w: string) => firsts.has(w) || stems.get(w.slice(0, 3))?.some((s) => w.startsWith(s)) || shortStems.some((s) => w.startsWith(s));
    this.words = padded.split(' ');
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i];
      if (!w) continue;
      const list = this.at.get(w);
      if (list) list.push(i);
      else if (opens(w)) {
        this.at.set(w, [i]);
        const head = w.slice(0, 3);
        const same = this.byHead.get(head);
        if (same) same.push(w);
        else this.byHead.set(head, [w]);
      }
    }
  }

  /**
   * The terms of `list` present, each once, in the list's order, with the words as written for a
   * stem ("filtracion" for "filtrac*"): the first place it occurs.
   */
  found(list: Terms): [string, number][] {
    if (!this.vocabulary.lists.has(list)) throw new Error('TermIndex: a list outside the vocabulary it was built with');
    const hits: [string, number][] = [];
    const seen = new Set<string>();
    for (const { term, weight, parts, prefix } of compile(list)) {
      if (seen.has(term)) continue;
      const written = this.first(term, parts, prefix);
      if (written !== null) {
        hits.push([written, weight]);
        seen.add(term);
      }
    }
    return hits;
  }

  /** The first occurrence of a term: the term, or the words as written for a stem; null when absent. */
  private first(term: string, parts: string[], prefix: boolean): string | null {
    const last = parts.length - 1;
    const matches = (i: number) => {
      for (let k = 0; k <= last; k++) {
        const w = this.words[i + k];
        if (w === undefined) return false;
        if (k === last && prefix ? !w.startsWith(parts[k]) : w !== parts[k]) return false;
      }
      // A whole word needs the space after it: the padded text's last "word" is the empty string.
      return prefix || i + last + 1 < this.words.length;
    };
    let starts: number[];
    if (last === 0 && prefix) {
      starts = [];
      const candidates = parts[0].length >= 3 ? (this.byHead.get(parts[0].slice(0, 3)) ?? []) : [...this.at.keys()];
      for (const w of candidates) if (w.startsWith(parts[0])) starts.push(this.at.get(w)![0]);
      starts.sort((a, b) => a - b);
    } else starts = this.at.get(parts[0]) ?? [];
    for (const i of starts) {
      // The text's first "word" is the padding's empty string: a match needs a space before it.
      if (i > 0 && matches(i)) return prefix ? this.words.slice(i, i + last + 1).join(' ') : term;
    }
    return null;
  }
}
