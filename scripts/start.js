#!/usr/bin/env node
'use strict';
/* global fetch, AbortSignal */
/**
 * `npm start`: the whole MedGenie platform on one machine, all on 127.0.0.1 (DESIGN.md §8):
 *
 *   1. builds every app (nx run-many -t build; cached after the first time; MEDGENIE_SKIP_BUILD=1
 *      skips it when the builds exist);
 *   2. one embedded Postgres per region (us, in, ca) and one for the control plane, under
 *      .medgenie/postgres/<name> (initdb on the first run only); one Azurite blob service per
 *      region under .medgenie/azurite-<region>;
 *   3. each database with its owner/app/ops roles (libs/database provisionDatabase, idempotent),
 *      then its migrations as the owner role;
 *   4. the control plane and the three regional APIs, then the gateway on GATEWAY_PORT (8080);
 *   5. .medgenie/state.json, the demo organizations (through the public API), and a line with
 *      "ready" once every service answers.
 *
 * Each of those processes is supervised (lib/supervisor.js): one that dies (a Postgres killed, an
 * API crashing) is restarted alone, on the same port and data, after 0.5 s doubling to 10 s while
 * it keeps failing (back to 0.5 s once it has run for 30 s), with a line on the console and in
 * .medgenie/logs/supervisor.log; the other services keep serving meanwhile. While booting, a
 * process that never answers in 5 starts (or exits 78: configuration refused) fails the start.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the gateway, the APIs, Azurite and Postgres, in that order,
 * and nothing is restarted from then on.
 * A second `npm start` reuses the data; `npm run reset` wipes .medgenie/. Each service logs to
 * .medgenie/logs/<service>.log.
 *
 * Environment: GATEWAY_PORT (default 8080), REDIS_URL (passed to every service when set; without
 * it each uses its in-process stand-in), LOG_LEVEL (services, default info), MEDGENIE_SKIP_BUILD=1,
 * SMTP_URL (the control plane's mail through that relay instead of .medgenie/outbox/*.eml).
 * The other ports are fixed defaults (control plane 3100, regions 3101-3103, Postgres
 * 54330-54333, Azurite 10001-10003); a taken one is replaced by a free port (see state.json), and
 * MEDGENIE_ANY_PORTS=1 takes free ports for all of them (platforms started side by side).
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { setTimeout, clearTimeout, setInterval } = require('node:timers');
const {
  paths,
  readJson,
  writeJson,
  randomSecret,
  portFree,
  sleep,
  log,
  rel,
  openLog,
  tail,
  exited,
  stopChild,
} = require('./lib/local');
const postgres = require('./lib/postgres');
const azurite = require('./lib/azurite');
const { runningStart, stopLeftovers } = require('./lib/leftovers');
const { Supervisor } = require('./lib/supervisor');
const { DEMO_ORGS, PLATFORM_ADMIN_EMAIL, seedDemo } = require('./lib/demo');

const REGIONS = ['us', 'in', 'ca'];
const CONTROL_PLANE = 'control-plane';
/** Database of each cluster: the control plane's and one per region. */
const DATABASES = { [CONTROL_PLANE]: 'medgenie_control_plane', us: 'medgenie_region_us', in: 'medgenie_region_in', ca: 'medgenie_region_ca' };
const DEFAULT_PORTS = {
  controlPlane: 3100,
  regions: { us: 3101, in: 3102, ca: 3103 },
  postgres: { [CONTROL_PLANE]: 54330, us: 54331, in: 54332, ca: 54333 },
  azurite: { us: 10001, in: 10002, ca: 10003 },
};
const LAYOUT = 2;
/** The control plane's mail (reset links, temporary passwords), one .eml per message, when SMTP_URL is not set. */
const MAIL_OUTBOX = path.join(paths.home, 'outbox');

class Stopping extends Error {}

/** Every long-running child (supervisor.services: { name, kind: gateway | api | azurite | postgres, child, marker, … }). */
const supervisor = new Supervisor({ onFatal: () => void shutdown(1), onChange: () => recordPids() });
/** Short-lived children (build, migrations). */
const jobs = new Set();
let stopping = false;

