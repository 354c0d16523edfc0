// The funnel's settings from the running config (HTTP handlers and the CLI share this).
import type { Config } from '../config.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import type { ImportSettings } from './import.ts';

export function funnelSettings(app: { config: Config; context(): PipelineContext }): ImportSettings {
  return { country: app.config.country, timeZone: app.config.timezone, projects: app.context().projects, followUpDays: app.config.followUpDays };
}
