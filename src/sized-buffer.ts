/**
 * Bytes that arrive in pieces, copied as they come into one buffer of the expected size (grown if the
 * size was wrong), so a big message is held once, not as its pieces plus their concatenation. The
 * result is a buffer of its own (it may move to a worker whole).
 */
export class SizedBuffer {
  private buf: Buffer | null = null;
  private at = 0;

  constructor(private readonly size: number) {}

  push(chunk: Buffer): void {
    if (!this.buf) this.buf = Buffer.allocUnsafeSlow(Math.max(this.size, chunk.length));
    if (this.at + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.at + chunk.length, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    chunk.copy(this.buf, this.at);
    this.at += chunk.length;
  }

  /** The bytes received, exactly; null when no piece came. */
  done(): Buffer | null {
    if (!this.buf) return null;
    if (this.at === this.buf.length) return this.buf;
    const exact = Buffer.allocUnsafeSlow(this.at);
    this.buf.copy(exact, 0, 0, this.at);
    return exact;
  }
}