function checkStopping() {
  if (stopping) throw new Stopping('stopping');
}

function gatewayPort() {
  const raw = process.env.GATEWAY_PORT || '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`GATEWAY_PORT must be a port number (got ${JSON.stringify(raw)})`);
  return port;
}

// ---------------------------------------------------------------------------------------------
// Processes

function recordPids() {
  const children = supervisor.services.filter((s) => s.child?.pid).map(({ name, child, marker }) => ({ name, pid: child.pid, marker }));
  writeJson(paths.run, { startPid: process.pid, children }, 0o644);
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

/** The environment every Node service starts from: the basics of ours, nothing that could reconfigure it by accident. */
function baseEnv() {
  const env = {};
  for (const key of ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  env.LOG_LEVEL = process.env.LOG_LEVEL || 'info';
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  return env;
}

/** Runs a short-lived job (build, migrations) to completion with its output in a log file. */
async function runJob(what, args, env, logName) {
  checkStopping();
  const logFile = paths.log(logName);
  const fd = openLog(logFile);
  const child = spawn(process.execPath, args, { cwd: paths.root, stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  jobs.add(child);
  const { code, signal } = await exited(child);
  jobs.delete(child);
  checkStopping();
  if (code !== 0) throw new Error(`${what} failed (${signal ?? `exit ${code}`}); the end of ${rel(logFile)}:\n${tail(logFile, 40)}`);
  return logFile;
}

/**
 * Node flags per app, as its image runs it (infra/docker/*.Dockerfile): the regional API gets a
 * 64 MiB young generation (see its Dockerfile).
 */
const NODE_FLAGS = { 'regional-api': ['--max-semi-space-size=64'] };

/**
 * Starts a built app (dist/apps/<app>) as a supervised service in a process group of its own;
 * `readyUrl` answers 200 once it serves. Returns the service (its process: service.child).
 */
function startApp(name, app, env, readyUrl) {
  checkStopping();
  const logFile = paths.log(name);
  return supervisor.add({
    name,
    kind: app === 'gateway' ? 'gateway' : 'api',
    marker: `dist/apps/${app}/`,
    logFile,
    spawn: () => {
      const fd = openLog(logFile);
      try {
        // A process group of its own: Ctrl-C reaches this script only, which stops the services in order.
        return spawn(process.execPath, [...(NODE_FLAGS[app] ?? []), paths.main(app)], { cwd: paths.root, env, detached: true, stdio: ['ignore', fd, fd] });
      } finally {
        fs.closeSync(fd);
      }
    },
    ready: (child, timeoutMs) => waitHttp(name, readyUrl, { child, timeoutMs }),
  });
}

/** Polls url until it answers 200 (rejects when `child` exits first). */
async function waitHttp(name, url, { child, timeoutMs = 90_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    checkStopping();
    if (child && !alive(child)) throw new Error(`${name} exited before it answered ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(250);
  }
  throw new Error(`${name} did not answer ${url} with 200 within ${timeoutMs / 1000} s (last answer: ${last}); see ${rel(paths.log(name))}`);
}

// ---------------------------------------------------------------------------------------------
// Set-up steps

/** Refuses to run twice; stops what a killed run left behind; moves the single-region layout of the previous version aside. */
async function prepareHome() {
  fs.mkdirSync(paths.home, { recursive: true });
  fs.chmodSync(paths.home, 0o755); // the postgres user must traverse it; the files inside are 0600
  const other = runningStart();
  if (other) throw new Error(`another npm start is running (pid ${other}); stop it first (Ctrl-C there, or kill -INT ${other})`);
  await stopLeftovers();
  writeJson(paths.run, { startPid: process.pid, children: [] }, 0o644);

  const secrets = readJson(paths.secrets);
  if (secrets && secrets.layout !== LAYOUT) {
    const legacy = path.join(paths.home, `legacy-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    fs.mkdirSync(legacy);
    for (const entry of fs.readdirSync(paths.home)) {
      if (entry === 'run.json' || entry.startsWith('legacy-')) continue;
      fs.renameSync(path.join(paths.home, entry), path.join(legacy, entry));
    }
    log(`moved the data of the earlier single-region npm start to ${rel(legacy)} ("npm run reset" removes it)`);
  }
}

function build() {
  const apps = ['control-plane', 'regional-api', 'gateway'];
  // The console (apps/console) is a web app: its build is an index.html the control plane serves.
  const consoleBuilt = fs.existsSync(path.join(paths.root, 'dist', 'apps', 'console', 'index.html'));
  if (process.env.MEDGENIE_SKIP_BUILD === '1' && apps.every((app) => fs.existsSync(paths.main(app))) && consoleBuilt) {
    log('MEDGENIE_SKIP_BUILD=1: using the existing builds');
    return Promise.resolve();
  }
  if (!fs.existsSync(paths.nx)) throw new Error('nx is not installed: run "npm install" first');
  log(`building every app (nx run-many -t build; output in ${rel(paths.log('build'))})`);
  return runJob(
    'the build',
    [paths.nx, 'run-many', '-t', 'build', '--outputStyle=stream'],
    { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    'build',
  );
}

/** Everything secret, made once and kept in .medgenie/secrets.json (0600); missing entries are added. */
function loadSecrets() {
  const secrets = readJson(paths.secrets) ?? { layout: LAYOUT };
  let changed = false;
  const fill = (obj, key, make) => {
    if (!obj[key]) {
      obj[key] = make();
      changed = true;
    }
  };
  secrets.postgres = secrets.postgres ?? {};
  secrets.roles = secrets.roles ?? {};
  secrets.regionServiceTokens = secrets.regionServiceTokens ?? {};
  // Feature flag client tokens (the control plane's UNLEASH_CLIENT_TOKENS): one per region, one for the gateway.
  secrets.flagClientTokens = secrets.flagClientTokens ?? {};
  for (const name of [CONTROL_PLANE, ...REGIONS]) {
    if (!secrets.postgres[name] && postgres.isInitialised(name)) {
      throw new Error(`.medgenie/secrets.json has no superuser password for the existing Postgres of ${name}: "npm run reset" starts over`);
    }
    fill(secrets.postgres, name, () => randomSecret());
    secrets.roles[name] = secrets.roles[name] ?? {};
    for (const role of ['owner', 'app', 'ops']) fill(secrets.roles[name], role, () => randomSecret());
  }
  for (const region of REGIONS) fill(secrets.regionServiceTokens, region, () => randomSecret(32));
  for (const client of [...REGIONS, 'gateway']) fill(secrets.flagClientTokens, client, () => randomSecret(32));
  fill(secrets, 'keyEncryptionSecret', () => randomSecret(32));
  fill(secrets, 'gatewayServiceToken', () => randomSecret(32));
  fill(secrets, 'platformAdminPassword', () => randomSecret(18));
  // Stripe's webhook signing secret, as `stripe listen` prints one: local webhooks are signed with it (state.json).
  fill(secrets, 'stripeWebhookSecret', () => `whsec_${randomSecret(32)}`);
  if (changed) {
    writeJson(paths.secrets, secrets);
    log(`generated passwords, service tokens and secrets in ${rel(paths.secrets)}`);
  }
  fs.chmodSync(paths.secrets, 0o600);
  return secrets;
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Every port up front: the default when it is free, otherwise a free one (never one of the other defaults). */
async function allocatePorts() {
  const gateway = gatewayPort();
  if (!(await portFree(gateway))) {
    throw new Error(`port ${gateway} is in use, and the gateway must listen there: stop what listens on it, or start with GATEWAY_PORT=<port> npm start`);
  }
  const defaults = [
    ['controlPlane', DEFAULT_PORTS.controlPlane, 'the control plane'],
    ...REGIONS.map((r) => [`region:${r}`, DEFAULT_PORTS.regions[r], `the regional API (${r})`]),
    ...[CONTROL_PLANE, ...REGIONS].map((n) => [`postgres:${n}`, DEFAULT_PORTS.postgres[n], `Postgres (${n})`]),
    ...REGIONS.map((r) => [`azurite:${r}`, DEFAULT_PORTS.azurite[r], `Azurite (${r})`]),
  ];
  const reserved = new Set([gateway, ...defaults.map(([, port]) => port)]);
  const taken = new Set([gateway]);
  const ports = { gateway };
  // MEDGENIE_ANY_PORTS=1: every port but the gateway's from the system (platforms started side by
  // side, as the end-to-end suites do, would otherwise race for the same defaults).
  const anyPorts = process.env.MEDGENIE_ANY_PORTS === '1';
  for (const [key, preferred, what] of defaults) {
    let port = preferred;
    if (anyPorts) {
      do port = await anyFreePort();
      while (reserved.has(port) || taken.has(port));
    } else if (taken.has(port) || !(await portFree(port))) {
      do port = await anyFreePort();
      while (reserved.has(port) || taken.has(port));
      log(`port ${preferred} is taken; ${what} uses ${port} instead`);
    }
    taken.add(port);
    ports[key] = port;
  }
  return ports;
}

function pgUrl(user, password, port, database) {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** One cluster: initdb on the first run, start, then the database, its roles and its migrations. */
async function startDatabase(name, port, ids, secrets) {
  postgres.prepareDirectories(name, ids);
  checkStopping();
  await postgres.initialise(name, secrets.postgres[name]);
  checkStopping();
  const adminUrl = pgUrl('postgres', secrets.postgres[name], port, 'postgres');
  const binary = await postgres.serverBinary();
  checkStopping();
  postgres.clearStaleLock(name);
  const service = supervisor.add({
    name: `Postgres (${name})`,
    kind: 'postgres',
    marker: 'postgres',
    logFile: paths.pgLog(name),
    stopSignal: 'SIGINT',
    spawn: () => postgres.spawnServer({ name, port, ids, binary }),
    ready: (child, timeoutMs) => postgres.waitForConnections(name, child, adminUrl, timeoutMs),
    // Same port and data directory; the orphans and lock file of the dead server out of the way first.
    beforeRestart: (dead) => postgres.recoverAfterCrash(name, dead),
  });
  await supervisor.waitUntilReady(service, 90_000);
  checkStopping();
  if (!fs.existsSync(paths.rolesLib)) throw new Error(`${rel(paths.rolesLib)} is missing: the build did not produce it`);
  const { provisionDatabase } = require(paths.rolesLib);
  const urls = await provisionDatabase(adminUrl, DATABASES[name], secrets.roles[name]);
  const app = name === CONTROL_PLANE ? 'control-plane' : 'regional-api';
  const logFile = await runJob(`the migrations of ${name}`, [paths.migrate(app)], { ...baseEnv(), DATABASE_OWNER_URL: urls.ownerUrl }, `migrate-${name}`);
  const outcome = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').pop();
  log(`Postgres for ${name} on 127.0.0.1:${port}, database ${DATABASES[name]}: ${outcome}`);
  return urls;
}

async function startBlob(region, port) {
  checkStopping();
  const service = supervisor.add({
    name: `Azurite (${region})`,
    kind: 'azurite',
    marker: azurite.marker(region),
    logFile: paths.log(`azurite-${region}`),
    spawn: () => azurite.spawnServer({ region, port }),
    ready: (child, timeoutMs) => azurite.waitForAnswer({ region, port, child, timeoutMs }),
  });
  await supervisor.waitUntilReady(service, 60_000);
  return azurite.blobUrl(port);
}

// ---------------------------------------------------------------------------------------------
// Shutdown

const STOP_ORDER = [
  ['gateway', [['SIGTERM', 10_000]]],
  ['api', [['SIGTERM', 15_000]]],
  ['azurite', [['SIGTERM', 10_000]]],
  ['postgres', [['SIGINT', 30_000], ['SIGQUIT', 10_000]]],
];

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  supervisor.stop(); // no restarts from now on
  const services = supervisor.services;
  if (services.length || jobs.size) log('stopping…');
  const hardStop = setTimeout(() => {
    log('stopping took too long; killing what is left');
    for (const child of [...services.map((s) => s.child), ...jobs]) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.exit(code || 1);
  }, 90_000);
  try {
    await Promise.all([...jobs].map((child) => stopChild(child, [['SIGTERM', 10_000]])));
    for (const [kind, steps] of STOP_ORDER) {
      const group = services.filter((s) => s.kind === kind);
      await Promise.all(group.map((s) => stopChild(s.child, steps)));
      if (group.length) log(`stopped ${group.map((s) => s.name).join(', ')}`);
    }
    if (readJson(paths.run)?.startPid === process.pid) fs.rmSync(paths.run, { force: true });
  } catch (err) {
    log(`while stopping: ${err.message}`);
    code = code || 1;
  }
  clearTimeout(hardStop);
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) log('stopping, please wait');
    else void shutdown(0);
  });
}
// Under `npm start`, npm is the parent (the script is exec'd, so npm's forwarded SIGINT/SIGTERM
// reach this process). If npm itself is killed outright, stop too rather than run on orphaned.
if (process.env.npm_lifecycle_event === 'start') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      log(`npm (pid ${parent}) is gone`);
      void shutdown(1);
    }
  }, 1_000).unref();
}
// Last resort if this script dies: do not leave the detached services behind.
process.on('exit', () => {
  for (const { child, stopSignal } of supervisor.services) {
    if (child && alive(child)) {
      try {
        child.kill(stopSignal);
      } catch {
        /* gone */
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------

function summary({ ports, urls, blobUrls, demo, secrets }) {
  const gw = `http://127.0.0.1:${ports.gateway}`;
  const console_ = `http://console.localhost:${ports.gateway}`;
  const orgUrl = (org) => `http://${org.slug}.${org.regionId}.localhost:${ports.gateway}`;
  const apollo = DEMO_ORGS[0];
  const lines = [
    '',
    'MedGenie local platform (logs in .medgenie/logs/, URLs and ops database URLs in .medgenie/state.json)',
    `  gateway         ${gw}   console.localhost:${ports.gateway} -> control plane, <slug>.<region>.localhost:${ports.gateway} -> the org's region`,
    `  control plane   ${urls.controlPlane}   Postgres 127.0.0.1:${ports[`postgres:${CONTROL_PLANE}`]}`,
    process.env.SMTP_URL ? '  mail            through the SMTP relay of SMTP_URL' : `  mail            ${rel(MAIL_OUTBOX)} (one .eml per message: reset links, temporary passwords)`,
    ...REGIONS.map(
      (r) => `  region ${r}       ${urls.regions[r]}   Postgres 127.0.0.1:${ports[`postgres:${r}`]}, blob ${blobUrls[r]}`,
    ),
    '',
    `Console:         ${console_}/   (platform admins; new organizations sign up at ${console_}/signup)`,
    `Platform admin:  ${PLATFORM_ADMIN_EMAIL} / ${secrets.platformAdminPassword}`,
    'Demo organizations (org admin logins):',
    ...DEMO_ORGS.map((org) => {
      const clinics = Object.entries(demo.orgs[org.key]?.clinics ?? {})
        .filter(([, id]) => id)
        .map(([name]) => name);
      return `  ${org.organizationName.padEnd(22)} ${orgUrl(org).padEnd(36)} ${org.adminEmail} / ${org.adminPassword}   clinics: ${clinics.join(', ') || '-'}`;
    }),
    ...demo.warnings.map((w) => `  WARNING, demo data incomplete: ${w}`),
    '',
    'Try:',
    `  curl -s ${console_}/v1/auth/login -H 'content-type: application/json' \\`,
    `    -d '{"email":"${apollo.adminEmail}","password":"${apollo.adminPassword}"}'`,
    `  TOKEN=$(node scripts/token.js apollo)`,
    `  curl -s -X POST ${orgUrl(apollo)}/v1/patients -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"firstName":"Asha","lastName":"Rao","mobileNumber":"+919800000001"}'`,
    `  curl -s "${orgUrl(apollo)}/v1/patients?search=Asha" -H "Authorization: Bearer $TOKEN"`,
    `  (or: curl -H 'Host: ${apollo.slug}.${apollo.regionId}.localhost:${ports.gateway}' ${gw}/v1/patients ...)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  await prepareHome();
  await build();
  checkStopping();
  const secrets = loadSecrets();
  const ports = await allocatePorts();

  // Postgres and Azurite, all at once.
  const ids = postgres.postgresIds();
  const [dbUrls, blobList] = await Promise.all([
    Promise.all([CONTROL_PLANE, ...REGIONS].map((name) => startDatabase(name, ports[`postgres:${name}`], ids, secrets))),
    Promise.all(REGIONS.map((region) => startBlob(region, ports[`azurite:${region}`]))),
  ]);
  const db = Object.fromEntries([CONTROL_PLANE, ...REGIONS].map((name, i) => [name, dbUrls[i]]));
  const blobUrls = Object.fromEntries(REGIONS.map((region, i) => [region, blobList[i]]));
  log(`Azurite (blob) for ${REGIONS.map((r) => `${r} on ${ports[`azurite:${r}`]}`).join(', ')}`);

  // The control plane and the regional APIs.
  const urls = {
    controlPlane: `http://127.0.0.1:${ports.controlPlane}`,
    regions: Object.fromEntries(REGIONS.map((r) => [r, `http://127.0.0.1:${ports[`region:${r}`]}`])),
  };
  const issuer = `http://console.localhost:${ports.gateway}`;
  const audience = 'medgenie-api';
  const jwksUrl = `${urls.controlPlane}/.well-known/jwks.json`;
  const base = baseEnv();
  fs.mkdirSync(MAIL_OUTBOX, { recursive: true, mode: 0o700 });
  const controlPlane = startApp(CONTROL_PLANE, 'control-plane', {
    ...base,
    HOST: '127.0.0.1',
    PORT: String(ports.controlPlane),
    DATABASE_URL: db[CONTROL_PLANE].appUrl,
    MIGRATE_ON_START: 'false',
    KEY_ENCRYPTION_SECRET: secrets.keyEncryptionSecret,
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: audience,
    REGION_SERVICE_TOKENS: JSON.stringify(secrets.regionServiceTokens),
    REGION_API_URLS: JSON.stringify(urls.regions),
    UNLEASH_CLIENT_TOKENS: JSON.stringify(secrets.flagClientTokens),
    GATEWAY_SERVICE_TOKEN: secrets.gatewayServiceToken,
    PLATFORM_ADMIN_EMAIL,
    PLATFORM_ADMIN_PASSWORD: secrets.platformAdminPassword,
    // state.json's platform admin signs in with email and password (DESIGN §9): locally, no second
    // factor is required of platform admins; production keeps PLATFORM_ADMIN_MFA_REQUIRED on (the default).
    PLATFORM_ADMIN_MFA_REQUIRED: process.env.PLATFORM_ADMIN_MFA_REQUIRED ?? 'false',
    STRIPE_WEBHOOK_SECRET: secrets.stripeWebhookSecret,
    // Mail (reset links, temporary passwords) lands in .medgenie/outbox as .eml files, unless SMTP_URL names a relay.
    CONSOLE_URL: issuer,
    ...(process.env.SMTP_URL ? { SMTP_URL: process.env.SMTP_URL } : { MAIL_OUTBOX_DIR: MAIL_OUTBOX }),
    // On one machine every client is 127.0.0.1, so a per-address limit would be everyone's at once:
    // they are raised here (the per-account limits and the lockout stay as deployed).
    LOGIN_RATE_PER_ADDRESS: process.env.LOGIN_RATE_PER_ADDRESS ?? '600',
    LOGIN_BURST_PER_ADDRESS: process.env.LOGIN_BURST_PER_ADDRESS ?? '600',
    SIGNUP_RATE_PER_ADDRESS: process.env.SIGNUP_RATE_PER_ADDRESS ?? '600',
    SIGNUP_BURST_PER_ADDRESS: process.env.SIGNUP_BURST_PER_ADDRESS ?? '600',
    PASSWORD_RESET_RATE_PER_ADDRESS: process.env.PASSWORD_RESET_RATE_PER_ADDRESS ?? '600',
    PASSWORD_RESET_BURST_PER_ADDRESS: process.env.PASSWORD_RESET_BURST_PER_ADDRESS ?? '600',
    // Billing against Stripe's API needs a key of one's own (STRIPE_SECRET_KEY=sk_test_… npm start); without it platform admins set plans.
    ...(process.env.STRIPE_SECRET_KEY ? { STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY } : {}),
    ...(process.env.STRIPE_API_BASE ? { STRIPE_API_BASE: process.env.STRIPE_API_BASE } : {}),
  }, `${urls.controlPlane}/readyz`);
  const regionalApis = REGIONS.map((region) => {
    const blobPort = ports[`azurite:${region}`];
    return startApp(`regional-api-${region}`, 'regional-api', {
      ...base,
      REGION_ID: region,
      HOST: '127.0.0.1',
      PORT: String(ports[`region:${region}`]),
      DATABASE_URL: db[region].appUrl,
      MIGRATE_ON_START: 'false',
      JWKS_URL: jwksUrl,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      INTERNAL_SERVICE_TOKEN: secrets.regionServiceTokens[region],
      // Flags from the control plane's Unleash client API; the region starts without it (its backup, else seed defaults).
      FLAGS_URL: `${urls.controlPlane}/api`,
      FLAGS_CLIENT_TOKEN: secrets.flagClientTokens[region],
      FLAGS_BACKUP_DIR: path.join(paths.home, 'flags', region),
      BLOB_ACCOUNT_URL: azurite.blobUrl(blobPort),
      BLOB_CONNECTION_STRING: azurite.connectionString(blobPort),
    }, `${urls.regions[region]}/readyz`);
  });
  log(`starting the control plane on ${urls.controlPlane} and the regional APIs on ${REGIONS.map((r) => `${urls.regions[r]} (${r})`).join(', ')}`);
  await Promise.all([controlPlane, ...regionalApis].map((service) => supervisor.waitUntilReady(service, 90_000)));

  writeJson(paths.state, {
    controlPlane: {
      databaseUrl: db[CONTROL_PLANE].opsUrl,
      apiUrl: urls.controlPlane,
      platformAdmin: { email: PLATFORM_ADMIN_EMAIL, password: secrets.platformAdminPassword },
      stripeWebhookSecret: secrets.stripeWebhookSecret,
    },
    regions: Object.fromEntries(REGIONS.map((r) => [r, { databaseUrl: db[r].opsUrl, apiUrl: urls.regions[r], blobUrl: blobUrls[r] }])),
  });

  // The gateway: every request of the public contract goes through it.
  const gateway = startApp('gateway', 'gateway', {
    ...base,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(ports.gateway),
    CONTROL_PLANE_URL: urls.controlPlane,
    CONTROL_PLANE_SERVICE_TOKEN: secrets.gatewayServiceToken,
    REGION_API_URLS: JSON.stringify(urls.regions),
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: audience,
    // Its flags (read_only_maintenance) from the control plane, with the gateway's own client token.
    FLAGS_URL: `${urls.controlPlane}/api`,
    FLAGS_CLIENT_TOKEN: secrets.flagClientTokens.gateway,
    FLAGS_BACKUP_DIR: path.join(paths.home, 'flags', 'gateway'),
  }, `http://127.0.0.1:${ports.gateway}/healthz`);
  log(`starting the gateway on http://127.0.0.1:${ports.gateway}`);
  await supervisor.waitUntilReady(gateway, 90_000);

  checkStopping();
  const demo = await seedDemo({ controlPlaneUrl: urls.controlPlane, regionUrls: urls.regions, platformAdminPassword: secrets.platformAdminPassword });
  checkStopping();
  summary({ ports, urls, blobUrls, demo, secrets });
  const where = `gateway on http://127.0.0.1:${ports.gateway}`;
  log(`ready: ${where}, regions ${REGIONS.join(', ')}; Ctrl-C stops everything`);
}

process.on('unhandledRejection', (err) => {
  if (err instanceof Stopping || stopping) return;
  process.stderr.write(`[medgenie] npm start failed: ${err?.stack ?? err}\n`);
  void shutdown(1);
});

main().catch((err) => {
  if (err instanceof Stopping || stopping) return; // shutdown() is under way and exits
  process.stderr.write(`[medgenie] npm start failed: ${err.message}\n`);
  void shutdown(1);
});
