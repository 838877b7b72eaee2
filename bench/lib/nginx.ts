import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, freePort, waitFor200 } from './proc';

export interface RunningNginx {
  baseUrl: string;
  /** The master process (this process's child). */
  pid: number;
  workers: number;
  version: string;
  /** The master and its workers, for CPU accounting. */
  pids(): number[];
  close(): Promise<void>;
}

export interface NginxOptions {
  /** The upstream every request goes to, e.g. http://127.0.0.1:41234 */
  upstream: string;
  workers: number;
  /** Idle keep-alive connections to the upstream kept per worker. */
  keepalive?: number;
}

function isNginx(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nginx';
  } catch {
    return false;
  }
}

/** The nginx binary (apt-get install -y nginx), or null. */
export function findNginx(): { bin: string; version: string } | null {
  for (const bin of [process.env.BENCH_NGINX_BIN, 'nginx', '/usr/sbin/nginx'].filter((b): b is string => !!b)) {
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (r.status === 0) return { bin, version: (r.stderr || r.stdout).trim().replace(/^nginx version:\s*/, '') };
  }
  return null;
}

/**
 * A private nginx (its own prefix, config, pid file and logs in a temp dir; `daemon off`, so the
 * master is this process's child) proxying everything to one upstream over keep-alive
 * connections: the plain reverse proxy the gateway is compared with.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const found = findNginx();
  if (!found) throw new Error('nginx is not installed: apt-get update && apt-get install -y nginx (or set BENCH_NGINX_BIN)');
  const prefix = mkdtempSync(join(tmpdir(), 'medgenie-bench-nginx-'));
  const port = await freePort();
  const upstream = new URL(options.upstream);
  const conf = join(prefix, 'nginx.conf');
  // As root, nginx would run its workers as "nobody", who cannot use the private temp dir.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  writeFileSync(
    conf,
    `${user}daemon off;
master_process on;
worker_processes ${options.workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  # keep client connections open as long as the load generator does (default: closed after 1000 requests)
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  upstream api {
    server ${upstream.hostname}:${upstream.port};
    keepalive ${options.keepalive ?? 64};
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Request-Id $request_id;
    }
  }
}
`,
  );
  const test = spawnSync(found.bin, ['-t', '-q', '-c', conf, '-p', prefix, '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed: ${test.stderr}`);
  const child: ChildProcess = spawn(found.bin, ['-c', conf, '-p', prefix, '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  // Workers outlive a master that is killed outright, so they go first.
  const killAll = (pids: number[]) => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const killOnExit = () => killAll([...childPids(child.pid!), child.pid!]);
  process.once('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${baseUrl}/healthz`, 15_000, () => child.exitCode === null && child.signalCode === null);
  } catch (err) {
    killOnExit();
    throw err;
  }
  const workers = childPids(child.pid!);
  return {
    baseUrl,
    pid: child.pid!,
    workers: workers.length,
    version: found.version,
    pids: () => [child.pid!, ...childPids(child.pid!)],
    close: () =>
      new Promise<void>((done) => {
        const workerPids = childPids(child.pid!);
        const finish = () => {
          killAll(workerPids.filter(isNginx)); // a worker left behind, should there be one
          process.removeListener('exit', killOnExit);
          rmSync(prefix, { recursive: true, force: true });
          done();
        };
        if (child.exitCode !== null || child.signalCode !== null) return finish();
        const kill = setTimeout(killOnExit, 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          finish();
        });
        child.kill('SIGTERM'); // nginx: fast shutdown
      }),
  };
}
