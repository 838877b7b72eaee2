import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { prepareTestDatabase, startTestPostgres, TestPostgres } from '@medgenie/testing';
import { PLATFORM_SUITES, runMigrationScript } from './platform';

declare global {
  var __MG_E2E_PG__: TestPostgres | undefined;
}

const ROOT = join(__dirname, '../../..');

/** Builds the apps (cached by Nx) and prepares one database per service: the control plane and two regions. */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '--projects=regional-api,control-plane,gateway,console'], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    stdio: 'ignore',
  });
  const pg = await startTestPostgres();
  globalThis.__MG_E2E_PG__ = pg;
  // One set of databases per suite that runs a platform: suites run side by side, and two
  // control planes on one database would sign with each other's keys.
  const databases: Record<string, Record<string, unknown>> = {};
  for (const suite of PLATFORM_SUITES) {
    databases[suite] = {};
    for (const [name, app] of [
      ['control_plane', 'control-plane'],
      ['region_in', 'regional-api'],
      ['region_ca', 'regional-api'],
    ] as const) {
      databases[suite][name] = await prepareTestDatabase(pg, `${pg.baseName}_e2e_${suite}_${name}`, (ownerUrl) => runMigrationScript(app, ownerUrl));
    }
  }
  process.env.MG_E2E_DATABASES = JSON.stringify(databases);
}
