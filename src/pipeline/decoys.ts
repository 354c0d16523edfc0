import { fold } from './text.ts';

/**
 * Where a portal's template starts offering other listings ("Otros proyectos que te pueden
 * interesar", "Propiedades similares", "Imóveis semelhantes"), on folded text: the names, phones
 * and addresses past it belong to other listings, not to the person who wrote.
 */
export const OTHER_LISTINGS =
  /\b(?:otr[oa]s (?:proyectos|propiedades|inmuebles|avisos|departamentos|casas|opciones)|(?:proyectos|propiedades|avisos|inmuebles) (?:similares|relacionad[oa]s|recomendad[oa]s|destacad[oa]s)|tambien te (?:puede|podria)n? interesar|te (?:puede|podria)n? interesar|recomendados para ti|outros (?:imoveis|empreendimentos|anuncios)|imoveis (?:semelhantes|similares|recomendados)|voce (?:tambem )?pode (?:gostar|se interessar))\b/;

/** The lines before a template's other-listings section (all of them when there is none). */
export function linesBeforeOtherListings(lines: string[]): string[] {
  const cut = lines.findIndex((l) => OTHER_LISTINGS.test(fold(l)));
  return cut < 0 ? lines : lines.slice(0, cut);
}

/** A text up to a template's other-listings section. */
export const beforeOtherListings = (text: string): string => linesBeforeOtherListings(text.split('\n')).join('\n');
