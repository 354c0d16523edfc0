import { RegExpParser, visitRegExpAST, type AST } from '@eslint-community/regexpp';
import { RE2JS } from 're2js';

/**
 * Regexes admins write in config (parser match rules, extractors, replace steps) run on RE2
 * (re2js), an automaton engine whose time is linear in the input: no pattern can backtrack, so
 * none can freeze the worker that runs it. Patterns are written in JavaScript syntax (what the
 * parsers always used) and translated here, node by node, to RE2 syntax with JavaScript's meaning
 * (`\s` includes the no-break space, `.` stops at \r, `$` is the end of the text); what RE2 cannot
 * express (back-references, lookbehind, lookahead other than at the end) is refused at load.
 *
 * Linear is not free: RE2 runs every state of the pattern's program in step, so the cost per
 * character grows with the program (a `{0,100}` is 200 instructions). Programs above
 * MAX_INSTRUCTIONS are refused, which bounds the worst case per character; the worker deadline
 * and the parser quarantine (src/workers/quarantine.ts) are the backstop for the rest.
 */

/** How a pattern is used: a match rule (only whether it matches), an extractor (its groups), a replace step. */
export type PatternUse = 'test' | 'extract' | 'replace';

/** RE2's own limit on a repeat count (`{0,1000}`). */
const MAX_COUNT = 1000;
/** The largest program accepted (RE2 instructions); the shipped parsers' largest is about 220. */
export const MAX_INSTRUCTIONS = 600;

export class PatternRefused extends Error {
  readonly code = 'PatternRefused';
}

const parser = new RegExpParser({ ecmaVersion: 2025 });

const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;
const lit = (cp: number) => (/^[0-9A-Za-z]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : hex(cp));
const quote = (raw: string) => `"${raw.length > 40 ? `${raw.slice(0, 37)}...` : raw}"`;

type Ranges = [number, number][];
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** JavaScript's `\s` (WhiteSpace and LineTerminator); RE2's `\s` is ASCII only. */
const SPACE: Ranges = [[0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
/** What JavaScript's `.` does not match without the `s` flag. */
const LINE_END: Ranges = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];

function complement(r: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of r) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}
const rangesBody = (r: Ranges) => r.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');

// Long General_Category names RE2 knows by their short ones.
const CATEGORY: Record<string, string> = {
  Letter: 'L', Uppercase_Letter: 'Lu', Lowercase_Letter: 'Ll', Titlecase_Letter: 'Lt', Modifier_Letter: 'Lm', Other_Letter: 'Lo',
  Mark: 'M', Number: 'N', Decimal_Number: 'Nd', digit: 'Nd', Letter_Number: 'Nl', Other_Number: 'No', Punctuation: 'P', punct: 'P',
  Symbol: 'S', Separator: 'Z', Space_Separator: 'Zs', Other: 'C', Control: 'Cc', cntrl: 'Cc', Format: 'Cf',
};

function property(set: AST.UnicodePropertyCharacterSet): string {
  let name = set.value ?? set.key;
  if (set.value && !['General_Category', 'gc', 'Script', 'sc'].includes(set.key)) {
    throw new PatternRefused(`la propiedad Unicode ${quote(set.raw)} no está soportada (use una categoría general como \\p{L} o un alfabeto como \\p{Latin})`);
  }
  name = CATEGORY[name] ?? name;
  return `\\${set.negate ? 'P' : 'p'}{${name}}`;
}

/** A character set as the body of a bracket class (no brackets), or null for `.` (never inside a class). */
function setInClass(set: AST.CharacterSet): string {
  if (set.kind === 'property') {
    if (set.strings) throw new PatternRefused(`la propiedad de cadenas ${quote(set.raw)} no está soportada`);
    return property(set);
  }
  const base = set.kind === 'digit' ? DIGIT : set.kind === 'word' ? WORD : set.kind === 'space' ? SPACE : complement(LINE_END);
  return rangesBody('negate' in set && set.negate ? complement(base) : base);
}

interface Emit {
  use: PatternUse;
  captures: number;
}

