#!/usr/bin/env node
'use strict';
/* global fetch, AbortSignal */
/**
 * `npm start`: the local MedGenie stack. Until the control plane and the gateway exist, that is
 * the regional API for region `in` on an embedded Postgres, with a local token issuer standing
 * in for the control plane and a demo organization.
 *
 *   1. builds the regional API (nx, cached after the first time; MEDGENIE_SKIP_BUILD=1 skips it);
 *   2. Postgres under .medgenie/postgres (initdb on the first run only), on 127.0.0.1;
 *   3. the database and its owner/app/ops roles (libs/database provisionDatabase, idempotent),
 *      then migrations as the owner role;
 *   4. the dev issuer's JWKS on 127.0.0.1 and the API as a child process;
 *   5. once /readyz answers 200: .medgenie/state.json, the demo organization (Apollo Hospitals)
 *      and a demo admin token, and a line with "ready".
 * Ctrl-C (SIGINT) or SIGTERM stops the API, then Postgres. `npm run reset` wipes .medgenie/.
 *
 * Environment: PORT (API, default 3101), MEDGENIE_PG_PORT (default 54329), MEDGENIE_JWKS_PORT
 * (default 3190), MEDGENIE_SKIP_BUILD=1, LOG_LEVEL (API, default info).
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { spawn } = require('node:child_process');
const { setTimeout, clearTimeout } = require('node:timers');
const { URL } = require('node:url');
const { paths, readJson, writeJson, randomSecret, pidAlive, cmdline, portFree, pickPort, sleep, log, exited, stopChild, stopPid } =
  require('./lib/local');
const postgres = require('./lib/postgres');
const issuer = require('./lib/issuer');

const REGION = 'in';
const DATABASE = `medgenie_region_${REGION}`;
const API_PORT = Number.parseInt(process.env.PORT || '3101', 10);
const PG_PORT = Number.parseInt(process.env.MEDGENIE_PG_PORT || '54329', 10);
const JWKS_PORT = Number.parseInt(process.env.MEDGENIE_JWKS_PORT || '3190', 10);
const TOKEN_TTL_SECONDS = 12 * 3600;

class Stopping extends Error {}

const running = { children: new Set(), api: null, postgres: null, jwks: null };
let stopping = false;

function checkStopping() {
  if (stopping) throw new Stopping('stopping');
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Runs a short-lived command (build, migrate) to completion; rejects on a non-zero exit. */
async function run(what, command, args, env = {}) {
  checkStopping();
  const child = spawn(command, args, { cwd: paths.root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  running.children.add(child);
  const { code, signal } = await exited(child);
  running.children.delete(child);
  checkStopping();
  if (code !== 0) throw new Error(`${what} failed (${signal ?? `exit ${code}`})`);
}

function recordPids() {
  writeJson(paths.run, { startPid: process.pid, apiPid: running.api?.pid ?? null, postgresPid: running.postgres?.pid ?? null }, 0o644);
}

/** Refuses to run twice; cleans up after an `npm start` that was killed without stopping its API. */
async function checkNotRunning() {
  const previous = readJson(paths.run);
  if (!previous) return;
  if (previous.startPid !== process.pid && pidAlive(previous.startPid) && (cmdline(previous.startPid) ?? '').includes('start.js')) {
    throw new Error(`npm start is already running (pid ${previous.startPid}); stop it first (Ctrl-C there, or kill -INT ${previous.startPid})`);
  }
  if (pidAlive(previous.apiPid) && (cmdline(previous.apiPid) ?? '').includes('regional-api')) {
    log(`stopping a regional API (pid ${previous.apiPid}) left running by an earlier run`);
    await stopPid(previous.apiPid, 'SIGTERM', 15_000);
  }
  // A leftover Postgres is found through its own postmaster.pid (lib/postgres.js).
}

// ---------------------------------------------------------------------------------------------
// Set-up steps

function build() {
  if (process.env.MEDGENIE_SKIP_BUILD === '1' && fs.existsSync(paths.apiMain)) {
    log('MEDGENIE_SKIP_BUILD=1: using the existing build');
    return Promise.resolve();
  }
  log('building the regional API (nx run regional-api:build)');
  const nx = path.join(paths.root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
  if (!fs.existsSync(nx)) throw new Error('nx is not installed: run "npm install" first');
  return run('the build', process.execPath, [nx, 'run', 'regional-api:build', '--outputStyle=stream'], {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
  });
}

/** Everything secret, made on the first run and kept in .medgenie/secrets.json (0600). */
async function loadSecrets() {
  fs.mkdirSync(paths.home, { recursive: true });
  fs.chmodSync(paths.home, 0o755); // the postgres user must traverse it; the files inside are 0600
  let secrets = readJson(paths.secrets);
  if (!secrets) {
    secrets = {
      postgres: { superuserPassword: randomSecret() },
      roles: { owner: randomSecret(), app: randomSecret(), ops: randomSecret() },
      internalServiceToken: randomSecret(32),
      issuerKey: await issuer.generateIssuerKey(),
    };
    writeJson(paths.secrets, secrets);
    log(`generated passwords, the internal service token and the dev issuer key in ${path.relative(paths.root, paths.secrets)}`);
  }
  fs.chmodSync(paths.secrets, 0o600);
  return secrets;
}

function pgUrl(user, password, port, database) {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function startPostgres(secrets) {
  const ids = postgres.postgresIds();
  postgres.prepareDirectories(ids);
  checkStopping();
  await postgres.initialise(secrets.postgres.superuserPassword);
  await postgres.stopLeftover();
  checkStopping();
  const port = await pickPort(PG_PORT, 'Postgres');
  const adminUrl = pgUrl('postgres', secrets.postgres.superuserPassword, port, 'postgres');
  log(`starting Postgres on 127.0.0.1:${port} (data in ${path.relative(paths.root, paths.pgData)}, log in ${path.relative(paths.root, paths.pgLog)})`);
  const child = await postgres.start({ port, ids, adminUrl });
  running.postgres = child;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`Postgres exited unexpectedly (${signal ?? `exit ${code}`}); see ${path.relative(paths.root, paths.pgLog)}`);
      void shutdown(1);
    }
  });
  recordPids();
  checkStopping();
  return adminUrl;
}

