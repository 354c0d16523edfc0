import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TermIndex, type Terms } from '../src/pipeline/term-index.ts';
import { fold } from '../src/pipeline/text.ts';

/** The lookup as it was written first (one indexOf per term): the index must answer exactly this. */
function reference(padded: string, list: Terms): [string, number][] {
  const hits: [string, number][] = [];
  const seen = new Set<string>();
  for (const [term, weight] of list) {
    if (seen.has(term)) continue;
    const prefix = term.endsWith('*');
    const needle = ` ${prefix ? term.slice(0, -1) : `${term} `}`;
    const at = padded.indexOf(needle);
    if (at >= 0) {
      hits.push([prefix ? padded.slice(at + 1, padded.indexOf(' ', at + needle.length)) : term, weight]);
      seen.add(term);
    }
  }
  return hits;
}

const emls = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? emls(path.join(dir, e.name)) : e.name.endsWith('.eml') ? [path.join(dir, e.name)] : []));

describe('the term index of the case recognizer', () => {
  it('finds what one scan per term finds, on every fixture email: words, phrases, stems, absent terms, repeats', () => {
    const files = emls(path.resolve('fixtures'));
    expect(files.length).toBeGreaterThan(20);
    let checked = 0;
    for (const file of files) {
      const padded = ` ${fold(fs.readFileSync(file, 'utf8').slice(0, 20_000))} `;
      const words = padded.split(' ').filter(Boolean);
      // Terms drawn from the text itself at fixed strides, so each file tries different ones.
      const list: [string, number][] = [];
      for (let i = 0; i < words.length; i += 17) {
        const w = words[i];
        list.push([w, 1], [`${w.slice(0, Math.max(1, w.length - 2))}*`, 2]);
        if (words[i + 1]) list.push([`${w} ${words[i + 1]}`, 3], [`${w} ${words[i + 1].slice(0, 3)}*`, 2]);
      }
      list.push(['palabraausente', 1], ['dos palabras', 1], ['ausen*', 1], [words[0] ?? 'x', 5], ['', 1], ['de', 1], ['que*', 1]);
      expect(new TermIndex(padded, [list]).found(list), file).toEqual(reference(padded, list));
      checked += list.length;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('built for several lists at once, answers each as alone: a word one list opens with and another stems, a short stem, shared words', () => {
    const files = emls(path.resolve('fixtures')).slice(0, 40);
    for (const file of files) {
      const padded = ` ${fold(fs.readFileSync(file, 'utf8').slice(0, 20_000))} `;
      const words = padded.split(' ').filter((w) => w.length > 3);
      const lists: [string, number][][] = [[], [], []];
      for (let i = 0; i + 1 < words.length; i += 11) {
        const w = words[i];
        lists[0].push([w, 1], [`${w} ${words[i + 1]}`, 2]); // as a word, and a phrase's first word
        lists[1].push([`${w.slice(0, 3)}*`, 1], [`${words[i + 1]} ${w.slice(0, 2)}*`, 2]); // its head as a stem, a phrase ending in a short stem
        lists[2].push([`${w.slice(0, 2)}*`, 1], [words[i + 1], 3]); // a stem shorter than a head
      }
      lists[2].push(['palabraausente', 1], ['ausen*', 1]);
      const index = new TermIndex(padded, lists);
      for (const list of lists) expect(index.found(list), file).toEqual(reference(padded, list));
    }
  });

  it('a word at the very end needs its space; a stem does not; a phrase must be contiguous', () => {
    const padded = ' tengo una filtracion en el bano ';
    const list: Terms = [['bano', 1], ['filtrac*', 2], ['tengo una', 1], ['tengo filtracion', 1], ['ban*', 1], ['en el bano', 3]];
    expect(new TermIndex(padded, [list]).found(list)).toEqual(reference(padded, list));
    const final: Terms = [['final', 1]];
    expect(new TermIndex(' sin espacio final', [final]).found(final)).toEqual([]); // no space after it
  });

  it('answers only the lists it was built for', () => {
    const known: Terms = [['bano', 1]];
    const index = new TermIndex(' el bano ', [known]);
    expect(index.found(known)).toEqual([['bano', 1]]);
    expect(() => index.found([['bano', 1]])).toThrow(/outside the vocabulary/);
  });
});