function emitElement(e: AST.Node, ctx: Emit): string {
  switch (e.type) {
    case 'Character':
      return lit(e.value);
    case 'CharacterSet':
      if (e.kind === 'property') return setInClass(e);
      return `[${setInClass(e)}]`;
    case 'CharacterClass': {
      if (e.unicodeSets) throw new PatternRefused(`las operaciones de conjuntos en ${quote(e.raw)} no están soportadas`);
      const body = e.elements
        .map((c) => {
          if (c.type === 'Character') return hex(c.value);
          if (c.type === 'CharacterClassRange') return `${hex(c.min.value)}-${hex(c.max.value)}`;
          if (c.type === 'CharacterSet') return setInClass(c);
          throw new PatternRefused(`${quote((c as AST.Node).raw)} no está soportado dentro de una clase de caracteres`);
        })
        .join('');
      // An empty class matches nothing ([]) or anything ([^]); RE2 has no empty brackets.
      if (!body) return e.negate ? `[${rangesBody([[0, 0x10ffff]])}]` : '[^\\x{0}-\\x{10FFFF}]';
      return `[${e.negate ? '^' : ''}${body}]`;
    }
    case 'Group':
      if ((e as { modifiers?: unknown }).modifiers) throw new PatternRefused(`los modificadores en línea ${quote(e.raw)} no están soportados (los patrones ya ignoran mayúsculas y minúsculas)`);
      return `(?:${emitAlternatives(e.alternatives, ctx)})`;
    case 'CapturingGroup':
      ctx.captures++;
      return `(${e.name ? `?P<${e.name}>` : ''}${emitAlternatives(e.alternatives, ctx)})`;
    case 'Quantifier': {
      const { min, max } = e;
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) {
        throw new PatternRefused(`la cantidad en ${quote(e.raw)} supera ${MAX_COUNT}, el límite del motor: use una cantidad menor, o * / + y un paso posterior como {maxLength: n}`);
      }
      const q = max === Infinity ? (min === 0 ? '*' : min === 1 ? '+' : `{${min},}`) : min === 0 && max === 1 ? '?' : min === max ? `{${min}}` : `{${min},${max}}`;
      return `${emitElement(e.element, ctx)}${q}${e.greedy ? '' : '?'}`;
    }
    case 'Assertion':
      if (e.kind === 'start') return '^';
      if (e.kind === 'end') return '$';
      if (e.kind === 'word') return e.negate ? '\\B' : '\\b';
      throw new PatternRefused(
        `${e.kind} ${quote(e.raw)} no está soportado: los patrones corren en un motor de tiempo lineal (RE2) sin lookaround; solo se acepta un lookahead al final de una regla de coincidencia o de un extractor`,
      );
    case 'Backreference':
      throw new PatternRefused(`la referencia hacia atrás ${quote(e.raw)} no está soportada: los patrones corren en un motor de tiempo lineal (RE2) sin referencias hacia atrás`);
    default:
      throw new PatternRefused(`${quote((e as AST.Node).raw)} no está soportado`);
  }
}

/**
 * A lookahead that ends an alternative of the whole pattern only decides whether the match holds
 * there, so it can consume instead: `(?=X)` is `(?:X)`, `(?!c)` for one character is `(?:[^c]|$)`.
 * The groups are the same; only the whole match (group 0) grows, so a replace step may not use it,
 * and an extractor must take its value from a group.
 */
function trailingLookahead(a: AST.LookaheadAssertion, ctx: Emit): string {
  const inner = a.alternatives;
  let hasGroup = false;
  visitRegExpAST(a, { onCapturingGroupEnter: () => { hasGroup = true; } });
  if (hasGroup) throw new PatternRefused(`un grupo dentro del lookahead ${quote(a.raw)} no está soportado`);
  if (!a.negate) return `(?:${emitAlternatives(inner, { ...ctx, captures: 0 })})`;
  const only = inner.length === 1 && inner[0].elements.length === 1 ? inner[0].elements[0] : null;
  let cls: string | null = null;
  if (only?.type === 'Character') cls = `[^${hex(only.value)}]`;
  else if (only?.type === 'CharacterSet' && only.kind !== 'any') cls = only.kind === 'property' ? `\\${only.negate ? 'p' : 'P'}{${property(only).slice(3, -1)}}` : `[${setInClass({ ...only, negate: !only.negate } as AST.CharacterSet)}]`;
  else if (only?.type === 'CharacterClass') {
    const body = emitElement(only, { ...ctx });
    cls = only.negate ? `[${body.slice(2)}` : `[^${body.slice(1)}`;
  }
  if (!cls) throw new PatternRefused(`el lookahead negativo ${quote(a.raw)} no está soportado: al final de un patrón solo se puede excluir un carácter (o una clase), como en (?!\\d)`);
  return `(?:${cls}|$)`;
}

