import { RAW_CHUNK_BYTES } from './schema.ts';

/** A body's pieces as stored in raw_bodies: views of `raw`, at most RAW_CHUNK_BYTES each (one, empty, for an empty body). */
export function* bodyChunks(raw: Buffer): Generator<{ seq: number; chunk: Buffer }> {
  let seq = 0;
  let at = 0;
  do {
    yield { seq: seq++, chunk: raw.subarray(at, at + RAW_CHUNK_BYTES) };
    at += RAW_CHUNK_BYTES;
  } while (at < raw.length);
}

/**
 * The pieces joined in order into one buffer of its own (it may move to a worker whole): copied
 * into a buffer of the stored size as they come, so a big body is held once, not twice. Null when
 * there is none (too large, or purged).
 */
export function joinChunks(chunks: Iterable<Buffer>, size: number): Buffer | null {
  let out: Buffer | null = null;
  let at = 0;
  for (const chunk of chunks) {
    if (!out) out = Buffer.allocUnsafeSlow(Math.max(size, chunk.length));
    if (at + chunk.length > out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(at + chunk.length, out.length * 2));
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    chunk.copy(out, at);
    at += chunk.length;
  }
  if (!out) return null;
  if (at === out.length) return out;
  const exact = Buffer.allocUnsafeSlow(at);
  out.copy(exact, 0, 0, at);
  return exact;
}
