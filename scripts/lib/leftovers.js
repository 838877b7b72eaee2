'use strict';
/**
 * What an `npm start` that was killed without stopping leaves behind (its children run in
 * process groups of their own, so they survive it): found through .medgenie/run.json and the
 * clusters' postmaster.pid files, and stopped. Also refuses while another `npm start` runs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { paths, readJson, pidAlive, cmdline, stopPid, log } = require('./local');
const postgres = require('./postgres');

/** The pid of a live `npm start` other than this process, from run.json, or null. */
function runningStart() {
  const run = readJson(paths.run);
  const pid = run?.startPid;
  if (pid && pid !== process.pid && pidAlive(pid) && (cmdline(pid) ?? '').includes('start.js')) return pid;
  return null;
}

/** Every Postgres data directory under .medgenie (this layout's and the single-region one before it). */
function dataDirectories() {
  const dirs = [path.join(paths.pgHome, 'data')];
  try {
    for (const entry of fs.readdirSync(paths.pgHome, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'data') dirs.push(paths.pgData(entry.name));
    }
  } catch {
    /* no clusters yet */
  }
  return dirs;
}

/** Stops the services a killed run left: APIs, gateway and Azurites first, then Postgres. */
async function stopLeftovers() {
  const run = readJson(paths.run) ?? {};
  const children = Array.isArray(run.children) ? [...run.children] : [];
  // The single-region `npm start` before this one recorded only its API.
  if (run.apiPid) children.push({ name: 'regional API', pid: run.apiPid, marker: 'regional-api' });
  await Promise.all(
    children
      .filter((c) => c.marker !== 'postgres' && pidAlive(c.pid) && (cmdline(c.pid) ?? '').includes(c.marker))
      .map((c) => {
        log(`stopping ${c.name} (pid ${c.pid}) left running by an earlier run`);
        return stopPid(c.pid, 'SIGTERM', 15_000);
      }),
  );
  await Promise.all(dataDirectories().map((dir) => postgres.stopLeftover(dir, `a Postgres (${path.relative(paths.home, dir)})`)));
}

module.exports = { runningStart, stopLeftovers };
