// The two stages the bound leaves out, measured as the daemon runs them: this file is
// bundled (no TypeScript loader in the hot path) and run in a child process with the daemon's
// V8 flags. Reads the emails from a file of length-prefixed buffers, prints one JSON line:
// - pipeline: the whole pipeline per email on one thread (MIME, parser choice, extraction,
//   normalisation, case recognition, classification), no worker trip;
// - commit: the outcomes persisted as ingest does it (lead, client, owner, follow-up, counters,
//   notification), 25 per unit of work, raw rows already stored.
import fs from 'node:fs';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { recordOutcomes } from '../src/leads/record.ts';
import { createLogger } from '../src/logger.ts';
import { runPipeline, type PipelineOutcome } from '../src/pipeline/index.ts';
import { insertRawRows, rawRows } from './stages.ts';

const [mailsFile, configJson] = process.argv.slice(2);
const all = fs.readFileSync(mailsFile);
const mails: Buffer[] = [];
for (let at = 0; at < all.length; ) {
  const n = all.readUInt32LE(at);
  mails.push(all.subarray(at + 4, at + 4 + n));
  at += 4 + n;
}
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const app = await createApp(parseConfig(configJson, 'bench', {}), createLogger('silent'), { notify: true });
const ctx = app.context();
// Warm-up on a tenth, as the daemon is warm after its first batches.
for (const m of mails.slice(0, Math.ceil(mails.length / 10))) await runPipeline(m, ctx);
let t = performance.now();
const outcomes: PipelineOutcome[] = [];
for (const m of mails) outcomes.push(await runPipeline(m, ctx));
const pipeline = rate(mails.length, performance.now() - t);
const ids = await insertRawRows(app.store, rawRows(mails, 'whole'));
const rules = app.rules();
t = performance.now();
for (let i = 0; i < outcomes.length; i += 25) {
  const items = outcomes.slice(i, i + 25).map((outcome, k) => ({ rawEmailId: ids[i + k], outcome, receivedAt: Date.now() }));
  await app.store.unitOfWork((tx) => recordOutcomes(tx, items, rules, Date.now));
}
const commit = rate(outcomes.length, performance.now() - t);
await app.close();
process.stdout.write(`${JSON.stringify({ pipeline, commit })}\n`);
process.exit(0);
