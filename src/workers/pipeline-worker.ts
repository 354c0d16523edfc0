// Worker thread entry: runs the pipeline on raw bytes sent by the pool (src/workers/pool.ts).
// Everything untrusted (MIME, HTML, admin-written regexes) runs here, never on the main thread.
import { parentPort } from 'node:worker_threads';
import { compileParser } from '../parsers/load.ts';
import { runPipeline, type PipelineContext } from '../pipeline/index.ts';
import { renderMail } from '../pipeline/render-mail.ts';
import { errorToWire, type FromWorker, type ToWorker } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('pipeline-worker.ts runs only as a worker thread');

let context: PipelineContext | null = null;
const send = (msg: FromWorker) => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'context') {
    const c = msg.context;
    context = { parsers: c.parsers.map((p) => compileParser(p.config, p.file)), projects: c.projects, country: c.country, limits: c.limits };
    return;
  }
  if (msg.type === 'render') {
    // The page's "Correo" view: the same untrusted MIME parsing, off the main thread.
    renderMail(Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength), msg.limits)
      .then((mail) => send({ type: 'rendered', id: msg.id, mail }))
      .catch((e: unknown) => send({ type: 'failed', id: msg.id, error: errorToWire(e) }));
    return;
  }
  const ctx = context;
  if (!ctx) {
    send({ type: 'failed', id: msg.id, error: { name: 'Error', message: 'worker has no pipeline context' } });
    return;
  }
  const raw = Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength);
  const limits = msg.extractBudget === 1 ? ctx.limits : { ...ctx.limits, maxExtractMs: ctx.limits.maxExtractMs * msg.extractBudget };
  runPipeline(raw, limits === ctx.limits ? ctx : { ...ctx, limits })
    .then((outcome) => send({ type: 'done', id: msg.id, outcome }))
    .catch((e: unknown) => send({ type: 'failed', id: msg.id, error: errorToWire(e) }));
});

send({ type: 'ready' });
