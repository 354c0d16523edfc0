// Worker thread entry: runs the pipeline on raw bytes sent by the pool (src/workers/pool.ts).
// Everything untrusted (MIME, HTML, admin-written regexes) runs here, never on the main thread.
import { parentPort } from 'node:worker_threads';
import { compileParser } from '../parsers/compile.ts';
import { runPipeline, type PipelineContext } from '../pipeline/index.ts';
import { renderMail } from '../pipeline/render-mail.ts';
import { explainEmail } from '../parsers/explain.ts';
import { locateInEmail } from '../parsers/learn-corrections.ts';
import { MailView } from '../pipeline/extract.ts';
import { parseMime } from '../pipeline/mime.ts';
import { errorToWire, type FromWorker, type ToWorker } from './protocol.ts';


const port = parentPort;
if (!port) throw new Error('pipeline-worker.ts runs only as a worker thread');

let context: PipelineContext | null = null;
const send = (msg: FromWorker) => port.postMessage(msg);

// One email at a time, in the order sent: the pool's deadline is for the email running now, and
// emails queued behind it must not start (and share the thread) before it ends.
let chain: Promise<unknown> = Promise.resolve();
const serially = (job: () => Promise<unknown>) => {
  chain = chain.then(job, job);
};

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'context') {
    const c = msg.context;
    context = { parsers: c.parsers.map((p) => compileParser(p.config, p.file)), projects: c.projects, country: c.country, limits: c.limits, quarantined: c.quarantined, company: c.company };
    return;
  }
  if (msg.type === 'render') {
    const raw = Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength);
    // The page's "Correo" view: the same untrusted MIME parsing, off the main thread.
    serially(() =>
      renderMail(raw, msg.limits, msg.attachment)
        .then((mail) => send({ type: 'rendered', id: msg.id, mail }))
        .catch((e: unknown) => send({ type: 'failed', id: msg.id, error: errorToWire(e) })),
    );
    return;
  }
  const ctx = context; // the context sent before this batch, even if a newer one arrives meanwhile
  if (msg.type === 'learn') {
    const raws = msg.raws.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength));
    serially(() =>
      // Loaded on first use: the pipeline's workers never load the YAML and schema modules it needs.
      (ctx ? import('./teach-task.ts').then(({ teach }) => teach(raws, ctx, msg.request)) : Promise.reject(new Error('worker has no pipeline context')))
        .then((result) => send({ type: 'done', id: msg.id, outcome: result as never }))
        .catch((e: unknown) => send({ type: 'failed', id: msg.id, error: errorToWire(e) })),
    );
    return;
  }
  for (const item of msg.items) {
    // Each body is referenced only by its own job: once its email ends, its memory can go.
    let raw: Buffer | null = Buffer.from(item.raw.buffer, item.raw.byteOffset, item.raw.byteLength);
    const take = () => {
      const r = raw!;
      raw = null;
      return r;
    };
    const { id } = item;
    if (!ctx) {
      send({ type: 'failed', id, error: { name: 'Error', message: 'worker has no pipeline context' } });
      continue;
    }
    if (item.locate) {
      const job = item.locate;
      serially(() =>
        parseMime(take(), ctx.limits)
          .then((mail) => send({ type: 'done', id, outcome: locateInEmail(new MailView(mail), job, ctx.projects) as never }))
          .catch((e: unknown) => send({ type: 'failed', id, error: errorToWire(e) })),
      );
      continue;
    }
    if (item.explain) {
      serially(() =>
        explainEmail(take(), ctx)
          .then((explanation) => send({ type: 'done', id, outcome: explanation as never }))
          .catch((e: unknown) => send({ type: 'failed', id, error: errorToWire(e) })),
      );
      continue;
    }
    const limits = item.extractBudget === 1 ? ctx.limits : { ...ctx.limits, maxExtractMs: ctx.limits.maxExtractMs * item.extractBudget };
    serially(() =>
      runPipeline(take(), limits === ctx.limits ? ctx : { ...ctx, limits }, { onParser: (parser) => send({ type: 'parser', id, parser }) })
        .then((outcome) => send({ type: 'done', id, outcome }))
        .catch((e: unknown) => send({ type: 'failed', id, error: errorToWire(e) })),
    );
  }
  (msg as { items: unknown[] }).items = []; // the message's references to the bodies go too
});

send({ type: 'ready' });
