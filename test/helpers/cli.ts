import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** Runs the `centralizer` command in-process: its exit code and what it wrote to stdout and stderr. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await main(args, { out, err });
  return { code, stdout, stderr };
}