async function provisionAndMigrate(adminUrl, secrets) {
  if (!fs.existsSync(paths.rolesLib)) throw new Error(`${path.relative(paths.root, paths.rolesLib)} is missing: the build did not produce it`);
  const { provisionDatabase } = require(paths.rolesLib);
  const urls = await provisionDatabase(adminUrl, DATABASE, secrets.roles);
  log(`database ${DATABASE} with roles medgenie_owner, medgenie_app, medgenie_ops is in place`);
  checkStopping();
  log('running migrations as medgenie_owner');
  await run('the migrations', process.execPath, [paths.apiMigrate], { DATABASE_OWNER_URL: urls.ownerUrl });
  return urls;
}

async function startApi(urls, secrets, jwksUrl) {
  checkStopping();
  if (!(await portFree(API_PORT))) {
    throw new Error(`port ${API_PORT} is in use: stop what listens there or start with PORT=<another port> npm start`);
  }
  const env = {
    ...process.env,
    REGION_ID: REGION,
    HOST: '127.0.0.1',
    PORT: String(API_PORT),
    DATABASE_URL: urls.appUrl,
    DATABASE_OWNER_URL: urls.ownerUrl,
    MIGRATE_ON_START: 'false',
    JWKS_URL: jwksUrl,
    JWT_ISSUER: issuer.DEV_ISSUER,
    JWT_AUDIENCE: issuer.DEV_AUDIENCE,
    INTERNAL_SERVICE_TOKEN: secrets.internalServiceToken,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };
  log(`starting the regional API (region ${REGION}) on http://127.0.0.1:${API_PORT}`);
  // A process group of its own: Ctrl-C reaches this script only, which stops the API first.
  const child = spawn(process.execPath, [paths.apiMain], { cwd: paths.root, env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  running.api = child;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`the regional API exited unexpectedly (${signal ?? `exit ${code}`})${code === 78 ? ': its configuration was refused' : ''}`);
      void shutdown(1);
    }
  });
  recordPids();
  return `http://127.0.0.1:${API_PORT}`;
}

async function waitReady(apiUrl, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    checkStopping();
    try {
      const res = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(250);
  }
  throw new Error(`the regional API was not ready within ${timeoutMs / 1000} s (last answer: ${last})`);
}

function writeState(urls, apiUrl) {
  writeJson(paths.state, {
    controlPlane: { databaseUrl: null, apiUrl: null },
    regions: { [REGION]: { databaseUrl: urls.opsUrl, apiUrl, blobUrl: null } },
  });
}

// ---------------------------------------------------------------------------------------------
// Demo data

