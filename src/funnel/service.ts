// The funnel's pieces wired over one app (HTTP handlers and the CLI share this).
import type { App } from '../app.ts';
import { funnelSide } from '../db/funnel-store.ts';
import type { ImportSettings, ImportStorage } from './import.ts';

export function funnelServices(app: App) {
  const side = funnelSide(app.store, () => app.config.country);
  const storage: ImportStorage = { store: app.store as unknown as ImportStorage['store'], funnel: side.store };
  const settings = (): ImportSettings => ({ country: app.config.country, timeZone: app.config.timezone, projects: app.context().projects, followUpDays: app.config.followUpDays });
  return { storage, settings, queries: side.queries, store: side.store };
}
