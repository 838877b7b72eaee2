#!/usr/bin/env node
'use strict';
/**
 * `npm run reset`: wipes .medgenie/ (the local Postgres data, passwords, the dev issuer key, the
 * demo ids and state.json). The next `npm start` begins from scratch. Refuses while `npm start`
 * is running; stops a Postgres or API that a killed run left behind.
 */
const fs = require('node:fs');
const path = require('node:path');
const { paths, readJson, pidAlive, cmdline, stopPid, log } = require('./lib/local');

async function main() {
  if (!fs.existsSync(paths.home)) {
    log('nothing to reset: .medgenie/ does not exist');
    return;
  }
  const run = readJson(paths.run, {}) ?? {};
  if (pidAlive(run.startPid) && (cmdline(run.startPid) ?? '').includes('start.js')) {
    process.stderr.write(`[medgenie] npm start is running (pid ${run.startPid}): stop it first (Ctrl-C there, or kill -INT ${run.startPid})\n`);
    process.exit(1);
  }
  if (pidAlive(run.apiPid) && (cmdline(run.apiPid) ?? '').includes('regional-api')) {
    log(`stopping a leftover regional API (pid ${run.apiPid})`);
    await stopPid(run.apiPid, 'SIGTERM', 15_000);
  }
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(paths.pgData, 'postmaster.pid'), 'utf8').split('\n')[0], 10);
    if (pidAlive(pid) && (cmdline(pid) ?? '').includes('postgres')) {
      log(`stopping a leftover Postgres (pid ${pid})`);
      await stopPid(pid, 'SIGINT', 30_000);
    }
  } catch {
    /* no postmaster.pid: Postgres is not running */
  }
  fs.rmSync(paths.home, { recursive: true, force: true });
  log('removed .medgenie/: the next "npm start" sets everything up again');
}

main().catch((err) => {
  process.stderr.write(`[medgenie] reset failed: ${err.message}\n`);
  process.exit(1);
});
