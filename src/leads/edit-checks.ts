import { countryModule } from '../countries/index.ts';
import { AppError } from '../errors.ts';
import { checkNationalId } from '../normalize/national-id.ts';
import type { Country } from '../vocabulary.ts';

export type EditableField = 'name' | 'nationalId' | 'email' | 'phone' | 'project';

/**
 * An edit never stores a value the rules reject and never erases a valid one: the first bad field
 * is refused with its reason in Spanish, and nothing is saved.
 */
export function assertEditable(
  edit: Partial<Record<EditableField, string>>,
  problems: string[],
  before: Partial<Record<EditableField, string | null>>,
  country: Country,
): void {
  const refuse = (message: string) => {
    throw new AppError('lead.invalid_value', message);
  };
  const idLabel = countryModule(country).idLabel;
  const names: Record<EditableField, string> = { name: 'nombre', nationalId: idLabel, email: 'email', phone: 'teléfono', project: 'proyecto' };
  for (const [field, raw] of Object.entries(edit) as [EditableField, string | undefined][]) {
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value === '') {
      if (before[field]) refuse(`${names[field]}: no se puede borrar un dato válido`);
      continue;
    }
    if (field === 'nationalId' && problems.includes('nationalId.invalid')) refuse(`${idLabel} no válido: ${checkNationalId(value, country).reason ?? 'el formato no corresponde'}`);
    if (field === 'email' && problems.includes('email.invalid')) refuse(`email no válido: "${value.slice(0, 80)}" no es una dirección de correo`);
    if (field === 'phone' && problems.includes('phone.invalid')) refuse(`teléfono no válido para ${countryModule(country).name}`);
    if (field === 'name' && problems.includes('name.invalid')) refuse('nombre no válido: escribe nombre y apellido');
    if (field === 'project' && problems.includes('project.unmatched')) refuse(`proyecto desconocido: "${value.slice(0, 80)}" no coincide con un proyecto configurado`);
  }
}
