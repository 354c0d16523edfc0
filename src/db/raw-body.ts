import { SizedBuffer } from '../sized-buffer.ts';
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

/** The pieces joined in order into one buffer of the stored size (held once); null when there is none (too large, or purged). */
export function joinChunks(chunks: Iterable<Buffer>, size: number): Buffer | null {
  const out = new SizedBuffer(size);
  for (const chunk of chunks) out.push(chunk);
  return out.done();
}
