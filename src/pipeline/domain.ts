/** Registrable domain: comunica.vivareal.com.br and vivareal.com.br are one sender. */
export function baseDomain(address: string): string {
  const labels = (address.split('@')[1] ?? address).toLowerCase().split('.');
  const n = labels.length;
  const secondLevel = n >= 3 && labels[n - 1].length === 2 && /^(com|net|org|gob|gov|edu|co|nom|mil)$/.test(labels[n - 2]);
  return labels.slice(secondLevel ? -3 : -2).join('.');
}
