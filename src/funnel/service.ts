// The funnel's settings over one app (HTTP handlers and the CLI share this).
import type { App } from '../app.ts';
import type { ImportSettings } from './import.ts';

export function funnelSettings(app: App): ImportSettings {
  return { country: app.config.country, timeZone: app.config.timezone, projects: app.context().projects, followUpDays: app.config.followUpDays };
}
