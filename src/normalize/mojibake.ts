// Repairs UTF-8 text that was decoded as Latin-1 / Windows-1252 ('JosÃ© PÃ©rez' -> 'José Pérez').

// Windows-1252 bytes 0x80-0x9F; holes (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1 control itself.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const TO_BYTE = new Map<string, number>();
for (let i = 0; i < 32; i++) TO_BYTE.set(CP1252_HIGH[i], 0x80 + i);

// A UTF-8 continuation byte (0x80-0xBF) as it looks after a Latin-1 or cp1252 decode.
const CONT = `[\\u0080-\\u00bf${CP1252_HIGH.replace(/[\u0080-\u009f]/g, '')}]`;
// Lead bytes of the sequences seen in Spanish/Portuguese text: Â (C2), Ã (C3), â (E2: ’ “ € …).
const SUSPICIOUS = new RegExp(`[ÂÃ]${CONT}|â${CONT}{2}`, 'g');
const PRECHECK = new RegExp(`[ÃÂâ]${CONT}`);
const MAX_PASSES = 3; // double-encoded text ('ÃƒÂ©') needs two

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function toCp1252Bytes(s: string): Uint8Array | null {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff) || (c >= 0x80 && c <= 0x9f)) bytes[i] = c;
    else {
      const b = TO_BYTE.get(s[i]);
      if (b === undefined) return null; // not representable: this was not a cp1252 decode
      bytes[i] = b;
    }
  }
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function countSuspicious(s: string): number {
  return s.match(SUSPICIOUS)?.length ?? 0;
}

function repairOnce(s: string): string {
  const before = countSuspicious(s);
  if (before === 0) return s;
  // Whole string first: exact when everything went through the same wrong decode.
  const bytes = toCp1252Bytes(s);
  const whole = bytes ? decodeUtf8(bytes) : null;
  if (whole !== null && countSuspicious(whole) < before) return whole;
  // Mixed text (some parts already fine, or characters outside cp1252): fix sequence by
  // sequence, only for the Â/Ã/â leads; other lead bytes are too often legitimate letter pairs.
  const pieces = s.replace(SUSPICIOUS, (seq) => {
    const b = toCp1252Bytes(seq);
    const d = b ? decodeUtf8(b) : null;
    return d ?? seq;
  });
  return countSuspicious(pieces) < before ? pieces : s;
}

export function repairMojibake(s: string): string {
  if (typeof s !== 'string' || !PRECHECK.test(s)) return s;
  let out = s;
  for (let i = 0; i < MAX_PASSES; i++) {
    const next = repairOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}
