#!/usr/bin/env node
/**
 * Builds the benchmarks (tsc into dist/bench, then tsc-alias for the @medgenie/* paths) and
 * runs them one after the other, each in its own Node process.
 *
 *   npm run bench                 # every benchmark
 *   npm run bench -- rls-cost     # one (or several) by name
 *   npm run bench -- --list       # the names
 *
 * A benchmark is any bench/<name>.ts (bench/lib holds their shared code). Each run's stdout is
 * also saved to bench/results/<name>-<timestamp>.txt (git-ignored).
 */
'use strict';

const { spawnSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, createWriteStream } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const outDir = join(root, 'dist', 'bench');
const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const args = process.argv.slice(2);
if (args.includes('--list')) {
  process.stdout.write(`${benches.join('\n')}\n`);
  process.exit(0);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`usage: npm run bench [-- <name>...]\nbenchmarks: ${benches.join(', ')}\n`);
  process.exit(0);
}
const unknown = args.filter((a) => !benches.includes(a));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.join(', ')}\n`);
  process.exit(2);
}
const selected = args.length ? args : benches;

function build() {
  const tsconfig = join(__dirname, 'tsconfig.json');
  process.stderr.write('[bench] building (tsc -p bench/tsconfig.json && tsc-alias)\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    // tsc still emits on type errors; code that others are editing may be mid-change, so go on
    // when the output exists and say so loudly.
    const emitted = selected.every((name) => existsSync(join(outDir, 'bench', `${name}.js`)));
    if (!emitted) process.exit(tsc.status ?? 1);
    process.stderr.write('[bench] WARNING: tsc reported type errors (above); running the emitted JavaScript anyway\n');
  }
  const alias = spawnSync(process.execPath, [require.resolve('tsc-alias/dist/bin/index.js'), '-p', tsconfig], { cwd: root, stdio: 'inherit' });
  if (alias.status !== 0) process.exit(alias.status ?? 1);
}

/** The commit the build was made from (others may commit while a run goes on). */
let builtFrom = 'unknown';
function recordCommit() {
  const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'apps', 'libs']) ? ' + uncommitted changes in apps/ or libs/' : '';
  builtFrom = `${commit}${dirty}`;
}

/** Where and on what a run happened, printed above each benchmark's figures. */
function header(name) {
  const os = require('node:os');
  return (
    `== ${name} | ${new Date().toISOString()} | built from ${builtFrom} | node ${process.version} | ` +
    `${os.cpus().length} cpus | load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`
  );
}

function runOne(name) {
  return new Promise((resolve) => {
    const resultsDir = join(__dirname, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = createWriteStream(join(resultsDir, `${name}-${stamp}.txt`));
    const head = header(name);
    process.stdout.write(head);
    file.write(head);
    const env = { ...process.env, LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, [join(outDir, 'bench', `${name}.js`)], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      file.write(chunk);
    });
    child.on('exit', (code, signal) => {
      file.end();
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  recordCommit();
  build();
  let failed = 0;
  for (const name of selected) {
    process.stderr.write(`\n[bench] ===== ${name} =====\n`);
    const code = await runOne(name);
    if (code !== 0) {
      failed += 1;
      process.stderr.write(`[bench] ${name} exited with code ${code}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
