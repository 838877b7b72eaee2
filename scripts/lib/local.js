'use strict';
/**
 * Shared bits of the local development scripts (npm start, npm run reset, scripts/token.js):
 * where things live under .medgenie/, small file and process helpers. Plain CommonJS, no build.
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { setTimeout } = require('node:timers');

const ROOT = path.resolve(__dirname, '..', '..');
const HOME = path.join(ROOT, '.medgenie');

const paths = {
  root: ROOT,
  home: HOME,
  /** Passwords, the issuer's private key, the internal service token (mode 0600). */
  secrets: path.join(HOME, 'secrets.json'),
  /** Ids of the demo organization, clinics and admin, plus the last demo token (mode 0600). */
  demo: path.join(HOME, 'demo.json'),
  /** What other tools read to find the running stack (mode 0600: it holds the ops password). */
  state: path.join(HOME, 'state.json'),
  /** Process ids of the running `npm start`, to refuse a second one and clean up after a crash. */
  run: path.join(HOME, 'run.json'),
  pgHome: path.join(HOME, 'postgres'),
  pgData: path.join(HOME, 'postgres', 'data'),
  pgLog: path.join(HOME, 'postgres', 'postgres.log'),
  dist: path.join(ROOT, 'dist', 'apps', 'regional-api'),
};
paths.apiMain = path.join(paths.dist, 'apps', 'regional-api', 'src', 'main.js');
paths.apiMigrate = path.join(paths.dist, 'apps', 'regional-api', 'src', 'migrate.js');
paths.rolesLib = path.join(paths.dist, 'libs', 'database', 'src', 'roles.js');

function readJson(file, fallback = null) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw new Error(`${path.relative(ROOT, file)} is not valid JSON (${err.message}); "npm run reset" starts over`);
  }
}

/** Writes JSON atomically with the given mode (0600 by default: most of these files hold secrets). */
function writeJson(file, value, mode = 0o600) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function randomSecret(bytes = 24) {
  return crypto.randomBytes(bytes).toString('base64url');
}

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The command line of a process (Linux /proc), or null when it cannot be read. */
function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

function portFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function anyFreePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The preferred port when it is free, otherwise any free one. */
async function pickPort(preferred, what) {
  if (await portFree(preferred)) return preferred;
  const port = await anyFreePort();
  log(`port ${preferred} is taken; ${what} uses ${port} instead`);
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function log(message) {
  process.stdout.write(`[medgenie] ${message}\n`);
}

/** Resolves when the child exits (or at once if it already has), with its code or signal. */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Stops a child: sends each signal of `steps` in turn ([signal, ms to wait]) until it exits,
 * and SIGKILL after the last.
 */
async function stopChild(child, steps) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  for (const [signal, waitMs] of steps) {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
    if ((await Promise.race([done, sleep(waitMs).then(() => 'timeout')])) !== 'timeout') return;
    log(`pid ${child.pid} did not stop within ${waitMs / 1000} s of ${signal}`);
  }
  try {
    child.kill('SIGKILL');
  } catch {
    /* already gone */
  }
  await done;
}

/** Signals a process that is not our child (a leftover of a killed run) and waits for it to go. */
async function stopPid(pid, signal, graceMs) {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await sleep(200);
  }
}

module.exports = {
  paths,
  readJson,
  writeJson,
  randomSecret,
  pidAlive,
  cmdline,
  portFree,
  pickPort,
  sleep,
  log,
  exited,
  stopChild,
  stopPid,
};
