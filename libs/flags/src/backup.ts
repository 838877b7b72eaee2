import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientFeaturesResponse } from 'unleash-client';

/** The SDK's `storageProvider` contract (`unleash-client`'s StorageProvider<ClientFeaturesResponse>). */
export interface FlagsStorage {
  set(key: string, data: ClientFeaturesResponse): Promise<void>;
  get(key: string): Promise<ClientFeaturesResponse | undefined>;
}

/**
 * The SDK's backup of the last definitions it fetched, one JSON file per app name in `dir`, as the
 * SDK's own FileStorageProvider keeps it, but written whole or not at all (a temporary file renamed
 * over the old one), so a crash or a read during a write never leaves half a file to start from.
 * A file that cannot be read or parsed counts as no backup.
 */
export class FlagsBackup implements FlagsStorage {
  private writes = 0;
  /** Writes under way; none starts once `close` is called. */
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  /** `onWriteError`: a backup that cannot be written (a read-only directory) is reported, never thrown into the SDK's fetch. */
  constructor(
    private readonly dir: string,
    private readonly onWriteError: (err: unknown) => void = () => undefined,
  ) {}

  path(key: string): string {
    return join(this.dir, `unleash-backup-${key.replace(/[^a-zA-Z0-9_-]/g, '_')}.json`);
  }

  set(key: string, data: ClientFeaturesResponse): Promise<void> {
    if (this.closed) return Promise.resolve(); // a fetch that lands after the client stopped
    const write = this.write(key, data);
    this.inFlight.add(write);
    return write.finally(() => this.inFlight.delete(write));
  }

  /** No write starts from now on; resolves when those under way are done, so the directory stays as they leave it. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.inFlight);
  }

  private async write(key: string, data: ClientFeaturesResponse): Promise<void> {
    const target = this.path(key);
    const temporary = `${target}.${process.pid}.${++this.writes}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(temporary, JSON.stringify(data), { mode: 0o600 });
      await rename(temporary, target);
    } catch (err) {
      await rm(temporary, { force: true }).catch(() => undefined);
      this.onWriteError(err);
    }
  }

  async get(key: string): Promise<ClientFeaturesResponse | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const data = JSON.parse(text) as ClientFeaturesResponse;
      return Array.isArray(data?.features) && data.features.length > 0 ? data : undefined;
    } catch {
      return undefined;
    }
  }
}
