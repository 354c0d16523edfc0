// The learned parser as a file: its text, and the checks `parsers check` makes on a file (schema,
// selectors, sender rules, the regex guard, no rule keyed on a sample's value). YAML and zod live
// here, apart from teach.ts, which the worker threads load.
import { stringify } from 'yaml';
import { parseParserFile, type LoadedParser } from './load.ts';
import { ValueInRule, valueInRules, type Confirmed } from './teach.ts';

/** The file's text: a first line saying who learned it from which samples, then the config. */
export function renderParser(config: Record<string, unknown>, by: string, samples: string[]): string {
  return `# Learned by ${by} from ${samples.join(', ')}\n${stringify(config, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

/** Parses and checks a parser file's text; throws ParserConfigError or ValueInRule (naming the file). */
export function checkParserText(text: string, file: string, values: Confirmed): LoadedParser {
  const parser = parseParserFile(text, file);
  const why = valueInRules(parser.config.fields, values);
  if (why) throw new ValueInRule(`${file}: ${why}`, why.split(':')[0].replace('fields.', ''));
  return parser;
}
