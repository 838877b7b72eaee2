'use strict';
/* global fetch, AbortSignal */
/**
 * One Azurite blob service per region (the `azurite` npm package), data under
 * .medgenie/azurite-<region>/, on 127.0.0.1. The regional APIs get its account URL and the
 * well-known development connection string (Azurite's published account; not a secret).
 */
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { paths, sleep, rel, openLog, tail, stopChild } = require('./local');

const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const blobUrl = (port) => `http://127.0.0.1:${port}/${ACCOUNT}`;
const connectionString = (port) =>
  `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${blobUrl(port)};`;

/** What identifies an Azurite of ours in a process list (for leftovers of a killed run). */
const marker = (region) => paths.azurite(region);

/** Starts the blob service of `region` on 127.0.0.1:port, in a process group of its own; returns the child at once. */
function spawnServer({ region, port }) {
  if (!fs.existsSync(paths.azuriteBlob)) throw new Error(`${rel(paths.azuriteBlob)} is missing: run "npm install"`);
  const location = paths.azurite(region);
  fs.mkdirSync(location, { recursive: true });
  const fd = openLog(paths.log(`azurite-${region}`));
  try {
    return spawn(
      process.execPath,
      [paths.azuriteBlob, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'],
      { cwd: paths.root, detached: true, stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
  } finally {
    fs.closeSync(fd);
  }
}

/** Resolves once the child answers HTTP (any status: an anonymous request is refused, which is an answer); rejects if it exits first. */
async function waitForAnswer({ region, port, child, timeoutMs = 30_000 }) {
  const logFile = paths.log(`azurite-${region}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite (${region}) exited during start-up; ${rel(logFile)}:\n${tail(logFile)}`);
    }
    try {
      await fetch(`${blobUrl(port)}?comp=list`, { signal: AbortSignal.timeout(1_000) });
      return child;
    } catch {
      await sleep(150);
    }
  }
  throw new Error(`Azurite (${region}) did not answer on port ${port} within ${timeoutMs / 1000} s; see ${rel(logFile)}`);
}

/** Starts the blob service of `region`; `onSpawn` gets the child at once. Resolves with the child once it answers. */
async function start({ region, port, onSpawn }) {
  const child = spawnServer({ region, port });
  onSpawn?.(child);
  return waitForAnswer({ region, port, child });
}

async function stop(child) {
  await stopChild(child, [['SIGTERM', 10_000]]);
}

module.exports = { blobUrl, connectionString, marker, spawnServer, waitForAnswer, start, stop };
