// Dates in the company's time zone. Building an Intl.DateTimeFormat costs far more than using one
// (7% of the main thread under intake load went to building them): one per locale and options.

const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of this locale and options, built once. */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    if (formats.size > 500) formats.clear(); // time zones come from config: few, but stay bounded
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

/** Offset of a time zone at an instant, in ms (local minus UTC). */
export function zoneOffset(at: number, timeZone: string): number {
  const parts = dateFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}
