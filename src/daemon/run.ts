import type { CommandContext } from '../cli/main.ts';

export async function runDaemon(_ctx: CommandContext): Promise<number> {
  throw new Error('daemon not wired yet');
}
