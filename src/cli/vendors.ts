import { type CommandContext, UsageError } from './main.ts';

/** `centralizer vendors retire ID` (ownership rules). */
export async function vendorsCommand(ctx: CommandContext): Promise<number> {
  throw new UsageError(`vendors ${ctx.args.join(' ')}: not available yet`);
}