function emitAlternatives(alts: AST.Alternative[], ctx: Emit, top = false): string {
  return alts
    .map((alt) =>
      alt.elements
        .map((el, i) => {
          const last = i === alt.elements.length - 1;
          if (top && last && el.type === 'Assertion' && el.kind === 'lookahead' && ctx.use !== 'replace') return trailingLookahead(el, ctx);
          return emitElement(el, ctx);
        })
        .join(''),
    )
    .join('|');
}

/** `(?i)` prefixes are accepted for familiarity; patterns are case-insensitive anyway. */
const bodyOf = (src: string) => (src.startsWith('(?i)') ? src.slice(4) : src);

/** The RE2 source for a pattern written in JavaScript syntax; throws PatternRefused with the reason. */
export function translatePattern(src: string, use: PatternUse): string {
  const body = bodyOf(src);
  let pattern: AST.Pattern;
  try {
    pattern = parser.parsePattern(body, 0, body.length, { unicode: true });
  } catch (e) {
    throw new PatternRefused(`expresión regular no válida: ${(e as Error).message}`);
  }
  const ctx: Emit = { use, captures: 0 };
  const hasLookahead = use === 'extract' && pattern.alternatives.some((a) => a.elements.at(-1)?.type === 'Assertion' && (a.elements.at(-1) as AST.Assertion).kind === 'lookahead');
  const out = emitAlternatives(pattern.alternatives, ctx, true);
  if (hasLookahead && ctx.captures === 0) throw new PatternRefused('un extractor que termina en un lookahead debe tomar su valor de un grupo, como en (?<value>…)(?=…)');
  return out;
}

/** A compiled admin pattern: JavaScript-like methods on the linear-time engine. */
export class LinearRegex {
  private constructor(
    /** The pattern as written. */
    readonly source: string,
    private readonly re: RE2JS,
  ) {}

  static compile(src: string, use: PatternUse): LinearRegex {
    const translated = translatePattern(src, use);
    let re: RE2JS;
    try {
      re = RE2JS.compile(translated, RE2JS.CASE_INSENSITIVE);
    } catch (e) {
      throw new PatternRefused(`no lo soporta el motor de tiempo lineal (RE2): ${(e as Error).message.replace(/^error parsing regexp: /, '')}`);
    }
    const size = re.matcher('').numberOfInstructions;
    if (size > MAX_INSTRUCTIONS) {
      throw new PatternRefused(`demasiado grande para el motor de tiempo lineal: ${size} pasos por carácter (como máximo ${MAX_INSTRUCTIONS}); use cantidades menores en {m,n}, o * / + y un paso posterior como {maxLength: n}`);
    }
    return new LinearRegex(src, re);
  }

  /** RE2 instructions: what each character of input costs at worst. */
  get instructions(): number {
    return this.re.matcher('').numberOfInstructions;
  }

  /** Whether it matches anywhere (RE2's DFA: no groups, the fastest path). */
  test(s: string): boolean {
    return this.re.test(s);
  }

  /** The first match with its groups (JavaScript's shape), or null. */
  exec(s: string): RegExpExecArray | null {
    // The DFA answers "no match" without tracking groups (by far the common case on a long text).
    if (!this.re.test(s)) return null;
    return this.re.exec(s) as RegExpExecArray | null;
  }

  /** Every match replaced, `with` read as String.prototype.replace reads it ($1, $<name>, $&, $$). */
  replace(s: string, replacement: string): string {
    if (!this.re.test(s)) return s;
    return this.re.matcher(s).replaceAll(replacement);
  }
}

/** Why `src` is refused for `use`, or null when it compiles on the linear-time engine. */
export function regexProblem(src: string, use: PatternUse = 'extract'): string | null {
  try {
    LinearRegex.compile(src, use);
    return null;
  } catch (e) {
    if (e instanceof PatternRefused) return e.message;
    throw e;
  }
}
