#!/usr/bin/env node
'use strict';
/**
 * `npm run reset`: wipes .medgenie/ (every Postgres cluster, the Azurite data, passwords and
 * service tokens, the demo ids, logs and state.json). The next `npm start` begins from scratch.
 * Refuses while `npm start` is running; stops what a killed run left behind first.
 */
const fs = require('node:fs');
const { paths, log } = require('./lib/local');
const { runningStart, stopLeftovers } = require('./lib/leftovers');

async function main() {
  if (!fs.existsSync(paths.home)) {
    log('nothing to reset: .medgenie/ does not exist');
    return;
  }
  const pid = runningStart();
  if (pid) {
    process.stderr.write(`[medgenie] npm start is running (pid ${pid}): stop it first (Ctrl-C there, or kill -INT ${pid})\n`);
    process.exit(1);
  }
  await stopLeftovers();
  fs.rmSync(paths.home, { recursive: true, force: true });
  log('removed .medgenie/: the next "npm start" sets everything up again');
}

main().catch((err) => {
  process.stderr.write(`[medgenie] reset failed: ${err.message}\n`);
  process.exit(1);
});
