import { RegExpParser, visitRegExpAST, type AST } from '@eslint-community/regexpp';
import { getConsumedChars, getFirstConsumedChar, getLengthRange, type ReadonlyFlags } from 'regexp-ast-analysis';
import { analyse } from 'scslre';

/**
 * The guard for regexes admins write in config (parser match rules, extractors, replace steps).
 * V8's engine backtracks, so a pattern that can split one input in many ways freezes the thread
 * that runs it. The rules below are conservative on purpose: a refused pattern can always be
 * rewritten (an explicit class, a bounded count), a frozen daemon cannot. The worker deadline is
 * the backstop, this is the first line.
 */

/** Patterns run with `iu` (see compilePattern); the analysis must fold case the same way. */
const FLAGS: ReadonlyFlags = { ignoreCase: true, unicode: true };

/** A bounded count above this behaves like `*` for backtracking purposes. */
const LARGE_COUNT = 100;

const parser = new RegExpParser({ ecmaVersion: 2025 });

type Node = AST.Node;
type Group = AST.Group | AST.CapturingGroup;

const isGroup = (e: Node): e is Group => e.type === 'Group' || e.type === 'CapturingGroup';
const isUnbounded = (e: Node): e is AST.Quantifier => e.type === 'Quantifier' && e.max > LARGE_COUNT;
const quote = (raw: string) => `"${raw.length > 40 ? `${raw.slice(0, 37)}...` : raw}"`;

/** The alternatives a repeated element chooses between, seen through plain wrapping groups. */
function alternativesOf(e: Node): AST.Alternative[] {
  if (!isGroup(e)) return [];
  if (e.alternatives.length === 1 && e.alternatives[0].elements.length === 1) return alternativesOf(e.alternatives[0].elements[0]);
  return e.alternatives;
}

/** Elements of an alternative with single-alternative, unquantified groups inlined: `\s*(.+)` is `\s*`, `.+`. */
function flatten(alt: AST.Alternative): AST.Element[] {
  return alt.elements.flatMap((e) => (isGroup(e) && e.alternatives.length === 1 ? flatten(e.alternatives[0]) : [e]));
}

/** `(a|aa)*`, `(\w|\d)+`, `(a|)+`: a repeated choice that can read the same text in several ways. */
function overlappingAlternatives(q: AST.Quantifier): string | null {
  if (q.max <= 1) return null;
  const alts = alternativesOf(q.element);
  if (alts.length < 2) return null;
  const first = alts.map((a) => getFirstConsumedChar(a, 'ltr', FLAGS));
  for (const [i, f] of first.entries()) {
    if (f.empty) return `alternative ${quote(alts[i].raw)} of the repeated group ${quote(q.raw)} can match nothing (catastrophic backtracking risk)`;
  }
  for (let i = 0; i < alts.length; i++) {
    for (let j = i + 1; j < alts.length; j++) {
      if (!first[i].char.isDisjointWith(first[j].char)) {
        return `alternatives ${quote(alts[i].raw)} and ${quote(alts[j].raw)} of the repeated group ${quote(q.raw)} can start with the same character (catastrophic backtracking risk): make them start differently or use a character class`;
      }
    }
  }
  return null;
}

/**
 * `(a+)+`, `(\w+\s?)*`, `(.*a){12}`: a variable-length quantifier inside a repeated one. Allowed
 * when every iteration starts (or ends) with a required character none of the inner repeats can
 * take, as in `(?:\.[\w-]+)+`: the delimiters then fix where each iteration begins.
 */
function nestedQuantifier(q: AST.Quantifier): string | null {
  if (q.max <= 1) return null;
  const inner: AST.Quantifier[] = [];
  visitRegExpAST(q.element, {
    onQuantifierEnter(d) {
      if (d.min !== d.max) inner.push(d);
    },
  });
  if (!inner.length) return null;
  const delimited = (dir: 'ltr' | 'rtl') => {
    const edge = getFirstConsumedChar(q.element, dir, FLAGS);
    return !edge.empty && !edge.char.isEmpty && inner.every((d) => edge.char.isDisjointWith(getConsumedChars(d.element, FLAGS).chars));
  };
  if (delimited('ltr') || delimited('rtl')) return null;
  return `nested quantifier: ${quote(inner[0].raw)} inside the repeated ${quote(q.raw)} (catastrophic backtracking risk)`;
}

/** Characters a repeat can end with, and characters one can start with: what two neighbours can trade. */
const lastChars = (q: AST.Quantifier) => getFirstConsumedChar(q.element, 'rtl', FLAGS).char;
const firstChars = (q: AST.Quantifier) => getFirstConsumedChar(q.element, 'ltr', FLAGS).char;

/**
 * `\s*.*=`, `\d+\d+x`, `\s*:?\s*-?\s*x`: unbounded repeats in a row where one can hand characters to
 * the next, so a failing match tries every split (n^k). Two are refused when nothing separates
 * them, three or more even with optional pieces between; `\s*:?\s*` stays allowed. A run that ends
 * the pattern is allowed (`Proyecto:\s*(.+)`): nothing after it can fail, so the first split wins.
 */
function adjacentUnbounded(alt: AST.Alternative, source: string): string | null {
  const items = flatten(alt);
  const endsPattern = (e: AST.Element) => /^\)*$/.test(source.slice(e.end));
  const chain = new Map<number, number>(); // item index -> longest run of trading repeats ending there
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    if (!isUnbounded(a)) continue;
    const ends = lastChars(a);
    const here = chain.get(i) ?? 1;
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j];
      if (isUnbounded(b) && !ends.isDisjointWith(firstChars(b)) && !endsPattern(b)) {
        if (j === i + 1) return `${quote(a.raw)} followed by ${quote(b.raw)} can match the same characters (catastrophic backtracking risk): bound one, or make their characters disjoint`;
        chain.set(j, Math.max(chain.get(j) ?? 1, here + 1));
        if (here + 1 >= 3) return `${here + 1} unbounded repeats that can match the same characters in a row, ending at ${quote(b.raw)} (catastrophic backtracking risk)`;
      }
      if (getLengthRange(b, FLAGS).min > 0) break; // something required stops the run
    }
  }
  return null;
}

/** Why `body` (a pattern without flags, compiled with `iu`) is refused, or null when it is accepted. */
export function regexProblem(body: string): string | null {
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(body, 0, body.length, { unicode: true });
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  let problem: string | null = null;
  const note = (p: string | null) => {
    problem ??= p;
  };
  visitRegExpAST(pattern, {
    onBackreferenceEnter: () => note('back-references are not allowed'),
    onQuantifierEnter: (q) => note(nestedQuantifier(q) ?? overlappingAlternatives(q)),
    onAlternativeEnter: (a) => note(adjacentUnbounded(a, body)),
  });
  if (problem) return problem;
  // A second opinion from an analyser of the whole automaton, for shapes the rules above miss.
  try {
    const report = analyse({ source: body, flags: 'iu' }, { reportTypes: { Move: false }, maxReports: 5 }).reports.find((r) => r.exponential);
    if (report) return `${quote(report.type === 'Trade' ? report.startQuant.raw : report.quant.raw)} can backtrack exponentially (catastrophic backtracking risk)`;
  } catch {
    // the analyser gives up on some valid patterns (too large an automaton); the rules above stand
  }
  return null;
}
