// The pool's queue: which worker takes the next emails and how many at once, and how the emails
// queued behind a lost worker go back to the queue.
import { PoolClosed, WorkerCrashed } from './errors.ts';
import { asTask, type Slot, type Task } from './slot.ts';

/**
 * Emails travel to a worker in batches: one message carries many emails, their bytes moved (not
 * copied) to the worker, which runs them one at a time and answers each as it ends, so each email
 * keeps its own deadline inside the batch. A worker has at most WINDOW emails (and WINDOW_BYTES)
 * sent and not answered; it is sent more only once it is down to LOW_WATER, so a busy worker gets
 * a batch at a time instead of one message per email, and never waits for this thread between two
 * emails. Emails over SMALL_BYTES go only to an idle worker, alone.
 */
const WINDOW = 32;
const LOW_WATER = 12;
const WINDOW_BYTES = 4 * 1024 * 1024;
const SMALL_BYTES = 256 * 1024;

const batchable = (t: Task) => !t.render && !t.learn && !t.opts.explain && !t.opts.locate;
const small = (t: Task) => batchable(t) && t.raw.length <= SMALL_BYTES;

/**
 * The worker that takes the emails at the head of the queue now, and those emails (taken off the
 * queue); null when no worker has room. A busy worker takes more small emails once it is down to
 * its low water mark; with a worker still starting, they wait for it rather than pile up behind a
 * busy one.
 */
export function nextBatch(queue: Task[], slots: Slot[]): { slot: Slot; batch: Task[] } | null {
  const next = queue[0];
  if (!next) return null;
  const ready = slots.filter((s) => s.ready);
  const idle = ready.find((s) => s.tasks.length === 0);
  const starting = slots.some((s) => !s.ready);
  const roomy = small(next) && !starting ? ready.filter((s) => s.tasks.length <= LOW_WATER && s.bytes + next.raw.length <= WINDOW_BYTES).sort((x, y) => x.tasks.length - y.tasks.length)[0] : undefined;
  const slot = idle ?? roomy;
  if (!slot) return null;
  // Shared fairly with the other workers that have room, so a short queue is not all on one.
  const takers = Math.max(1, ready.filter((s) => s.tasks.length <= LOW_WATER).length + slots.filter((s) => !s.ready).length);
  const limit = Math.max(1, Math.min(WINDOW - slot.tasks.length, Math.ceil(queue.length / takers)));
  const batch = [queue.shift()!];
  let bytes = slot.bytes + batch[0].raw.length;
  if (small(batch[0])) {
    while (batch.length < limit && queue.length) {
      const t = queue[0];
      if (!small(t) || t.ctx !== batch[0].ctx || bytes + t.raw.length > WINDOW_BYTES) break;
      bytes += t.raw.length;
      batch.push(queue.shift()!);
    }
  }
  return { slot, batch };
}

/**
 * The tasks queued behind a lost worker never started: they go `back` to the front of the queue,
 * with their bytes kept here (at once) or read again from where they are stored (`later`, in their
 * order). Returns how many are read again.
 */
export function recoverQueued(slot: Slot, back: (tasks: Task[], later: boolean) => void, closed: () => boolean): number {
  const lost = slot.tasks.splice(1);
  back(lost.filter((t) => t.kept).map(asTask), false);
  const gone = lost.filter((x) => !x.kept);
  for (const t of gone.filter((x) => !x.opts.reload)) t.reject(new WorkerCrashed('the worker was lost before the email started and its bytes are not kept'));
  const again = gone.filter((x) => x.opts.reload);
  if (!again.length) return 0;
  void Promise.all(again.map((t) => t.opts.reload!().then((raw) => ({ raw }), (e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) })))).then((read) => {
    const tasks: Task[] = [];
    for (const [i, r] of read.entries()) {
      const t = again[i];
      if (closed()) t.reject(new PoolClosed());
      else if ('error' in r) t.reject(r.error);
      else if (!r.raw) t.reject(new Error('the raw email is no longer stored'));
      else tasks.push({ ...asTask(t), raw: r.raw });
    }
    back(tasks, true);
  });
  return again.length;
}
