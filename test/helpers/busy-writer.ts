// A separate process writing as fast as it can, in transactions that keep an invariant: every
// transaction adds one raw email and one lead for it, so a consistent copy has equal counts.
import { openDatabase } from '../../src/db/sqlite/open.ts';

const [file] = process.argv.slice(2);
const sqlite = openDatabase(file).$client;
const raw = sqlite.prepare("INSERT INTO raw_emails (source, sha256, size, received_at, stored_at, status, headers) VALUES ('file', ?, 1, 1, 1, 'lead', ?)");
const lead = sqlite.prepare("INSERT INTO leads (raw_email_id, medium, quality, contact_state, received_at, deadline_at, created_at, updated_at) VALUES (?, 'web', 'bueno', 'por_contactar', 1, 1, 1, 1)");
const pad = 'x'.repeat(2000);
let i = 0;
const tx = sqlite.transaction(() => {
  for (let k = 0; k < 20; k++) lead.run(raw.run(`w${i++}`, pad).lastInsertRowid);
});
process.stdout.write('ready\n');
const loop = () => {
  tx();
  setImmediate(loop);
};
loop();
