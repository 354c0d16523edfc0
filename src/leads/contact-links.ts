/** One tap to reach a client: tel:, WhatsApp (wa.me) and mailto: links, with a greeting in the client's language. */

const GREETING = {
  es: 'Hola {cliente}, soy {vendedor} de {proyecto}. Te escribo por tu consulta, ¿cuándo te acomoda conversar?',
  pt: 'Olá {cliente}, sou {vendedor} do {proyecto}. Escrevo sobre a sua consulta, quando podemos conversar?',
} as const;
const SUBJECT = { es: 'Tu consulta por {proyecto}', pt: 'Sua consulta sobre {proyecto}' } as const;

export interface ContactLinks {
  tel: string | null;
  whatsapp: string | null;
  mailto: string | null;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(cliente|proyecto|vendedor)\}/g, (_, k: string) => values[k] ?? '');
}

/** The first name people use in a greeting ("Ana María Rojas" -> "Ana María" is too much: "Ana"). */
const firstName = (name: string | null) => (name ?? '').trim().split(/\s+/)[0] ?? '';

export function contactLinks(
  lead: { name: string | null; phone: string | null; email: string | null; project: string | null },
  vendorName: string | null,
  opts: { lang: 'es' | 'pt'; greeting?: string },
): ContactLinks {
  const values = { cliente: firstName(lead.name), proyecto: lead.project ?? (opts.lang === 'pt' ? 'nosso projeto' : 'nuestro proyecto'), vendedor: vendorName ?? '' };
  // Phones are stored in E.164 (+56987654321); wa.me wants the digits alone.
  const digits = lead.phone && /^\+\d{8,15}$/.test(lead.phone) ? lead.phone.slice(1) : null;
  const text = fill(opts.greeting ?? GREETING[opts.lang], values).replace(/ de \.|  +/g, ' ').trim();
  const subject = fill(SUBJECT[opts.lang], values);
  return {
    tel: digits ? `tel:${lead.phone}` : null,
    whatsapp: digits ? `https://wa.me/${digits}?text=${encodeURIComponent(text)}` : null,
    mailto: lead.email ? `mailto:${encodeURIComponent(lead.email).replace(/%40/g, '@')}?subject=${encodeURIComponent(subject)}` : null,
  };
}
