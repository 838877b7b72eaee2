import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TEST_AUDIENCE, TEST_ISSUER, TestIssuer } from '@medgenie/testing';
import { percentile, sortedCopy } from './stats';

/** As in the regional API's Dockerfile CMD: a 64 MiB young generation (bench/young-generation.ts weighs it against 16). */
const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

export interface RunningApi {
  label: string;
  baseUrl: string;
  pid: number;
  /** The INTERNAL_SERVICE_TOKEN it was started with (for the service routes, /internal/v1/...). */
  serviceToken: string;
  /** Its garbage-collection pauses (ms) since the last call (empty unless started with `observeGc`): scavenges, and every other kind. */
  gcPauses(): Promise<GcPauses>;
  close(): Promise<void>;
}

export interface GcPauses {
  young: number[];
  other: number[];
}

/** How many pauses, their total, median and longest (ms); zeros for none (the median NaN). */
export function summarizePauses(pauses: number[]): { n: number; total: number; p50: number; max: number } {
  const sorted = sortedCopy(pauses);
  const total = pauses.reduce((a, b) => a + b, 0);
  return { n: pauses.length, total, p50: percentile(sorted, 50), max: sorted.length ? sorted[sorted.length - 1] : 0 };
}

export interface ApiOptions {
  label: string;
  databaseUrl: string;
  poolSize: number;
  issuer: TestIssuer;
  regionId: string;
  /** Node flags in place of the Dockerfile's (`API_NODE_FLAGS`), e.g. another young-generation size. */
  nodeFlags?: readonly string[];
  /** Record every garbage-collection pause, for `RunningApi.gcPauses` (young-generation, gateway; off, the API carries no observer). */
  observeGc?: boolean;
}

/** Starts the regional API in a child process (compiled api-server.js next to this file). */
export function startApi(options: ApiOptions): Promise<RunningApi> {
  const serviceToken = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    REGION_ID: options.regionId,
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize),
    JWKS_URL: options.issuer.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    INTERNAL_SERVICE_TOKEN: serviceToken,
    LOG_LEVEL: 'silent',
    MIGRATE_ON_START: 'false',
  };
  if (options.observeGc) env.BENCH_OBSERVE_GC = '1';
  delete env.DATABASE_OWNER_URL;
  delete env.REDIS_URL;
  // The flags the API's image runs it with (infra/docker/regional-api.Dockerfile), then
  // BENCH_API_NODE_ARGS: more Node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const execArgv = [...process.execArgv, ...(options.nodeFlags ?? API_NODE_FLAGS), ...(process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  const child: ChildProcess = fork(join(__dirname, 'api-server.js'), [], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label}: the API did not start within 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label}: the API exited with code ${code} before it was ready`));
    });
    child.on('message', (msg: { type?: string; port?: number }) => {
      if (msg?.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        label: options.label,
        baseUrl: `http://127.0.0.1:${msg.port}`,
        pid: child.pid!,
        serviceToken,
        gcPauses: () =>
          new Promise<GcPauses>((done) => {
            const onMessage = (answer: { type?: string } & GcPauses) => {
              if (answer?.type !== 'gc') return;
              child.removeListener('message', onMessage);
              done({ young: answer.young, other: answer.other });
            };
            child.on('message', onMessage);
            child.send({ type: 'gc' });
          }),
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.send({ type: 'close' });
          }),
      });
    });
  });
}
