// A child process for the crash test: the daemon's notification side (startNotifications, as
// `run` starts it) on a database and an SMTP port; prints `sent <total>` after each accepted email
// and waits to be killed -9.
import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startNotifications } from '../../src/outbox/service.ts';

const [configFile, db] = process.argv.slice(2);
const app = await createApp(parseConfig(readFileSync(configFile, 'utf8'), configFile, {}), createLogger('silent'), { dbPath: db, notify: true });
const n = startNotifications(app, createLogger('silent'), { intervalMs: 50 });
n.sender.events.on('sent', () => process.stdout.write(`sent ${n.health().sent}\n`));
n.kick();
setInterval(() => {}, 1000);
