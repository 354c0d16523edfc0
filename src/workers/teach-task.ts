// The teaching view's work in a worker (src/http/teach.ts asks for it through the pool): the
// samples' MIME, the candidates, the proposed parser and its checks all run here.
import { explainEmail, type Explanation } from '../parsers/explain.ts';
import { LEARN_FIELDS, type Candidate, type LearnField } from '../parsers/learn.ts';
import { proposeParser, readSamples, suggestFields, type Proposal } from '../parsers/teach.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import type { LearnRequest } from './protocol.ts';

export interface Suggested {
  explanation: Explanation;
  candidates: Candidate[];
  /** The best guess of each field, as text. */
  guesses: Partial<Record<LearnField, string>>;
}

export async function teach(raws: Buffer[], ctx: PipelineContext, request: LearnRequest): Promise<Suggested | Proposal> {
  const views = await readSamples(raws, ctx.limits);
  if (request.mode === 'suggest') {
    const { candidates, guesses } = suggestFields(views, ctx);
    const explanation = await explainEmail(raws[0], ctx);
    return { explanation, candidates, guesses: Object.fromEntries(LEARN_FIELDS.filter((f) => guesses[f]).map((f) => [f, guesses[f]!.value])) };
  }
  return proposeParser(raws, views, ctx, request.input);
}
