import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '@medgenie/testing';

const ROOT = join(__dirname, '../../..');

/** The platform as `npm start` runs it (scripts/start.js), in a data directory of its own. */
export interface NpmStartPlatform {
  /** MEDGENIE_HOME: state.json, run.json, logs, outbox, the databases. */
  home: string;
  /** The gateway's port. */
  port: number;
  child: ChildProcess;
  /** Everything npm start printed so far (stdout and stderr). */
  readonly output: string;
  /** A call through the gateway with a Host header (undici's request: fetch drops Host); a JSON body is parsed, anything else is `{}`. */
  call<T = Record<string, unknown>>(host: string, method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  /** Ctrl-C (SIGINT) and the data directory removed. */
  stop(): Promise<void>;
}

/**
 * Starts `npm start` (already built: MEDGENIE_SKIP_BUILD) on a free gateway port, every internal
 * service on a free port too (MEDGENIE_ANY_PORTS: suites side by side never race for the defaults),
 * with the embedded Postgres and the in-process Redis stand-in, and waits for its `ready` line.
 * `env` adds to (or overrides) what it runs with.
 */
export async function startNpmStart(homePrefix: string, readyWithinMs: number, env: Record<string, string> = {}): Promise<NpmStartPlatform> {
  const home = mkdtempSync(join(tmpdir(), homePrefix));
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.js')], {
    cwd: ROOT,
    env: { ...process.env, MEDGENIE_HOME: home, GATEWAY_PORT: String(port), MEDGENIE_SKIP_BUILD: '1', MEDGENIE_ANY_PORTS: '1', DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within ${readyWithinMs / 1000} s:\n${output}`)), readyWithinMs);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (/ready/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before ready:\n${output}`)));
  });
  return {
    home,
    port,
    child,
    get output() {
      return output;
    },
    async call<T = Record<string, unknown>>(host: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
      const res = await request(`http://127.0.0.1:${port}${path}`, {
        method: method as 'GET',
        headers: {
          host: `${host}:${port}`,
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: (/^\s*[[{]/.test(text) ? JSON.parse(text) : {}) as T };
    },
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGINT');
        });
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
