/**
 * What a person may see, as the storage filters it in SQL: null lists mean "no limit".
 * vendedor: the leads and clients their vendor owns; supervisor: their team's; gerente: their
 * projects' (or everything); admin and the config's token: everything. (src/auth decides a
 * person's scope; the storage only applies it.)
 */
export interface Scope {
  vendorIds: string[] | null;
  projectIds: number[] | null;
}

export const FULL_SCOPE: Scope = { vendorIds: null, projectIds: null };

export const isLimited = (s: Scope) => s.vendorIds !== null || s.projectIds !== null;