async function call(apiUrl, method, route, { body, token, serviceToken } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (serviceToken) headers['x-service-token'] = serviceToken;
  const res = await fetch(`${apiUrl}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

function expect(res, ok, what) {
  if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Apollo Hospitals (slug apollo, plan premium), first clinic Mumbai, through the internal
 * provisioning endpoint as the control plane would; a second clinic Delhi as the org admin.
 * The ids are made once and kept in .medgenie/demo.json, so every run reuses them.
 */
async function seedDemo(apiUrl, secrets) {
  checkStopping();
  const demo = readJson(paths.demo) ?? {};
  if (!demo.organizationId) {
    Object.assign(demo, { organizationId: randomUUID(), adminUserId: randomUUID(), clinics: { mumbai: randomUUID() } });
    writeJson(paths.demo, demo);
  }
  const provisioned = expect(
    await call(apiUrl, 'POST', '/internal/v1/organizations', {
      serviceToken: secrets.internalServiceToken,
      body: {
        organizationId: demo.organizationId,
        slug: 'apollo',
        name: 'Apollo Hospitals',
        plan: 'premium',
        clinic: { id: demo.clinics.mumbai, name: 'Mumbai', timezone: 'Asia/Kolkata' },
        admin: { userId: demo.adminUserId, displayName: 'Apollo Admin', email: 'admin@apollo.example' },
      },
    }),
    [200, 201],
    'provisioning Apollo Hospitals',
  );
  demo.clinics.mumbai = provisioned.clinicId;
  log(`demo organization Apollo Hospitals ${provisioned.created ? 'provisioned' : 'already provisioned'} (${demo.organizationId})`);

  const { token, expiresAt } = await issuer.mintAccessToken(
    secrets.issuerKey,
    { userId: demo.adminUserId, orgId: demo.organizationId, regionId: REGION, role: 'org_admin' },
    TOKEN_TTL_SECONDS,
  );
  const delhi = async () =>
    expect(await call(apiUrl, 'GET', '/v1/clinics', { token }), [200], 'listing clinics').find((c) => c.name === 'Delhi');
  let clinic = await delhi();
  if (!clinic) {
    const res = await call(apiUrl, 'POST', '/v1/clinics', { token, body: { name: 'Delhi', timezone: 'Asia/Kolkata' } });
    clinic = res.status === 409 ? await delhi() : expect(res, [201], 'creating the Delhi clinic');
    log('demo clinic Delhi created');
  }
  if (clinic) demo.clinics.delhi = clinic.id;
  Object.assign(demo, { regionId: REGION, slug: 'apollo', role: 'org_admin', token, tokenExpiresAt: expiresAt });
  writeJson(paths.demo, demo);
  return demo;
}

// ---------------------------------------------------------------------------------------------
// Shutdown

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (running.api || running.postgres || running.children.size) log('stopping…');
  const hardStop = setTimeout(() => {
    log('stopping took too long; killing what is left');
    for (const child of [running.api, running.postgres, ...running.children]) {
      try {
        child?.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.exit(code || 1);
  }, 60_000);
  try {
    for (const child of running.children) await stopChild(child, [['SIGTERM', 10_000]]);
    if (running.api) {
      await stopChild(running.api, [['SIGTERM', 15_000]]);
      log('regional API stopped');
    }
    if (running.jwks) await new Promise((resolve) => running.jwks.close(() => resolve()));
    if (running.postgres) {
      await postgres.stop(running.postgres);
      log('Postgres stopped');
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
    if (stopping) log('already stopping, please wait');
    else void shutdown(0);
  });
}
// Last resort if this script dies: do not leave the detached children behind.
process.on('exit', () => {
  for (const [child, signal] of [
    [running.api, 'SIGTERM'],
    [running.postgres, 'SIGINT'],
  ]) {
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        /* gone */
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------

async function main() {
  fs.mkdirSync(paths.home, { recursive: true });
  await checkNotRunning();
  writeJson(paths.run, { startPid: process.pid, apiPid: null, postgresPid: null }, 0o644);
  await build();
  const secrets = await loadSecrets();
  const adminUrl = await startPostgres(secrets);
  const urls = await provisionAndMigrate(adminUrl, secrets);

  checkStopping();
  const jwks = await issuer.serveJwks(secrets.issuerKey, await pickPort(JWKS_PORT, 'the dev token issuer'));
  running.jwks = jwks.server;
  log(`dev token issuer: ${issuer.DEV_ISSUER}, JWKS at ${jwks.jwksUrl}`);

  const apiUrl = await startApi(urls, secrets, jwks.jwksUrl);
  await waitReady(apiUrl);
  writeState(urls, apiUrl);
  const demo = await seedDemo(apiUrl, secrets);

  const port = new URL(adminUrl).port;
  process.stdout.write(
    [
      '',
      `MedGenie local stack: region ${REGION}`,
      `  regional API   ${apiUrl}   (OpenAPI: ${apiUrl}/openapi.json)`,
      `  Postgres       127.0.0.1:${port}, database ${DATABASE} (ops URL in .medgenie/state.json)`,
      `  token issuer   ${jwks.jwksUrl}`,
      `  demo org       Apollo Hospitals (apollo, premium) ${demo.organizationId}`,
      `  demo clinics   Mumbai ${demo.clinics.mumbai}, Delhi ${demo.clinics.delhi ?? '(not created)'}`,
      '',
      `Demo org_admin token (valid until ${demo.tokenExpiresAt}; also in .medgenie/demo.json, "node scripts/token.js" mints another):`,
      '',
      `  export TOKEN=${demo.token}`,
      `  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/v1/patients`,
      '',
      `[medgenie] ready: regional API (${REGION}) at ${apiUrl}; Ctrl-C stops it`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  if (err instanceof Stopping || stopping) return; // shutdown() is already under way and exits
  process.stderr.write(`[medgenie] npm start failed: ${err.message}\n`);
  void shutdown(1);
});
