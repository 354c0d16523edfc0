const MAX_DATE_CHARS = 200;

/** The header block's end (the first empty line) within `window`, or the window's length. */
function headerEnd(window: Buffer): number {
  const ends = [window.indexOf('\r\n\r\n'), window.indexOf('\n\n'), window.indexOf('\n\r\n')].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : window.length;
}

/**
 * A string with its own memory: V8 keeps a slice of a string as a view of the whole, so a short
 * Message-ID sliced from the header text kept that text alive for as long as the id was kept.
 */
const own = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

/**
 * Message-ID and Date read straight from the header block, before any MIME parsing, so a message
 * can be deduplicated and stored first. Bounded: looks at the first 256 KB only, and decodes only
 * the header block (not the body) to text.
 */
export function quickHeaders(raw: Buffer): { messageId: string | null; date: Date | null; headerText: string } {
  const window = raw.subarray(0, Math.min(raw.length, 256 * 1024));
  const block = window.subarray(0, headerEnd(window)).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  let messageId: string | null = null;
  let date: Date | null = null;
  for (const line of block.split(/\r?\n/)) {
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1].toLowerCase();
    if (name === 'message-id' && messageId === null) {
      const id = /<[^<>\s]+>/.exec(m[2])?.[0] ?? m[2].trim().split(/\s+/)[0];
      messageId = id ? own(id.slice(0, 500)) : null;
    } else if (name === 'date' && date === null) {
      // A real Date is some 40 characters: the comment's regex never sees more (a hostile header of
      // many "(" made it quadratic, on the thread that serves IMAP and HTTP).
      const d = new Date(m[2].slice(0, MAX_DATE_CHARS).replace(/\s*\([^)]*\)\s*$/, '').trim());
      if (!Number.isNaN(d.getTime())) date = d;
    }
  }
  return { messageId, date, headerText: block.length > 64 * 1024 ? own(block.slice(0, 64 * 1024)) : block };
}
