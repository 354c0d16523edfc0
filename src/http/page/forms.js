// Forms check themselves (novalidate on every form): the person reads the page's own message in
// Spanish (or Portuguese), never the browser's English bubble.
import { t } from './i18n.js';

/** The first required field left empty, as its message (and focused); null when all are filled. */
export function missing(f, fields) {
  for (const [name, message] of fields) {
    const input = f.elements.namedItem(name);
    if (!input) continue;
    if (!input.disabled && input.required && !String(input.value).trim()) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return t(message);
    }
    input.removeAttribute('aria-invalid');
  }
  return null;
}
