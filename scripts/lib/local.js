'use strict';
/**
 * Shared bits of the local development scripts (npm start, npm run reset, scripts/token.js):
 * where things live under .medgenie/, small file, process and HTTP helpers. Plain CommonJS, no
 * build step.
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { setTimeout } = require('node:timers');
/* global fetch, AbortSignal, Buffer */

const ROOT = path.resolve(__dirname, '..', '..');
// MEDGENIE_HOME moves the data elsewhere (the end-to-end test runs a whole platform in a temporary one).
const HOME = process.env.MEDGENIE_HOME ? path.resolve(process.env.MEDGENIE_HOME) : path.join(ROOT, '.medgenie');

/** Where the built apps are (nx build: tsc + tsc-alias into dist/apps/<app>/apps/<app>/src). */
const distOf = (app) => path.join(ROOT, 'dist', 'apps', app, 'apps', app, 'src');

const paths = {
  root: ROOT,
  home: HOME,
  /** Passwords, service tokens, the key encryption secret, the platform admin's password (0600). */
  secrets: path.join(HOME, 'secrets.json'),
  /** Ids and last tokens of the demo organizations (0600). */
  demo: path.join(HOME, 'demo.json'),
  /** What other tools read to find the running platform (0600: it holds the ops passwords). */
  state: path.join(HOME, 'state.json'),
  /** Process ids of the running `npm start` and its children, to refuse a second one and clean up after a crash. */
  run: path.join(HOME, 'run.json'),
  /** One log file per service (the build, each Postgres, Azurite, API and the gateway). */
  logs: path.join(HOME, 'logs'),
  pgHome: path.join(HOME, 'postgres'),
  main: (app) => path.join(distOf(app), 'main.js'),
  migrate: (app) => path.join(distOf(app), 'migrate.js'),
  /** libs/database/src/roles.ts as compiled into the control plane's build (any app's copy would do). */
  rolesLib: path.join(ROOT, 'dist', 'apps', 'control-plane', 'libs', 'database', 'src', 'roles.js'),
  nx: path.join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'),
  azuriteBlob: path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
};
/** One Postgres cluster per region plus one for the control plane: .medgenie/postgres/<name>/{data,postgres.log}. */
paths.pgData = (name) => path.join(paths.pgHome, name, 'data');
paths.pgLog = (name) => path.join(paths.pgHome, name, 'postgres.log');
/** One Azurite (blob) per region. */
paths.azurite = (region) => path.join(HOME, `azurite-${region}`);
paths.log = (name) => path.join(paths.logs, `${name}.log`);

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

const rel = (file) => path.relative(ROOT, file);

/**
 * Opens a service's log file for appending (a file over 20 MB is moved to <name>.log.1 first)
 * and writes a header line; returns the file descriptor for the child's stdout and stderr.
 */
function openLog(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    if (fs.statSync(file).size > 20 * 1024 * 1024) fs.renameSync(file, `${file}.1`);
  } catch {
    /* no log yet */
  }
  const fd = fs.openSync(file, 'a', 0o600);
  fs.writeSync(fd, `\n----- ${new Date().toISOString()} npm start (pid ${process.pid}) -----\n`);
  return fd;
}

/** The last lines of a log file, indented, for an error message. */
function tail(file, lines = 15) {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
    return text.map((line) => `    ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`).join('\n');
  } catch {
    return '    (no log)';
  }
}

/** One JSON call; the body is parsed when it is JSON. Network errors reject. */
async function call(base, method, route, { body, token, headers = {}, timeoutMs = 20_000 } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${route}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/** The claims of a JWT, unverified (the scripts only read ids out of tokens they were just given). */
function jwtClaims(token) {
  return JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8') || '{}');
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
  rel,
  openLog,
  tail,
  call,
  jwtClaims,
};
