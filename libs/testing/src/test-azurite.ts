import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { freePort } from './test-database';

/** Azurite's published development account (not a secret: every Azurite has it). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface TestAzurite {
  port: number;
  accountUrl: string;
  connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(accountUrl: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${accountUrl};`;
}

function azuriteBlobMain(): string {
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm install"`);
  return main;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A real blob service for tests: Azurite (the `azurite` npm package) on a free port of
 * 127.0.0.1, data in memory only, resolved once it answers HTTP.
 */
export async function startTestAzurite(): Promise<TestAzurite> {
  const port = await freePort();
  const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry'];
  const child = spawn(process.execPath, [azuriteBlobMain(), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  const accountUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Azurite exited during start-up: ${stderr}`);
    try {
      // Any answer will do (an anonymous listing is refused): it means the service is up.
      await fetch(`${accountUrl}?comp=list`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`Azurite did not answer on port ${port} within 30 s: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.unref();
  (child.stderr as Socket | null)?.unref();
  return { port, accountUrl, connectionString: azuriteConnectionString(accountUrl), stop: () => stopChild(child) };
}
