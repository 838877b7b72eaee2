import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './report';
import { freePort, waitFor200 } from './proc';

const root = join(__dirname, '..', '..', '..', '..'); // dist/bench/bench/lib -> the repository
export const GATEWAY_MAIN = join(root, 'dist', 'apps', 'gateway', 'apps', 'gateway', 'src', 'main.js');

/**
 * Builds the gateway as deployed (`nx run gateway:build`, i.e. tsc + tsc-alias into
 * dist/apps/gateway), so the benchmark runs the very main.js that production runs. When the
 * build fails but an earlier build exists (others may be mid-edit in apps/), it warns and uses
 * that. BENCH_GATEWAY_BUILD=0 skips the build; BENCH_GATEWAY_MAIN=<path to a built main.js> runs
 * that build instead.
 */
export function buildGateway(): { main: string; builtAt: Date; fresh: boolean } {
  const other = process.env.BENCH_GATEWAY_MAIN;
  if (other) {
    // another build of the gateway's main.js (e.g. of an older commit, for a before/after comparison)
    if (!existsSync(other)) throw new Error(`BENCH_GATEWAY_MAIN: no such file ${other}`);
    log(`using the gateway build at ${other} (BENCH_GATEWAY_MAIN)`);
    return { main: other, builtAt: statSync(other).mtime, fresh: false };
  }
  let fresh = false;
  if (process.env.BENCH_GATEWAY_BUILD !== '0') {
    log('building the gateway (nx run gateway:build)');
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'run', 'gateway:build'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: ['ignore', 2, 2],
    });
    fresh = r.status === 0;
    if (!fresh) {
      if (!existsSync(GATEWAY_MAIN)) throw new Error(`the gateway build failed (exit ${r.status}) and there is no earlier build at ${GATEWAY_MAIN}`);
      log(`WARNING: the gateway build failed (exit ${r.status}); running the earlier build at ${GATEWAY_MAIN}`);
    }
  } else if (!existsSync(GATEWAY_MAIN)) {
    throw new Error(`BENCH_GATEWAY_BUILD=0 but there is no build at ${GATEWAY_MAIN}`);
  }
  return { main: GATEWAY_MAIN, builtAt: statSync(GATEWAY_MAIN).mtime, fresh };
}

export interface RunningGateway {
  baseUrl: string;
  pid: number;
  close(): Promise<void>;
}

/**
 * Runs the built gateway (main.js) in its own process with exactly `env` (plus PATH and HOME):
 * nothing else leaks in from this process's environment (no REDIS_URL, no stray tuning).
 * main.ts cannot report a port it picked, so a free one is chosen here. Ready when /healthz
 * answers 200 (the region list is loaded). `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export async function startGatewayProcess(main: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<RunningGateway> {
  const port = await freePort();
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env, GATEWAY_PORT: String(port), HOST: '127.0.0.1' };
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, main], { cwd: root, env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${baseUrl}/healthz`, 30_000, () => child.exitCode === null && child.signalCode === null);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    baseUrl,
    pid: child.pid!,
    close: () =>
      new Promise<void>((done) => {
        const finish = () => {
          process.removeListener('exit', killOnExit);
          done();
        };
        if (child.exitCode !== null || child.signalCode !== null) return finish();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          finish();
        });
        child.kill('SIGTERM'); // main.ts closes the gateway and exits 0 (a --cpu-prof profile is written then)
      }),
  };
}
