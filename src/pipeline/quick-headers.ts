/**
 * Message-ID and Date read straight from the header block, before any MIME parsing, so a message
 * can be deduplicated and stored first. Bounded: looks at the first 256 KB only.
 */
export function quickHeaders(raw: Buffer): { messageId: string | null; date: Date | null; headerText: string } {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  let messageId: string | null = null;
  let date: Date | null = null;
  for (const line of block.split(/\r?\n/)) {
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1].toLowerCase();
    if (name === 'message-id' && messageId === null) {
      const id = /<[^<>\s]+>/.exec(m[2])?.[0] ?? m[2].trim().split(/\s+/)[0];
      messageId = id ? id.slice(0, 500) : null;
    } else if (name === 'date' && date === null) {
      const d = new Date(m[2].replace(/\s*\([^)]*\)\s*$/, '').trim());
      if (!Number.isNaN(d.getTime())) date = d;
    }
  }
  return { messageId, date, headerText: block.slice(0, 64 * 1024) };
}
